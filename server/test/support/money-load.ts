// The money proofs' load: customers who top up through the sandbox gateway, transfer to each
// other, send requests twice at once, replay old Idempotency-Keys and reuse keys for other
// bodies — while the test may kill the server or the database under them. Every answer is
// recorded; a request without a definitive answer (no answer, or 5xx) is sent again with the
// same key and body until it gets one, as a careful client would. checkMoney() then holds the
// ledger to what the clients saw.
import { randomInt, randomUUID } from "node:crypto";
import type { Clock } from "../../src/clock.js";
import type { Crypto } from "../../src/crypto.js";
import type { Db } from "../../src/db/database.js";
import { createSession, SESSION_COOKIE } from "../../src/modules/identity/index.js";
import {
  getOrCreateSystemAccount,
  openAccount,
  postTransfer,
  systemAccountCode,
  verifyLedger,
} from "../../src/modules/ledger/index.js";
import { uniquePhone } from "../factories.js";
import type { MoneyClient, Reply } from "./money-client.js";
import { pause } from "./wait.js";

export const PAYMENT_PASSWORD = "258036";
const NOTIFY_PATH = "/api/v1/gateways/sandbox/notify";
const SIGNATURE_HEADER = "x-sandbox-signature";

type Deps = { db: Db; clock: Clock; crypto: Crypto };

export type Party = {
  userId: string;
  phone: string;
  accountId: string;
  cardId: string;
  funded: bigint;
  client: MoneyClient;
  /** One withdrawal each: its SMS code may be sent once a minute. */
  withdrew: boolean;
};

