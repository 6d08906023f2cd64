// SQL for the customer's security centre: account secrets, bindings, bank cards, uploads,
// preferences and the customer's own review items.
import { sql } from "kysely";
import type { Executor } from "../../db/database.js";
import type { Preferences, UserStatus } from "../../db/schema.js";

const accountColumns = [
  "id",
  "kind",
  "phone",
  "email",
  "name",
  "status",
  "frozen_at",
  "password_hash",
  "payment_password_hash",
  "payment_failed_count",
  "payment_lock_level",
  "payment_locked_until",
  "id_number_enc",
  "id_number_hash",
  "verification_level",
] as const;

export function findAccount(db: Executor, userId: string) {
  return db.selectFrom("users").select(accountColumns).where("id", "=", userId).executeTakeFirst();
}

export type AccountRow = NonNullable<Awaited<ReturnType<typeof findAccount>>>;

/**
 * Reads the account and holds its row until the transaction ends: one change at a time.
 * FOR NO KEY UPDATE, not FOR UPDATE: the id never changes, so rows that merely reference the
 * user (a notification, a limit counter) need not wait. FOR UPDATE would block their foreign-key
 * checks, and a payment-password check queued on a customer then deadlocked money transactions
 * that hold ledger account locks and insert such rows.
 */
export function lockAccount(db: Executor, userId: string) {
  return db
    .selectFrom("users")
    .select(accountColumns)
    .where("id", "=", userId)
    .forNoKeyUpdate()
    .executeTakeFirst();
}

export function findAccountByPhone(db: Executor, phone: string) {
  return db.selectFrom("users").select(accountColumns).where("phone", "=", phone).executeTakeFirst();
}

export function findAccountByEmail(db: Executor, email: string) {
  return db.selectFrom("users").select(accountColumns).where("email", "=", email).executeTakeFirst();
}

export async function otherUserHas(
  db: Executor,
  userId: string,
  column: "phone" | "email" | "id_number_hash",
  value: string,
): Promise<boolean> {
  const row = await db
    .selectFrom("users")
    .select("id")
    .where(column, "=", value)
    .where("id", "!=", userId)
    .executeTakeFirst();
  return row !== undefined;
}

export async function setPaymentPasswordHash(db: Executor, userId: string, hash: string, now: Date) {
  await db
    .updateTable("users")
    .set({
      payment_password_hash: hash,
      payment_failed_count: 0,
      payment_lock_level: 0,
      payment_locked_until: null,
      updated_at: now,
    })
    .where("id", "=", userId)
    .execute();
}

export async function setPaymentThrottle(
  db: Executor,
  userId: string,
  state: { failedCount: number; lockLevel: number; lockedUntil: Date | null },
) {
  await db
    .updateTable("users")
    .set({
      payment_failed_count: state.failedCount,
      payment_lock_level: state.lockLevel,
      payment_locked_until: state.lockedUntil,
    })
    .where("id", "=", userId)
    .execute();
}

export async function setEmail(db: Executor, userId: string, email: string, now: Date) {
  await db
    .updateTable("users")
    .set({ email, email_verified_at: now, updated_at: now })
    .where("id", "=", userId)
    .execute();
}

export async function setPhone(db: Executor, userId: string, phone: string, now: Date) {
  await db.updateTable("users").set({ phone, updated_at: now }).where("id", "=", userId).execute();
}

export async function setName(db: Executor, userId: string, name: string, now: Date) {
  await db.updateTable("users").set({ name, updated_at: now }).where("id", "=", userId).execute();
}

export async function setIdNumber(
  db: Executor,
  userId: string,
  id: { enc: Buffer; masked: string; hash: string },
  now: Date,
) {
  await db
    .updateTable("users")
    .set((eb) => ({
      id_number_enc: id.enc,
      id_number_masked: id.masked,
      id_number_hash: id.hash,
      // A reviewed ID number (with its proof) makes the account real-name verified.
      verification_level: sql<number>`greatest(${eb.ref("verification_level")}, 2)`,
      updated_at: now,
    }))
    .where("id", "=", userId)
    .execute();
}

