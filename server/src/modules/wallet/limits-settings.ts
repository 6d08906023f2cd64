// The customer's own daily cap on transfers to other customers: lower than the class allows,
// or removed (null). Changing it needs the payment password, is audited, and tells the customer.
import type { AppContext } from "../../context.js";
import { DomainError } from "../../http/errors.js";
import { verifyPaymentPassword } from "../identity/index.js";
import { channelsFor } from "../notify/index.js";
import { DAILY_TWO_FACTOR_LIMIT, formatFen, PASSWORD_FREE_BOUNDS } from "./limits.js";
import { lockSettings, updateSettings } from "./limits-store.js";
import { findUser } from "./store.js";

export async function setTransferDailyLimit(
  ctx: AppContext,
  userId: string,
  input: { amount: bigint | null; paymentPassword: string },
  actor: { ip: string | null },
): Promise<void> {
  if (input.amount !== null && (input.amount < 0n || input.amount > DAILY_TWO_FACTOR_LIMIT)) {
    throw new DomainError("validation_failed", {
      detail: `amount must be between 0 and ${DAILY_TWO_FACTOR_LIMIT} fen (the daily cap), or null`,
      field: "amount",
    });
  }
  await verifyPaymentPassword(ctx.db, ctx, userId, input.paymentPassword, actor);
  await ctx.db.transaction().execute(async (tx) => {
    const now = ctx.clock.now();
    const before = await lockSettings(
      tx,
      userId,
      { perPayment: PASSWORD_FREE_BOUNDS.defaultPerPayment, daily: PASSWORD_FREE_BOUNDS.defaultDaily },
      now,
    );
    await updateSettings(tx, userId, { transferDailyLimit: input.amount }, now);
    await ctx.audit.record(tx, {
      actor: { id: userId, kind: "customer", ip: actor.ip },
      action: "limits.transfer_daily_changed",
      target: { type: "user", id: userId },
      details: {
        before: before.transfer_daily_limit === null ? null : Number(before.transfer_daily_limit),
        after: input.amount === null ? null : Number(input.amount),
      },
    });
    const user = await findUser(tx, userId);
    if (!user) throw new DomainError("not_found");
    await ctx.notifier.notifyUser(tx, user, {
      kind: "security.transfer_limit_changed",
      title: "转账限额已修改",
      body:
        input.amount === null
          ? "您已取消自设的每日转账限额，按账户类别的每日限额执行。如非本人操作，请立即冻结账户。"
          : `您的每日转账限额已设为 ${formatFen(input.amount)}。如非本人操作，请立即冻结账户。`,
      ...(await channelsFor(tx, userId, "security")),
    });
  });
}
