// Changing the legal name or ID number: the customer uploads proof, a reviewer decides.
import { z } from "zod";
import type { AppContext } from "../../context.js";
import { DomainError } from "../../http/errors.js";
import { createReviewItem } from "../reviews/index.js";
import { findPendingReview, listReviewItemsOf, lockAccount } from "./account-store.js";
import { idNumberProblem, normaliseIdNumber } from "./id-number.js";
import { maskIdNumber, maskName } from "./mask.js";
import type { ProfileField } from "./security-events.js";
import { type MultipartForm, storeProofFile } from "./uploads.js";

export const PROFILE_CHANGE_KIND = "profile_change";
export const profileFields = ["name", "idNumber"] as const satisfies readonly ProfileField[];

/** What a profile_change review item carries: the new value only encrypted, and masked. */
export const profileChangePayload = z.object({
  field: z.enum(profileFields),
  valueEnc: z.string().min(1),
  masked: z.string(),
  proofFileId: z.uuid(),
});
export type ProfileChangePayload = z.infer<typeof profileChangePayload>;

// Han characters, letters, the middle dot of transliterated names, spaces, apostrophes, hyphens.
const NAME_PATTERN = /^[\p{Script=Han}\p{L}·・.' -]{1,50}$/u;

const formSchema = z
  .object({
    field: z.enum(profileFields),
    value: z.string().min(1).max(100),
  })
  .strict();

export type Actor = { id: string; ip: string | null };

/** Turns the submitted value into its stored form, or throws the matching 400. */
function normaliseValue(field: ProfileField, value: string, today: Date): string {
  switch (field) {
    case "name": {
      const name = value.trim().replace(/\s+/g, " ");
      if (!NAME_PATTERN.test(name) || !/\p{L}/u.test(name)) {
        throw new DomainError("validation_failed", {
          detail: "The name may hold letters, Chinese characters, spaces, · and -",
          errors: [{ in: "body", path: "value", message: "not a name" }],
        });
      }
      return name;
    }
    case "idNumber": {
      const id = normaliseIdNumber(value);
      const problem = idNumberProblem(id, today);
      if (problem) throw new DomainError("invalid_id_number", { reason: problem });
      return id;
    }
    default: {
      const never: never = field;
      return never;
    }
  }
}

export function maskProfileValue(field: ProfileField, value: string): string {
  return field === "name" ? maskName(value) : maskIdNumber(value);
}

export async function submitChangeRequest(
  ctx: AppContext,
  actor: Actor,
  form: MultipartForm,
): Promise<{ id: string; status: "pending" }> {
  const parsed = formSchema.safeParse(Object.fromEntries(form.fields));
  if (!parsed.success) {
    throw new DomainError("validation_failed", {
      detail: "field must be name or idNumber, with a value",
      errors: parsed.error.issues.map((i) => ({ in: "body", path: i.path.join("."), message: i.message })),
    });
  }
  if (form.file?.field !== "proof") {
    throw new DomainError("validation_failed", {
      detail: "Attach the proof as the file field `proof`",
      errors: [{ in: "body", path: "proof", message: "required" }],
    });
  }
  const { field } = parsed.data;
  const value = normaliseValue(field, parsed.data.value, ctx.clock.now());
  const masked = maskProfileValue(field, value);
  const proof = form.file.data;
  return ctx.db.transaction().execute(async (tx) => {
    // Holding the account row makes "one pending request per field" hold under concurrency.
    const account = await lockAccount(tx, actor.id);
    if (!account) throw new DomainError("not_found");
    if (await findPendingReview(tx, actor.id, PROFILE_CHANGE_KIND, field)) {
      throw new DomainError("conflict", { detail: "A change of this field is already waiting for review" });
    }
    const now = ctx.clock.now();
    const file = await storeProofFile(tx, actor.id, proof, now);
    const payload: ProfileChangePayload = {
      field,
      valueEnc: ctx.crypto.encrypt(value).toString("base64"),
      masked,
      proofFileId: file.id,
    };
    const id = await createReviewItem(tx, {
      kind: PROFILE_CHANGE_KIND,
      subjectUserId: actor.id,
      payload,
      createdBy: actor.id,
    });
    await ctx.audit.record(tx, {
      actor: { id: actor.id, kind: "customer", ip: actor.ip },
      action: "profile_change.requested",
      target: { type: "review_item", id },
      details: { field, masked, proofFileId: file.id, contentType: file.contentType },
    });
    return { id, status: "pending" as const };
  });
}

export async function listChangeRequests(ctx: AppContext, userId: string) {
  const rows = await listReviewItemsOf(ctx.db, userId, PROFILE_CHANGE_KIND, 50);
  return rows.flatMap((r) => {
    const payload = profileChangePayload.safeParse(r.payload);
    if (!payload.success) return [];
    return [
      {
        id: r.id,
        field: payload.data.field,
        value: payload.data.masked,
        status: r.status,
        reason: r.decision_reason,
        createdAt: r.created_at.toISOString(),
        decidedAt: r.decided_at?.toISOString() ?? null,
      },
    ];
  });
}