export async function setStatus(db: Executor, userId: string, status: UserStatus, now: Date) {
  await db
    .updateTable("users")
    .set({ status, frozen_at: status === "frozen" ? now : null, updated_at: now })
    .where("id", "=", userId)
    .execute();
}

/** Shallow-merges `patch` into the stored preferences and returns the result. */
export async function mergePreferences(
  db: Executor,
  userId: string,
  patch: Preferences,
  now: Date,
): Promise<Preferences> {
  const row = await db
    .updateTable("users")
    .set({
      preferences: sql<string>`preferences || ${JSON.stringify(patch)}::jsonb`,
      updated_at: now,
    })
    .where("id", "=", userId)
    .returning("preferences")
    .executeTakeFirstOrThrow();
  return row.preferences;
}

export async function insertBankCard(
  db: Executor,
  card: {
    userId: string;
    enc: Buffer;
    hash: string;
    last4: string;
    holderName: string;
    bankName: string | null;
    now: Date;
  },
): Promise<string> {
  const row = await db
    .insertInto("bank_cards")
    .values({
      user_id: card.userId,
      card_enc: card.enc,
      card_hash: card.hash,
      last4: card.last4,
      holder_name: card.holderName,
      bank_name: card.bankName,
      created_at: card.now,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

export function listLiveBankCards(db: Executor, userId: string) {
  return db
    .selectFrom("bank_cards")
    .select(["id", "last4", "holder_name", "bank_name", "created_at"])
    .where("user_id", "=", userId)
    .where("removed_at", "is", null)
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .execute();
}

export async function countLiveBankCards(db: Executor, userId: string): Promise<number> {
  const row = await db
    .selectFrom("bank_cards")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .where("user_id", "=", userId)
    .where("removed_at", "is", null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function liveCardWithHash(db: Executor, userId: string, hash: string): Promise<boolean> {
  const row = await db
    .selectFrom("bank_cards")
    .select("id")
    .where("user_id", "=", userId)
    .where("card_hash", "=", hash)
    .where("removed_at", "is", null)
    .executeTakeFirst();
  return row !== undefined;
}

/** Soft-removes the user's live card; returns its last four digits, or null when there is none. */
export async function removeBankCard(
  db: Executor,
  userId: string,
  cardId: string,
  now: Date,
): Promise<string | null> {
  const row = await db
    .updateTable("bank_cards")
    .set({ removed_at: now })
    .where("id", "=", cardId)
    .where("user_id", "=", userId)
    .where("removed_at", "is", null)
    .returning("last4")
    .executeTakeFirst();
  return row?.last4 ?? null;
}

export async function insertFile(
  db: Executor,
  file: { ownerUserId: string; contentType: string; data: Buffer; sha256: string; now: Date },
): Promise<string> {
  const row = await db
    .insertInto("files")
    .values({
      owner_user_id: file.ownerUserId,
      content_type: file.contentType,
      size: file.data.length,
      sha256: file.sha256,
      data: file.data,
      created_at: file.now,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

/** The user's pending review item of `kind` (and, for profile changes, of that field). */
export async function findPendingReview(
  db: Executor,
  userId: string,
  kind: string,
  field?: string,
): Promise<string | null> {
  let q = db
    .selectFrom("review_items")
    .select("id")
    .where("subject_user_id", "=", userId)
    .where("kind", "=", kind)
    .where("status", "=", "pending");
  if (field !== undefined) q = q.where(sql<string>`payload->>'field'`, "=", field);
  const row = await q.limit(1).executeTakeFirst();
  return row?.id ?? null;
}

export function listReviewItemsOf(db: Executor, userId: string, kind: string, limit: number) {
  return db
    .selectFrom("review_items")
    .select(["id", "payload", "status", "decision_reason", "created_at", "decided_at"])
    .where("subject_user_id", "=", userId)
    .where("kind", "=", kind)
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(limit)
    .execute();
}

/** True when `err` is PostgreSQL's unique-violation, optionally on one named constraint. */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  if (typeof err !== "object" || err === null) return false;
  const e = err as { code?: unknown; constraint?: unknown };
  return e.code === "23505" && (constraint === undefined || e.constraint === constraint);
}
