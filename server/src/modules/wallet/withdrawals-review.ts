// Registers what approving or rejecting a withdrawal review item does (imported for its effect).
import { registerReviewHandler } from "../reviews/index.js";
import { formatYuan } from "./service.js";
import { approveWithdrawal, rejectWithdrawal, submitToBank, WITHDRAWAL_REVIEW_KIND } from "./withdrawals.js";

function fen(value: unknown): bigint {
  return typeof value === "string" && /^\d{1,16}$/.test(value) ? BigInt(value) : 0n;
}

function withdrawalIdOf(payload: Record<string, unknown>): string {
  const id = payload.withdrawalId;
  if (typeof id !== "string") throw new Error("withdrawal review item without a withdrawalId");
  return id;
}

registerReviewHandler(WITHDRAWAL_REVIEW_KIND, {
  describe(item) {
    const amount = fen(item.payload.amount);
    const fee = fen(item.payload.fee);
    const last4 = typeof item.payload.cardLast4 === "string" ? item.payload.cardLast4 : "????";
    const bank = typeof item.payload.bankName === "string" ? item.payload.bankName : "";
    return {
      title: `提现 ${formatYuan(amount)} 至尾号 ${last4}`,
      // Only masked data: the card's last four digits and the holder's masked name.
      summary: {
        amount: formatYuan(amount),
        fee: formatYuan(fee),
        total: formatYuan(amount + fee),
        card: `**** ${last4}${bank ? ` ${bank}` : ""}`,
        holder: typeof item.payload.holderName === "string" ? item.payload.holderName : "",
      },
    };
  },
  approve: (tx, item, decision, ctx) =>
    approveWithdrawal(tx, ctx, withdrawalIdOf(item.payload), { id: decision.reviewerId }),
  reject: (tx, item, decision, ctx) =>
    rejectWithdrawal(tx, ctx, withdrawalIdOf(item.payload), {
      actor: { id: decision.reviewerId, kind: "staff" },
      reason: decision.reason ?? "审核未通过",
    }),
  // Straight to the bank once the approval is committed; the withdrawals job catches any miss.
  afterApproval: (item, ctx) => submitToBank(ctx, withdrawalIdOf(item.payload)),
});
