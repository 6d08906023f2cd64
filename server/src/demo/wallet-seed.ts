// The demo customers' wallets: a first look at /wallet shows a balance and a history, not ¥0.00
// and "暂无交易记录". Every movement goes through the real paths — a sandbox top-up opened, paid
// on the sandbox gateway and settled from the gateway's signed answer; payments to the demo
// merchants; a transfer by phone number with the payment password — so the ledger, the limits,
// the notices and the audit trail hold exactly what a customer doing the same would leave.
// Each step has a fixed key and is skipped once it is done (its top-up settled, its transfer's key
// claimed — both looked up by key): a second start moves nothing and writes nothing.
import type { AppContext } from "../context.js";
import { gatewayFor } from "../modules/gateways/index.js";
import { finishSandboxPayment } from "../modules/gateways/sandbox/service.js";
import { setPaymentPasswordHash } from "../modules/identity/account-store.js";
import { transferPosted } from "../modules/ledger/index.js";
import { createPayments } from "../modules/wallet/payments.js";
import { transferToCustomer } from "../modules/wallet/service.js";
import { createTopup, settleTopup } from "../modules/wallet/topups.js";
import { findTopup, findTopupByKey } from "../modules/wallet/topups-store.js";

/** Both demo customers' six-digit payment password (printed with the demo logins). */
export const DEMO_PAYMENT_PASSWORD = "258036";

const SEED_ACTOR = { ip: null };

type Step =
  | { kind: "topup"; phone: string; key: string; fen: number }
  | { kind: "pay"; phone: string; key: string; merchant: string; fen: number; memo?: string }
  | { kind: "transfer"; phone: string; key: string; to: string; fen: number; memo: string };

/** In order: 张三 ends with ¥1,540.30, 李四 with ¥682.00. */
export const DEMO_WALLET_STEPS: readonly Step[] = [
  { kind: "topup", phone: "13800138000", key: "demo-wallet-topup-1", fen: 200_000 },
  { kind: "topup", phone: "13900139000", key: "demo-wallet-topup-1", fen: 50_000 },
  { kind: "pay", phone: "13800138000", key: "demo-wallet-pay-1", merchant: "demo-phone-topup", fen: 5_000 },
  {
    kind: "pay",
    phone: "13800138000",
    key: "demo-wallet-pay-2",
    merchant: "demo-convenience",
    fen: 2_350,
    memo: "早餐",
  },
  { kind: "pay", phone: "13800138000", key: "demo-wallet-pay-3", merchant: "demo-power", fen: 18_620 },
  {
    kind: "transfer",
    phone: "13800138000",
    key: "demo-wallet-transfer-1",
    to: "13900139000",
    fen: 20_000,
    memo: "周末聚餐 AA",
  },
  { kind: "pay", phone: "13900139000", key: "demo-wallet-pay-1", merchant: "demo-bakery", fen: 1_800 },
];

/** The ledger's idempotency key of a payment or transfer step, as the wallet's own code forms it. */
function ledgerKey(step: Exclude<Step, { kind: "topup" }>, userId: string): string {
  if (step.kind === "pay") return `wallet:${userId}:payment:${step.key}`;
  return `wallet:${userId}:${step.key}`;
}

export async function seedDemoWallets(ctx: AppContext): Promise<void> {
  const users = await ctx.db
    .selectFrom("users")
    .select(["id", "phone", "payment_password_hash"])
    .where("kind", "=", "customer")
    .where(
      "phone",
      "in",
      DEMO_WALLET_STEPS.map((s) => s.phone),
    )
    .execute();
  const byPhone = new Map(users.map((u) => [u.phone, u]));
  // Set only where none is: a demo customer who chose their own keeps it.
  for (const u of users) {
    if (u.payment_password_hash) continue;
    const hash = await ctx.crypto.hashPassword(DEMO_PAYMENT_PASSWORD);
    await setPaymentPasswordHash(ctx.db, u.id, hash, ctx.clock.now());
    u.payment_password_hash = hash;
  }
  const merchants = new Map(
    (await ctx.db.selectFrom("merchants").select(["id", "code"]).execute()).map((m) => [m.code, m.id]),
  );
  const payments = createPayments(ctx);
  try {
    for (const step of DEMO_WALLET_STEPS) {
      const user = byPhone.get(step.phone);
      if (!user) continue;
      if (step.kind === "topup") {
        // A settled top-up is done (it is credited in the transaction that settles it).
        let row = await findTopupByKey(ctx.db, user.id, step.key);
        if (row && row.status !== "pending") continue;
        if (!row?.gateway_payment_id) {
          const { topup } = await createTopup(ctx, user.id, step.key, {
            amount: step.fen,
            currency: "CNY",
            method: "sandbox",
          });
          row = await findTopup(ctx.db, topup.id);
        }
        const paymentId = row?.gateway_payment_id;
        if (!paymentId) throw new Error("demo top-up has no gateway payment");
        // The customer pays on the sandbox's page; the wallet settles from the gateway's signed
        // answer to its query, as the pending-top-up job does when a notification is late.
        await finishSandboxPayment(ctx, paymentId, "paid", () => false);
        const report = await gatewayFor(ctx, "sandbox").queryPayment(paymentId);
        if (!report) throw new Error("the sandbox gateway does not know the demo top-up's payment");
        await settleTopup(ctx, report);
        continue;
      }
      if (await transferPosted(ctx, ledgerKey(step, user.id))) continue;
      if (step.kind === "pay") {
        const merchantId = merchants.get(step.merchant);
        if (!merchantId) throw new Error(`demo merchant ${step.merchant} is missing`);
        await payments.pay(
          user.id,
          {
            merchantId,
            amount: BigInt(step.fen),
            currency: "CNY",
            paymentPassword: DEMO_PAYMENT_PASSWORD,
            ...(step.memo ? { memo: step.memo } : {}),
          },
          step.key,
          SEED_ACTOR,
        );
      } else {
        await transferToCustomer(
          ctx,
          user.id,
          {
            to: step.to,
            amount: BigInt(step.fen),
            currency: "CNY",
            paymentPassword: DEMO_PAYMENT_PASSWORD,
            memo: step.memo,
          },
          step.key,
          SEED_ACTOR,
        );
      }
    }
  } finally {
    await payments.close();
  }
}
