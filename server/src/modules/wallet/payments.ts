// Paying a merchant or biller from the wallet. Payments are the busiest money movement, so they
// take the ledger's batched write path (ledger/batch.ts): many payments share one transaction,
// each still answered on its own. The payment password is checked before queueing (argon2 is
// slow and must not run inside a batch); without it, a payment goes through only under 小额免密,
// which the limits decide inside the batch's transaction together with every other limit.
import type { AppContext } from "../../context.js";
import type { MerchantCategory, Preferences } from "../../db/schema.js";
import { DomainError } from "../../http/errors.js";
import { verifyPaymentPassword } from "../identity/index.js";
import {
  type BatcherOptions,
  type BatchItem,
  findCustomerAccount,
  getOrCreateSystemAccount,
  openAccount,
  systemAccountCode,
  TransferBatcher,
} from "../ledger/index.js";
import { balanceNotice, balanceNoticesInAppOnly, inboxInsert } from "../notify/index.js";
import { type LimitBusiness, planLimitGate } from "./limits.js";
import {
  findMerchant,
  findMerchantByCode,
  insertMerchant,
  listActiveMerchants,
  type MerchantRow,
  payerPreferences,
} from "./payments-store.js";
import type { WalletCurrency } from "./service.js";

export type Merchant = { id: string; name: string; category: MerchantCategory };

export const MERCHANT_CATEGORIES = ["shop", "phone_topup", "utility"] as const;

export type PaymentInput = {
  merchantId: string;
  amount: bigint;
  currency: WalletCurrency;
  paymentPassword?: string;
  orderRef?: string;
  memo?: string;
};

export type PaymentResult = { id: string; status: "succeeded"; passwordFree: boolean; replayed: boolean };

/** Which business limits a payment to this merchant counts against. */
export function businessOf(category: MerchantCategory): LimitBusiness {
  return category === "phone_topup" ? "phone_topup" : "payment";
}

/** Opens a merchant and its ledger account (kind merchant), once per code. */
export async function createMerchant(
  ctx: Pick<AppContext, "db">,
  m: { code: string; name: string; category: MerchantCategory; currency?: string },
): Promise<MerchantRow> {
  const currency = m.currency ?? "CNY";
  const account = await getOrCreateSystemAccount(
    ctx,
    systemAccountCode("merchant", currency, m.code.replaceAll("-", "_")),
    currency,
    "merchant",
  );
  await insertMerchant(ctx.db, { code: m.code, name: m.name, category: m.category, accountId: account.id });
  const row = await findMerchantByCode(ctx.db, m.code);
  if (!row) throw new Error("merchant vanished after creating it");
  return row;
}

/** The demo's shops and billers, including a 话费充值 phone top-up biller. Idempotent. */
export const DEMO_MERCHANTS = [
  { code: "demo-phone-topup", name: "话费充值 Phone top-up", category: "phone_topup" },
  { code: "demo-convenience", name: "便利店 Corner Shop", category: "shop" },
  { code: "demo-bakery", name: "面包房 Bakery", category: "shop" },
  { code: "demo-power", name: "电费 Electricity", category: "utility" },
  { code: "demo-water", name: "水费 Water", category: "utility" },
] as const satisfies readonly { code: string; name: string; category: MerchantCategory }[];

export async function seedDemoMerchants(ctx: Pick<AppContext, "db">): Promise<void> {
  for (const m of DEMO_MERCHANTS) await createMerchant(ctx, m);
}

export async function listMerchants(ctx: Pick<AppContext, "db">): Promise<Merchant[]> {
  const rows = await listActiveMerchants(ctx.db);
  return rows.map((r) => ({ id: r.id, name: r.name, category: r.category }));
}

/** What the batch carries for each payment besides the transfer. */
type PaymentContext = {
  userId: string;
  business: LimitBusiness;
  passwordFree: boolean;
  merchantName: string;
};

// Merchants change rarely; a disabled merchant stops taking payments within this long.
const MERCHANT_CACHE_MS = 5_000;
// Customer account ids never change once opened, so they are kept for the process's life.
const ACCOUNT_CACHE_MAX = 100_000;

export type Payments = {
  pay(
    userId: string,
    input: PaymentInput,
    idempotencyKey: string,
    actor: { ip: string | null },
  ): Promise<PaymentResult>;
  close(): Promise<void>;
};

