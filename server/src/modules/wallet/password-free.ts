// 小额免密: small payments without the payment password, only when the customer switched it on,
// within the customer's per-payment and daily caps (limits.ts enforces them in the payment).
// Changing the settings needs the payment password, is audited, and tells the customer.
import type { AppContext } from "../../context.js";
import { DomainError } from "../../http/errors.js";
import { verifyPaymentPassword } from "../identity/index.js";
import { channelsFor } from "../notify/index.js";
import { customerLimits, formatFen, PASSWORD_FREE_BOUNDS, passwordFreeUsedToday } from "./limits.js";
import { lockSettings, updateSettings } from "./limits-store.js";
import { findUser } from "./store.js";

export type PasswordFreeSettings = {
  enabled: boolean;
  perPaymentLimit: bigint;
  dailyLimit: bigint;
  usedToday: bigint;
};

export async function getPasswordFree(ctx: AppContext, userId: string): Promise<PasswordFreeSettings> {
  const limits = await customerLimits(ctx.db, userId);
  return {
    enabled: limits.passwordFree.enabled,
    perPaymentLimit: limits.passwordFree.perPayment,
    dailyLimit: limits.passwordFree.daily,
    usedToday: await passwordFreeUsedToday(ctx.db, userId, ctx.clock.now()),
  };
}

export type PasswordFreeInput = {
  enabled: boolean;
  perPaymentLimit: bigint;
  dailyLimit: bigint;
  paymentPassword: string;
};

/** Checks the caps against the bounds; the route's schema does too, this keeps the service safe. */
function checkCaps(input: { perPaymentLimit: bigint; dailyLimit: bigint }): void {
  const b = PASSWORD_FREE_BOUNDS;
  if (input.perPaymentLimit < 1n || input.perPaymentLimit > b.maxPerPayment) {
    throw new DomainError("validation_failed", {
      detail: `perPaymentLimit must be between 1 and ${b.maxPerPayment} fen`,
      field: "perPaymentLimit",
    });
  }
  if (input.dailyLimit < 1n || input.dailyLimit > b.maxDaily) {
    throw new DomainError("validation_failed", {
      detail: `dailyLimit must be between 1 and ${b.maxDaily} fen`,
      field: "dailyLimit",
    });
  }
  if (input.perPaymentLimit > input.dailyLimit) {
    throw new DomainError("validation_failed", {
      detail: "perPaymentLimit must not be above dailyLimit",
      field: "perPaymentLimit",
    });
  }
}

export async function setPasswordFree(
  ctx: AppContext,
  userId: string,
  input: PasswordFreeInput,
  actor: { ip: string | null },
): Promise<void> {
  checkCaps(input);
  await verifyPaymentPassword(ctx.db, ctx, userId, input.paymentPassword, actor);
  await ctx.db.transaction().execute(async (tx) => {
    const now = ctx.clock.now();
    const before = await lockSettings(
      tx,
      userId,
      { perPayment: PASSWORD_FREE_BOUNDS.defaultPerPayment, daily: PASSWORD_FREE_BOUNDS.defaultDaily },
      now,
    );
    await updateSettings(
      tx,
      userId,
      {
        passwordFree: { enabled: input.enabled, perPayment: input.perPaymentLimit, daily: input.dailyLimit },
      },
      now,
    );
    await ctx.audit.record(tx, {
      actor: { id: userId, kind: "customer", ip: actor.ip },
      action: "password_free.changed",
      target: { type: "user", id: userId },
      details: {
        before: {
          enabled: before.password_free_enabled,
          perPaymentLimit: Number(before.password_free_per_payment),
          dailyLimit: Number(before.password_free_daily),
        },
        after: {
          enabled: input.enabled,
          perPaymentLimit: Number(input.perPaymentLimit),
          dailyLimit: Number(input.dailyLimit),
        },
      },
    });
    const user = await findUser(tx, userId);
    if (!user) throw new DomainError("not_found");
    const body = input.enabled
      ? `您已开通小额免密支付：单笔不超过 ${formatFen(input.perPaymentLimit)}，每日不超过 ${formatFen(input.dailyLimit)}。如非本人操作，请立即关闭并冻结账户。`
      : "您已关闭小额免密支付，之后每笔支付都需要输入支付密码。";
    await ctx.notifier.notifyUser(tx, user, {
      kind: "security.password_free_changed",
      title: input.enabled ? "小额免密已开通" : "小额免密已关闭",
      body,
      ...(await channelsFor(tx, userId, "security")),
    });
  });
}
