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

export type Party = { userId: string; phone: string; accountId: string; funded: bigint; client: MoneyClient };

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
    parties.push({ userId: user.id, phone, accountId: account.id, funded: fund, client });
  }
  return parties;
}

/** One answer to one try. "lost": no definitive answer (no response, or a 5xx). */
export type Answer =
  | { kind: "ok"; status: number; id: string; sentAt: number; at: number }
  | { kind: "refused"; status: number; code: string; sentAt: number; at: number }
  | { kind: "lost"; status: number | null; error: string; sentAt: number; at: number };

/** A money request that the ledger records under one idempotency key. */
export type MoneyRequest = {
  op: "transfer";
  key: string;
  ledgerKey: string;
  from: Party;
  to: Party;
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
  if (res.status === 200 || res.status === 201)
    return { kind: "ok", status: res.status, id: String(body.id), sentAt, at };
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
    const req = this.newTransfer();
    if (roll < topupShare + 0.3) {
      // The same request twice at once, as a double tap or an impatient retry would send it.
      await Promise.all([this.settle(req), this.settle(req)]);
    } else {
      await this.settle(req);
    }
  }

  private pickPair(): [Party, Party] {
    const from = this.parties[randomInt(this.parties.length)] as Party;
    let to = this.parties[randomInt(this.parties.length)] as Party;
    while (to === from) to = this.parties[randomInt(this.parties.length)] as Party;
    return [from, to];
  }

  newTransfer(): MoneyRequest {
    const [from, to] = this.pickPair();
    const key = `proof-${randomUUID()}`;
    const amount = BigInt(1 + randomInt(3_000));
    const req: MoneyRequest = {
      op: "transfer",
      key,
      ledgerKey: `wallet:${from.userId}:${key}`,
      from,
      to,
      amount,
      path: "/api/v1/wallet/transfers",
      body: { to: to.phone, amount: Number(amount), currency: "CNY", paymentPassword: PAYMENT_PASSWORD },
      answers: [],
    };
    this.requests.push(req);
    return req;
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
      if (answer.kind === "refused") throw new Error(`refused: ${answer.status} ${answer.code}`);
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
      `${this.requests.length} transfers, ${answers.length} answers: ${by("ok")} × 201, ${by("refused")} refused (${[...codes].map(([c, n]) => `${c} ${n}`).join(", ")}), ${by("lost")} lost and retried`,
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
    .where("type", "in", ["transfer", "topup"])
    .execute();
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
    if (!ids.has(row.id)) problems.push(`${req.key}: 201 id ${[...ids][0]} but ledger id ${row.id}`);
    if (
      row.amount !== req.amount ||
      row.debit_account_id !== req.from.accountId ||
      row.credit_account_id !== req.to.accountId
    ) {
      problems.push(`${req.key}: ledger row ${row.id} does not match the request`);
    }
    // Once a 201 has been answered, the key replays it: no later try may be refused.
    const firstOk = Math.min(...oks.map((a) => a.at));
    for (const a of req.answers) {
      if (a.kind === "refused" && a.sentAt > firstOk)
        problems.push(`${req.key}: refused ${a.code} after its 201`);
    }
    move(req.from.accountId, -req.amount);
    move(req.to.accountId, req.amount);
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
  for (const [key, rows] of byKey) {
    if (
      rows.some((r) => r.type === "transfer" || r.type === "topup") &&
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
    if (a.balance !== expected.get(a.id))
      problems.push(`account ${a.id}: balance ${a.balance}, the 201s say ${expected.get(a.id)}`);
    if (a.balance < 0n) problems.push(`account ${a.id}: negative balance ${a.balance}`);
  }

  const verification = await verifyLedger(db);
  problems.push(...verification.problems.map((p) => `verifyLedger: ${JSON.stringify(p)}`));
  if (!verification.ok && verification.problems.length === 0) problems.push("verifyLedger: not ok");
  return problems;
}