/** One per process: the payments' batcher, and small caches of merchants and account ids. */
export function createPayments(ctx: AppContext, opts: BatcherOptions = {}): Payments {
  // Payers whose limit usage row exists: their batches skip the statement that creates it.
  const knownUsageRows = new Set<string>();
  const batcher = new TransferBatcher<PaymentContext>(
    { db: ctx.db, clock: ctx.clock },
    {
      // The limits, decided in the batch's transaction: the payers' usage rows are locked before
      // the accounts, each payment the ledger would take is checked and counted in arrival
      // order, and the new figures go in with the batch's write statement. The payer's 付款成功
      // notice goes in with it too (in the app; for payers who also take SMS or e-mail, the
      // balance-notice loop sends it on every channel), so nothing reads the payment back for it.
      gate: (items, now) => {
        const payers = items.map((i) => i.context.userId);
        const limits = planLimitGate(payers, now, knownUsageRows);
        return {
          statements: [...limits.statements, payerPreferences([...new Set(payers)])],
          open(results) {
            const gate = limits.open(results.slice(0, limits.statements.length));
            const payerRows = (results[limits.statements.length]?.rows ?? []) as {
              id: string;
              preferences: Preferences | null;
            }[];
            const preferences = new Map(payerRows.map((r) => [r.id, r.preferences]));
            const inAppOnly = new Set(
              payerRows.filter((r) => balanceNoticesInAppOnly(r.preferences)).map((r) => r.id),
            );
            const noticed = (i: BatchItem<PaymentContext>) => inAppOnly.has(i.context.userId);
            return {
              admit: (i) =>
                gate.admit({
                  userId: i.context.userId,
                  business: i.context.business,
                  amount: i.request.amount,
                  passwordFree: i.context.passwordFree,
                }),
              noticed,
              write(written) {
                // The notice the balance-notice loop would write for the payer's entry.
                const notices = written
                  .filter((w) => noticed(w.item))
                  .map(({ item: i, debitBalanceAfter }) => ({
                    userId: i.context.userId,
                    item: {
                      // Dated by the payment (its entries' time), as the notice loop dates its own.
                      at: now,
                      ...balanceNotice({
                        type: "payment",
                        amount: -i.request.amount,
                        balanceAfter: debitBalanceAfter,
                        currency: i.request.currency,
                        counterparty: {
                          kind: "merchant",
                          merchantName: i.context.merchantName,
                          name: null,
                          phone: null,
                        },
                        preferences: preferences.get(i.context.userId) ?? null,
                      }),
                    },
                  }));
                return [gate.write(), inboxInsert(notices)].filter((w) => w !== null);
              },
            };
          },
        };
      },
      // A customer's limit usage is locked by one batch at a time.
      lockKey: (item) => item.context.userId,
    },
    opts,
  );
  const merchants = new Map<string, { row: MerchantRow | undefined; at: number }>();
  const accounts = new Map<string, string>();

  async function merchant(id: string): Promise<MerchantRow> {
    const now = Date.now();
    let cached = merchants.get(id);
    if (!cached || now - cached.at > MERCHANT_CACHE_MS) {
      cached = { row: await findMerchant(ctx.db, id), at: now };
      merchants.set(id, cached);
    }
    if (cached.row?.status !== "active") {
      throw new DomainError("not_found", { detail: "no such merchant", field: "merchantId" });
    }
    return cached.row;
  }

  async function accountOf(userId: string, currency: string): Promise<string> {
    const key = `${userId}:${currency}`;
    const known = accounts.get(key);
    if (known) return known;
    // Nearly every payer has an account already: one read, and the insert only when it is missing.
    const account =
      (await findCustomerAccount(ctx, userId, currency)) ??
      (await openAccount(ctx, { ownerUserId: userId, currency }));
    if (accounts.size >= ACCOUNT_CACHE_MAX) accounts.clear();
    accounts.set(key, account.id);
    return account.id;
  }

  return {
    async pay(userId, input, idempotencyKey, actor) {
      const m = await merchant(input.merchantId);
      const passwordFree = input.paymentPassword === undefined;
      if (!passwordFree) {
        await verifyPaymentPassword(ctx.db, ctx, userId, input.paymentPassword as string, actor);
      }
      const debit = await accountOf(userId, input.currency);
      const { transfer, replayed } = await batcher.submit(
        {
          // Its own namespace: a client may reuse a key across transfers and payments.
          idempotencyKey: `wallet:${userId}:payment:${idempotencyKey}`,
          type: "payment",
          debitAccountId: debit,
          creditAccountId: m.account_id,
          amount: input.amount,
          currency: input.currency,
          ...(input.memo ? { memo: input.memo } : {}),
          metadata: {
            merchantId: m.id,
            passwordFree,
            ...(input.orderRef ? { orderRef: input.orderRef } : {}),
          },
        },
        { userId, business: businessOf(m.category), passwordFree, merchantName: m.name },
      );
      return {
        id: transfer.id,
        status: "succeeded",
        passwordFree: transfer.metadata.passwordFree === true,
        replayed,
      };
    },
    close: () => batcher.close(),
  };
}
