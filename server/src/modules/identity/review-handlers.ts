// What approving or rejecting the identity module's review items does. Registered when this
// file is imported (identity/index.ts does), so every built app knows them.
import type { AppContext } from "../../context.js";
import type { Tx } from "../../db/database.js";
import { DomainError } from "../../http/errors.js";
import { type ReviewDecision, type ReviewItem, registerReviewHandler } from "../reviews/index.js";
import {
  isUniqueViolation,
  lockAccount,
  otherUserHas,
  setIdNumber,
  setName,
  setStatus,
} from "./account-store.js";
import { PROFILE_CHANGE_KIND, profileChangePayload } from "./change-requests.js";
import { UNFREEZE_KIND, unfreezePayload } from "./freeze.js";
import { maskIdNumber, maskPhone } from "./mask.js";
import { notifySecurityEvent } from "./security-events.js";

const fieldLabel = { name: "姓名 / Name", idNumber: "身份证号码 / ID number" } as const;

async function subjectOf(tx: Tx, item: ReviewItem) {
  if (!item.subjectUserId) throw new DomainError("conflict", { detail: "The item has no customer" });
  const account = await lockAccount(tx, item.subjectUserId);
  if (!account) throw new DomainError("conflict", { detail: "The customer no longer exists" });
  return account;
}

const reviewerActor = (decision: ReviewDecision) => ({ id: decision.reviewerId, kind: "staff" as const });

function parseProfileChange(item: ReviewItem) {
  const payload = profileChangePayload.safeParse(item.payload);
  if (!payload.success) throw new DomainError("conflict", { detail: "The request is malformed" });
  return payload.data;
}

async function approveProfileChange(tx: Tx, item: ReviewItem, decision: ReviewDecision, ctx: AppContext) {
  const change = parseProfileChange(item);
  const account = await subjectOf(tx, item);
  const value = ctx.crypto.decrypt(Buffer.from(change.valueEnc, "base64"));
  const now = ctx.clock.now();
  switch (change.field) {
    case "name":
      await setName(tx, account.id, value, now);
      break;
    case "idNumber": {
      const hash = ctx.crypto.lookupHash(value);
      if (await otherUserHas(tx, account.id, "id_number_hash", hash)) {
        throw new DomainError("conflict", { detail: "Another account holds this ID number" });
      }
      try {
        await setIdNumber(
          tx,
          account.id,
          { enc: ctx.crypto.encrypt(value), masked: maskIdNumber(value), hash },
          now,
        );
      } catch (err) {
        // A concurrent approval for another account won the race; the reviewer's transaction rolls back.
        if (isUniqueViolation(err))
          throw new DomainError("conflict", { detail: "Another account holds this ID number" });
        throw err;
      }
      break;
    }
    default: {
      const never: never = change.field;
      return never;
    }
  }
  await ctx.audit.record(tx, {
    actor: reviewerActor(decision),
    action: "profile_change.applied",
    target: { type: "user", id: account.id },
    details: { reviewItemId: item.id, field: change.field, masked: change.masked },
  });
  await notifySecurityEvent(tx, ctx, account, { kind: "profile_change_approved", field: change.field });
}

registerReviewHandler(PROFILE_CHANGE_KIND, {
  describe(item): { title: string; summary: Record<string, string> } {
    const change = profileChangePayload.safeParse(item.payload);
    if (!change.success) return { title: "资料修改 / Profile change", summary: {} };
    return {
      title: `资料修改：${fieldLabel[change.data.field]}`,
      summary: { field: change.data.field, value: change.data.masked },
    };
  },
  approve: approveProfileChange,
  async reject(tx, item, decision, ctx) {
    const change = parseProfileChange(item);
    const account = await subjectOf(tx, item);
    await notifySecurityEvent(tx, ctx, account, {
      kind: "profile_change_rejected",
      field: change.field,
      reason: decision.reason,
    });
  },
});

registerReviewHandler(UNFREEZE_KIND, {
  describe(item): { title: string; summary: Record<string, string> } {
    const payload = unfreezePayload.safeParse(item.payload);
    return {
      title: "账户解冻 / Unfreeze account",
      summary: payload.success
        ? { phone: payload.data.phoneMasked, frozenAt: payload.data.frozenAt ?? "" }
        : {},
    };
  },
  async approve(tx, item, decision, ctx) {
    const account = await subjectOf(tx, item);
    if (account.status !== "frozen") {
      throw new DomainError("conflict", { detail: `The account is ${account.status}, not frozen` });
    }
    await setStatus(tx, account.id, "active", ctx.clock.now());
    await ctx.audit.record(tx, {
      actor: reviewerActor(decision),
      action: "account.unfrozen",
      target: { type: "user", id: account.id },
      details: { reviewItemId: item.id, phone: account.phone ? maskPhone(account.phone) : null },
    });
    await notifySecurityEvent(tx, ctx, account, { kind: "account_unfrozen" });
  },
  async reject(tx, item, decision, ctx) {
    const account = await subjectOf(tx, item);
    await notifySecurityEvent(tx, ctx, account, { kind: "unfreeze_rejected", reason: decision.reason });
  },
});
