// What the wallet needs from a bank that pays withdrawals out to cards. The sandbox bank is the
// only one so far; a real bank would be another adapter behind the same shape.
import type { AppContext } from "../../../context.js";
import { DomainError } from "../../../http/errors.js";
import { type PayoutReport, querySandboxPayout, submitSandboxPayout } from "./service.js";

export {
  FAILING_FEN,
  failureFor,
  type PayoutReport,
  type PayoutStatus,
  SETTLE_AFTER_MS,
  settleDueSandboxPayouts,
} from "./service.js";

export type PayoutOrder = { merchantOrderId: string; amount: bigint; currency: string; cardNumber: string };

export type PayoutBank = {
  /** Accepts (or, for the same order, finds again) a payout; it settles later. */
  submitPayout(order: PayoutOrder): Promise<PayoutReport>;
  /** The bank's current word on a payout, or null when it does not know it. */
  queryPayout(payoutId: string): Promise<PayoutReport | null>;
};

export function payoutBank(ctx: Pick<AppContext, "db" | "clock" | "config">): PayoutBank {
  // The sandbox is a development stand-in: a production wallet never pays out through it.
  if (ctx.config.env === "production")
    throw new DomainError("not_available", { detail: "no payout bank configured" });
  return {
    submitPayout: (order) => submitSandboxPayout(ctx, order),
    queryPayout: (id) => querySandboxPayout(ctx, id),
  };
}