/** Customers inserted directly (one password hash shared, for speed), logged in, and funded. */
export async function seedParties(
  deps: Deps,
  count: number,
  clientFor: (i: number) => MoneyClient,
  fund: bigint,
): Promise<Party[]> {
  const loginHash = await deps.crypto.hashPassword(randomUUID());
  const paymentHash = await deps.crypto.hashPassword(PAYMENT_PASSWORD);
  const adjustments = await getOrCreateSystemAccount(
    deps,
    systemAccountCode("adjustments", "CNY"),
    "CNY",
    "adjustments",
  );
  const parties: Party[] = [];
  for (let i = 0; i < count; i++) {
    const now = deps.clock.now();
    const phone = uniquePhone();
    const user = await deps.db
      .insertInto("users")
      .values({
        kind: "customer",
        phone,
        name: `压测${i}`,
        password_hash: loginHash,
        payment_password_hash: paymentHash,
        roles: ["customer"],
        password_changed_at: now,
        created_at: now,
        updated_at: now,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const client = clientFor(i);
    const session = await createSession(deps.db, deps.clock, user.id, {
      ip: client.ip,
      userAgent: "OpenCounter money proof",
    });
    client.setCookie(SESSION_COOKIE, session.token);
    const account = await openAccount(deps, { ownerUserId: user.id, currency: "CNY" });
    const card = await deps.db
      .insertInto("bank_cards")
      .values({
        user_id: user.id,
        card_enc: deps.crypto.encrypt("6222020000000000000"),
        card_hash: `proof-${randomUUID()}`,
        last4: "0000",
        holder_name: `压测${i}`,
        bank_name: "工商银行",
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    if (fund > 0n) {
      await postTransfer(deps, {
        idempotencyKey: `proof-fund:${user.id}`,
        type: "adjustment",
        debitAccountId: adjustments.id,
        creditAccountId: account.id,
        amount: fund,
        currency: "CNY",
      });
    }
    parties.push({
      userId: user.id,
      phone,
      accountId: account.id,
      cardId: card.id,
      funded: fund,
      client,
      withdrew: false,
    });
  }
  return parties;
}

/** One answer to one try. "lost": no definitive answer (no response, or a 5xx). */
export type Answer =
  | { kind: "ok"; status: number; id: string; body: Record<string, unknown>; sentAt: number; at: number }
  | { kind: "refused"; status: number; code: string; sentAt: number; at: number }
  | { kind: "lost"; status: number | null; error: string; sentAt: number; at: number };

/** A money request that the ledger records under one idempotency key. */
export type MoneyRequest = {
  op: "transfer" | "payment" | "withdrawal";
  key: string;
  ledgerKey: string;
  from: Party;
  /** The payee of a transfer; payments and withdrawals go to system or merchant accounts. */
  to: Party | null;
  amount: bigint;
  path: string;
  body: Record<string, unknown>;
  answers: Answer[];
};

export type TopupRun = {
  key: string;
  party: Party;
  amount: bigint;
  outcome: "paid" | "failed";
  topupId: string | null;
  paymentId: string | null;
  opened: Answer[];
  /** Answers of the notification callback, outcome "credited" | "failed" | "unchanged". */
  notified: string[];
};

type Probe = { of: MoneyRequest; answer: Answer };

function classify(res: Reply, sentAt: number): Answer {
  const at = Date.now();
  if (res.status >= 500)
    return { kind: "lost", status: res.status, error: res.text.slice(0, 200), sentAt, at };
  let body: Record<string, unknown> = {};
  try {
    body = res.json();
  } catch {
    // not JSON: left empty
  }
  if (res.status >= 200 && res.status < 300)
    return { kind: "ok", status: res.status, id: String(body.id), body, sentAt, at };
  return { kind: "refused", status: res.status, code: String(body.code ?? res.status), sentAt, at };
}

export type LoadOptions = {
  /** Share of operations that are top-ups; the rest are transfers, duplicates, replays and probes. */
  topupShare?: number;
  /** Wait between retries of a lost request while no outage is announced. */
  retryPauseMs?: number;
};

export class MoneyLoad {
  readonly requests: MoneyRequest[] = [];
  readonly topups: TopupRun[] = [];
  readonly probes: Probe[] = [];
  /** Lost answers while no outage was announced: in a healthy system there are none. */
  readonly lostWhileUp: Answer[] = [];
  lostInOutage = 0;
  private pending = 0;
  private up = true;
  private waiters: Array<() => void> = [];
  private stopping = false;
  private workers: Promise<void>[] = [];
  private readonly errors: unknown[] = [];

  constructor(
    readonly parties: Party[],
    private readonly opts: LoadOptions = {},
  ) {}

  /** The test is about to break something: lost answers are expected until recovered(). */
  outage(): void {
    this.up = false;
  }

  /** Everything is back: clients waiting to retry go ahead. */
  recovered(): void {
    this.up = true;
    for (const w of this.waiters.splice(0)) w();
  }

  /** Requests sent and not yet answered. */
  inFlight(): number {
    return this.pending;
  }

  /** 201s and credited top-ups the clients have seen so far. */
  successes(): number {
    return (
      this.requests.filter((r) => r.answers.some((a) => a.kind === "ok")).length +
      this.topups.filter((t) => t.notified.includes("credited")).length
    );
  }

  start(workers: number): void {
    this.stopping = false;
    for (let i = 0; i < workers; i++) {
      this.workers.push(
        (async () => {
          while (!this.stopping) {
            try {
              await this.step();
            } catch (err) {
              this.errors.push(err);
              return;
            }
          }
        })(),
      );
    }
  }

  /** Lets every worker finish its current operation (retrying until answered), then returns. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.workers.splice(0));
    if (this.errors.length) throw this.errors[0];
  }

  /** Anything that ended a worker early. */
  failures(): unknown[] {
    return this.errors;
  }

  private async step(): Promise<void> {
    const roll = Math.random();
    const topupShare = this.opts.topupShare ?? 0.2;
    if (roll < topupShare) {
      await this.topup();
      return;
    }
    const done = this.requests.filter((r) => r.answers.length > 0);
    const previous = done[randomInt(Math.max(done.length, 1))];
    if (roll < topupShare + 0.15 && previous) {
      // A replay of an earlier request: same key, same body.
      await this.settle(previous);
      return;
    }
    if (roll < topupShare + 0.2 && previous?.answers.some((a) => a.kind === "ok")) {
      await this.probe(previous);
      return;
    }
    if (roll < topupShare + 0.25) {
      const req = await this.newWithdrawal();
      if (req) {
        await this.settle(req);
        return;
      }
    }
    const req = roll < topupShare + 0.45 && this.merchants.length ? this.newPayment() : this.newTransfer();
    if (roll > 0.9) {
      // The same request twice at once, as a double tap or an impatient retry would send it.
      await Promise.all([this.settle(req), this.settle(req)]);
    } else {
      await this.settle(req);
    }
  }

  private anyParty(): Party {
    return this.parties[randomInt(this.parties.length)] as Party;
  }

  private pickPair(): [Party, Party] {
    const from = this.anyParty();
    let to = this.anyParty();
    while (to === from) to = this.anyParty();
    return [from, to];
  }

  private request(
    op: MoneyRequest["op"],
    from: Party,
    to: Party | null,
    amount: bigint,
    path: string,
    body: Record<string, unknown>,
  ): MoneyRequest {
    const key = `proof-${randomUUID()}`;
    const scope = op === "transfer" ? "" : `${op}:`;
    const req: MoneyRequest = {
      op,
      key,
      ledgerKey: `wallet:${from.userId}:${scope}${key}`,
      from,
      to,
      amount,
      path,
      body: { ...body, amount: Number(amount), currency: "CNY" },
      answers: [],
    };
    this.requests.push(req);
    return req;
  }

  newTransfer(): MoneyRequest {
    const [from, to] = this.pickPair();
    const amount = BigInt(1 + randomInt(3_000));
    return this.request("transfer", from, to, amount, "/api/v1/wallet/transfers", {
      to: to.phone,
      paymentPassword: PAYMENT_PASSWORD,
    });
  }

  /** Merchants to pay, once the payments API is there (GET /wallet/merchants). */
  merchants: { id: string }[] = [];

  async discoverMerchants(): Promise<void> {
    const party = this.anyParty();
    const res = await party.client.request("GET", "/api/v1/wallet/merchants");
    this.merchants = res.status === 200 ? res.json<{ items: { id: string }[] }>().items : [];
  }

  newPayment(): MoneyRequest {
    const from = this.anyParty();
    // One merchant takes a large share, as a busy shop does.
    const merchant = (
      Math.random() < 0.3 ? this.merchants[0] : this.merchants[randomInt(this.merchants.length)]
    ) as { id: string };
    const amount = BigInt(1 + randomInt(2_000));
    return this.request("payment", from, null, amount, "/api/v1/wallet/payments", {
      merchantId: merchant.id,
      paymentPassword: PAYMENT_PASSWORD,
    });
  }

  /**
   * A withdrawal to the party's card with a fresh SMS code read from the dev mailbox, or null
   * when this party has had its one. Amounts stay under the auto-approve line and avoid the
   * sandbox bank's failing test amounts (x.44, x.45).
   */
  async newWithdrawal(): Promise<MoneyRequest | null> {
    const from = this.parties.find((p) => !p.withdrew);
    if (!from) return null;
    from.withdrew = true;
    await this.untilAnswered(() =>
      from.client.request("POST", "/api/v1/me/otp", { body: { purpose: "withdrawal" } }),
    );
    let code: string | undefined;
    await this.untilAnswered(async () => {
      const res = await from.client.request("GET", `/api/v1/dev/messages?to=${from.phone}`);
      if (res.status === 200) {
        // Newest first; balance notices may go to the same phone, so find the code message.
        const items = res.json<{ items: { body: string }[] }>().items;
        code = items.map((m) => /验证码 (\d{6})/.exec(m.body)?.[1]).find(Boolean);
      }
      return res;
    });
    if (!code) throw new Error(`no withdrawal code for ${from.phone}`);
    let amount = BigInt(100 + randomInt(3_000));
    if (amount % 100n === 44n || amount % 100n === 45n) amount += 10n;
    return this.request("withdrawal", from, null, amount, "/api/v1/wallet/withdrawals", {
      bankCardId: from.cardId,
      paymentPassword: PAYMENT_PASSWORD,
      otp: code,
    });
  }

  /** Sends the request until it gets a definitive answer (201 or a refusal). */
  async settle(req: MoneyRequest): Promise<Answer> {
    for (;;) {
      const answer = await this.try(() =>
        req.from.client.request("POST", req.path, {
          body: req.body,
          headers: { "idempotency-key": req.key },
        }),
      );
      req.answers.push(answer);
      if (answer.kind !== "lost") return answer;
      await this.beforeRetry(answer);
    }
  }

  /** The same key with another body: must be refused with 409 and move nothing. */
  private async probe(of: MoneyRequest): Promise<void> {
    for (;;) {
      const answer = await this.try(() =>
        of.from.client.request("POST", of.path, {
          body: { ...of.body, amount: Number(of.amount) + 1 },
          headers: { "idempotency-key": of.key },
        }),
      );
      if (answer.kind !== "lost") {
        this.probes.push({ of, answer });
        return;
      }
      await this.beforeRetry(answer);
    }
  }

  /** Opens a top-up, pays (or fails) it at the sandbox, and relays the gateway's signed answer. */
  async topup(): Promise<TopupRun> {
    const party = this.parties[randomInt(this.parties.length)] as Party;
    const run: TopupRun = {
      key: `proof-topup-${randomUUID()}`,
      party,
      amount: BigInt(100 + randomInt(20_000)),
      outcome: Math.random() < 0.1 ? "failed" : "paid",
      topupId: null,
      paymentId: null,
      opened: [],
      notified: [],
    };
    this.topups.push(run);
    for (;;) {
      let paymentId: string | null = null;
      const answer = await this.try(async () => {
        const res = await party.client.request("POST", "/api/v1/wallet/topups", {
          body: { amount: Number(run.amount), currency: "CNY", method: "sandbox" },
          headers: { "idempotency-key": run.key },
        });
        if (res.status === 201) {
          paymentId =
            /\/sandbox-gateway\/pay\/([0-9a-f-]{36})$/.exec(res.json<{ payUrl: string }>().payUrl)?.[1] ??
            null;
        }
        return res;
      });
      run.opened.push(answer);
      if (answer.kind === "refused") return run;
      if (answer.kind === "ok") {
        run.topupId = answer.id;
        run.paymentId = paymentId;
        break;
      }
      await this.beforeRetry(answer);
    }
    const pid = run.paymentId;
    if (!pid) throw new Error("top-up answer without a sandbox payment");
    const verb = run.outcome === "paid" ? "pay" : "fail";
    await this.untilAnswered(() =>
      party.client.request("POST", `/sandbox-gateway/payments/${pid}/${verb}`, { body: {} }),
    );
    await this.relayNotification(run);
    return run;
  }

  /**
   * Acts as the gateway's outbox: fetches the sandbox's signed answer for the payment and posts
   * it, signature and all, to our callback, until the callback takes it.
   */
  async relayNotification(run: TopupRun): Promise<void> {
    const pid = run.paymentId;
    if (!pid) return;
    for (;;) {
      const sentAt = Date.now();
      let outcome: string | null = null;
      const answer = await this.try(async () => {
        const view = await run.party.client.request("GET", `/sandbox-gateway/payments/${pid}`);
        if (view.status !== 200) return view;
        const signature = view.header(SIGNATURE_HEADER) ?? "";
        const res = await run.party.client.request("POST", NOTIFY_PATH, {
          body: view.text,
          headers: { "content-type": "application/json", [SIGNATURE_HEADER]: signature },
        });
        if (res.status === 200) outcome = res.json<{ outcome: string }>().outcome;
        return res;
      }, sentAt);
      if (answer.kind !== "lost") {
        if (answer.kind === "refused")
          throw new Error(`the callback refused a genuine notification: ${answer.code}`);
        if (outcome) run.notified.push(outcome);
        return;
      }
      await this.beforeRetry(answer);
    }
  }

  private async untilAnswered(send: () => Promise<Reply>): Promise<Answer> {
    for (;;) {
      const answer = await this.try(send);
      // A code sent before a crash and asked for again is "too soon": the first one is in the mailbox.
      if (answer.kind === "refused" && answer.code !== "otp_resend_too_soon")
        throw new Error(`refused: ${answer.status} ${answer.code}`);
      if (answer.kind === "refused") return answer;
      if (answer.kind === "ok") return answer;
      await this.beforeRetry(answer);
    }
  }

  private async try(send: () => Promise<Reply>, sentAt = Date.now()): Promise<Answer> {
    this.pending += 1;
    try {
      return classify(await send(), sentAt);
    } catch (err) {
      return {
        kind: "lost",
        status: null,
        error: err instanceof Error ? err.message : String(err),
        sentAt,
        at: Date.now(),
      };
    } finally {
      this.pending -= 1;
    }
  }

  private async beforeRetry(answer: Answer): Promise<void> {
    if (this.up) {
      this.lostWhileUp.push(answer);
      await pause(this.opts.retryPauseMs ?? 200);
    } else {
      this.lostInOutage += 1;
    }
    if (!this.up) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  /** A short account of what was sent and answered, for the test's log. */
  summary(): string {
    const answers = this.requests.flatMap((r) => r.answers);
    const by = (kind: Answer["kind"]) => answers.filter((a) => a.kind === kind).length;
    const codes = new Map<string, number>();
    for (const a of answers) if (a.kind === "refused") codes.set(a.code, (codes.get(a.code) ?? 0) + 1);
    const credited = this.topups.filter((t) => t.notified.includes("credited")).length;
    return [
      `money requests: ${(["transfer", "payment", "withdrawal"] as const).map((op) => `${this.requests.filter((r) => r.op === op).length} ${op}s`).join(", ")}${this.merchants.length ? "" : " (no payments API yet)"}`,
      `${answers.length} answers: ${by("ok")} × 201, ${by("refused")} refused (${[...codes].map(([c, n]) => `${c} ${n}`).join(", ")}), ${by("lost")} lost and retried`,
      `${this.topups.length} top-ups (${credited} credited by their notification), ${this.probes.length} key-reuse probes`,
      `lost while up: ${this.lostWhileUp.length}, lost in outages: ${this.lostInOutage}`,
    ].join("\n");
  }
}

/**
 * Holds the ledger to what the clients saw. Returns one line per problem; [] means:
 * every 201 is in the ledger exactly once (same id, amount and accounts), no refused request
 * left a row, no row exists that no client asked for, every paid top-up is credited once and
 * no failed one is, every balance is what the 201s add up to, and verifyLedger passes.
 */
export async function checkMoney(db: Db, load: MoneyLoad): Promise<string[]> {
  const problems: string[] = [];
  const transfers = await db
    .selectFrom("ledger_transfers")
    .select(["id", "type", "idempotency_key", "amount", "debit_account_id", "credit_account_id", "status"])
    .where("type", "in", ["transfer", "topup", "payment", "withdrawal"])
    .execute();
  const outcomes = new Map(
    (await db.selectFrom("ledger_hold_events").select(["hold_id", "outcome"]).execute()).map((e) => [
      e.hold_id,
      e.outcome,
    ]),
  );
  const byKey = new Map<string, typeof transfers>();
  for (const t of transfers) {
    const key = t.idempotency_key ?? "";
    byKey.set(key, [...(byKey.get(key) ?? []), t]);
  }
  const expected = new Map(load.parties.map((p) => [p.accountId, p.funded]));
  const move = (account: string, delta: bigint) =>
    expected.set(account, (expected.get(account) ?? 0n) + delta);

  const asked = new Set<string>();
  for (const req of load.requests) {
    asked.add(req.ledgerKey);
    const last = req.answers.at(-1);
    if (!last || last.kind === "lost") problems.push(`${req.key}: never answered definitively`);
    const oks = req.answers.filter((a) => a.kind === "ok");
    const ids = new Set(oks.map((a) => (a.kind === "ok" ? a.id : "")));
    if (ids.size > 1) problems.push(`${req.key}: 201s with different ids ${[...ids].join(", ")}`);
    const rows = byKey.get(req.ledgerKey) ?? [];
    if (oks.length === 0) {
      if (rows.length)
        problems.push(
          `${req.key}: refused (${req.answers.map((a) => a.status).join(",")}) but in the ledger`,
        );
      continue;
    }
    const row = rows[0];
    if (rows.length !== 1 || !row) {
      problems.push(`${req.key}: answered 201 but in the ledger ${rows.length} times`);
      continue;
    }
    if (req.op === "withdrawal") {
      const held = await db
        .selectFrom("withdrawals")
        .select("hold_id")
        .where("id", "=", [...ids][0] ?? "")
        .executeTakeFirst();
      if (held?.hold_id !== row.id)
        problems.push(`${req.key}: withdrawal ${[...ids][0]} does not hold ${row.id}`);
    } else if (!ids.has(row.id)) problems.push(`${req.key}: 201 id ${[...ids][0]} but ledger id ${row.id}`);
    const ok = oks[0];
    // A withdrawal answers with its own id and holds amount + fee; the others answer the ledger id.
    const fee = req.op === "withdrawal" ? BigInt(Number(ok?.kind === "ok" ? ok.body.fee : Number.NaN)) : 0n;
    const total = req.amount + fee;
    if (
      row.amount !== total ||
      row.type !== req.op ||
      row.debit_account_id !== req.from.accountId ||
      (req.to !== null && row.credit_account_id !== req.to.accountId) ||
      (req.op === "withdrawal") !== (row.status === "pending")
    ) {
      problems.push(`${req.key}: ledger row ${row.id} does not match the request`);
    }
    // Once a 201 has been answered, the key replays it: no later try may be refused.
    const firstOk = Math.min(...oks.map((a) => a.at));
    for (const a of req.answers) {
      if (a.kind === "refused" && a.sentAt > firstOk)
        problems.push(`${req.key}: refused ${a.code} after its 201`);
    }
    // A withdrawal's hold leaves the available balance until it is voided (the bank failed it).
    const outcome = outcomes.get(row.id);
    if (req.op !== "withdrawal" || (outcome !== "voided" && outcome !== "expired"))
      move(req.from.accountId, -total);
    if (req.to) move(req.to.accountId, req.amount);
  }
  for (const p of load.probes) {
    if (p.answer.kind !== "refused" || p.answer.status !== 409 || p.answer.code !== "idempotency_conflict") {
      problems.push(`${p.of.key}: reusing the key for another body answered ${p.answer.status}`);
    }
  }

  const topups = await db.selectFrom("topups").select(["id", "status", "amount"]).execute();
  const topupStatus = new Map(topups.map((t) => [t.id, t.status]));
  for (const run of load.topups) {
    if (!run.topupId) continue;
    const key = `topup:${run.topupId}`;
    asked.add(key);
    const rows = byKey.get(key) ?? [];
    const want = run.outcome === "paid" ? 1 : 0;
    if (rows.length !== want) problems.push(`top-up ${run.topupId} (${run.outcome}): ${rows.length} credits`);
    const status = topupStatus.get(run.topupId);
    if (status !== (run.outcome === "paid" ? "succeeded" : "failed"))
      problems.push(`top-up ${run.topupId} (${run.outcome}) is ${status}`);
    const changed = run.notified.filter((o) => o !== "unchanged");
    if (changed.length > 1)
      problems.push(`top-up ${run.topupId}: ${changed.length} notifications changed it`);
    if (run.outcome === "paid") move(run.party.accountId, run.amount);
  }
  // Rows the clients' own requests would have written (the customers' keys, on their accounts).
  const theirs = new Set(load.parties.map((p) => p.accountId));
  for (const [key, rows] of byKey) {
    if (
      rows.some((r) => theirs.has(r.debit_account_id) || theirs.has(r.credit_account_id)) &&
      !asked.has(key) &&
      (key.startsWith("wallet:") || key.startsWith("topup:"))
    ) {
      problems.push(`ledger row ${rows[0]?.id} (${key}) that no client asked for`);
    }
  }

  const accounts = await db
    .selectFrom("ledger_accounts")
    .select(["id", "balance", "pending_debits"])
    .where(
      "id",
      "in",
      load.parties.map((p) => p.accountId),
    )
    .execute();
  for (const a of accounts) {
    if (a.balance - a.pending_debits !== expected.get(a.id))
      problems.push(
        `account ${a.id}: available ${a.balance - a.pending_debits}, the 201s say ${expected.get(a.id)}`,
      );
    if (a.balance < 0n) problems.push(`account ${a.id}: negative balance ${a.balance}`);
  }

  const verification = await verifyLedger(db);
  problems.push(...verification.problems.map((p) => `verifyLedger: ${JSON.stringify(p)}`));
  if (!verification.ok && verification.problems.length === 0) problems.push("verifyLedger: not ok");
  return problems;
}
