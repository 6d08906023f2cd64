// SQL for withdrawals: the customer's requests, their card, and what the bank job scans.
import type { Executor, Tx } from "../../db/database.js";
import type { WithdrawalStatus } from "../../db/schema.js";
import type { TimeCursor } from "../../http/cursor.js";
import { checkOtp, type OtpCheck, spendOtp } from "../identity/index.js";

export type WithdrawalRow = {
  id: string;
  user_id: string;
  bank_card_id: string;
  amount: bigint;
  fee: bigint;
  currency: string;
  status: WithdrawalStatus;
  failure_reason: string | null;
  idempotency_key: string;
  hold_id: string;
  review_item_id: string | null;
  bank_payout_id: string | null;
  submitted_at: Date | null;
  created_at: Date;
  updated_at: Date;
};

export type WithdrawalWithCard = WithdrawalRow & { card_last4: string; card_bank_name: string | null };

/** Inserts the withdrawal unless the customer already used this Idempotency-Key; undefined then. */
export async function insertWithdrawal(
  tx: Tx,
  w: {
    id: string;
    userId: string;
    bankCardId: string;
    amount: bigint;
    fee: bigint;
    currency: string;
    status: WithdrawalStatus;
    idempotencyKey: string;
    holdId: string;
    now: Date;
  },
): Promise<WithdrawalRow | undefined> {
  return tx
    .insertInto("withdrawals")
    .values({
      id: w.id,
      user_id: w.userId,
      bank_card_id: w.bankCardId,
      amount: w.amount,
      fee: w.fee,
      currency: w.currency,
      status: w.status,
      idempotency_key: w.idempotencyKey,
      hold_id: w.holdId,
      created_at: w.now,
      updated_at: w.now,
    })
    .onConflict((oc) => oc.columns(["user_id", "idempotency_key"]).doNothing())
    .returningAll()
    .executeTakeFirst();
}

export function findWithdrawalByKey(
  db: Executor,
  userId: string,
  idempotencyKey: string,
): Promise<WithdrawalRow | undefined> {
  return db
    .selectFrom("withdrawals")
    .selectAll()
    .where("user_id", "=", userId)
    .where("idempotency_key", "=", idempotencyKey)
    .executeTakeFirst();
}

export function findWithdrawal(
  db: Executor,
  id: string,
  opts: { forUpdate?: boolean } = {},
): Promise<WithdrawalRow | undefined> {
  const q = db.selectFrom("withdrawals").selectAll().where("id", "=", id);
  return (opts.forUpdate ? q.forUpdate() : q).executeTakeFirst();
}

function selectWithCard(db: Executor) {
  return db
    .selectFrom("withdrawals as w")
    .innerJoin("bank_cards as c", "c.id", "w.bank_card_id")
    .selectAll("w")
    .select(["c.last4 as card_last4", "c.bank_name as card_bank_name"]);
}

export function findWithdrawalWithCard(db: Executor, id: string): Promise<WithdrawalWithCard | undefined> {
  return selectWithCard(db).where("w.id", "=", id).executeTakeFirst();
}

/** One page plus one row, newest first, keyset on (created_at, id). */
export function listWithdrawalRows(
  db: Executor,
  userId: string,
  q: { after?: TimeCursor; limit: number },
): Promise<WithdrawalWithCard[]> {
  let query = selectWithCard(db)
    .where("w.user_id", "=", userId)
    .orderBy("w.created_at", "desc")
    .orderBy("w.id", "desc")
    .limit(q.limit + 1);
  const after = q.after;
  if (after) {
    query = query.where((eb) =>
      eb.or([
        eb("w.created_at", "<", after.at),
        eb.and([eb("w.created_at", "=", after.at), eb("w.id", "<", after.id)]),
      ]),
    );
  }
  return query.execute();
}

export async function setWithdrawalStatus(
  tx: Tx,
  id: string,
  change: { status: WithdrawalStatus; failureReason?: string | null; reviewItemId?: string; now: Date },
): Promise<void> {
  await tx
    .updateTable("withdrawals")
    .set({
      status: change.status,
      updated_at: change.now,
      ...(change.failureReason !== undefined ? { failure_reason: change.failureReason } : {}),
      ...(change.reviewItemId !== undefined ? { review_item_id: change.reviewItemId } : {}),
    })
    .where("id", "=", id)
    .execute();
}

/** Records the bank's payout id once; a second submission of the same withdrawal changes nothing. */
export async function attachPayout(db: Executor, id: string, payoutId: string, now: Date): Promise<boolean> {
  const row = await db
    .updateTable("withdrawals")
    .set({ bank_payout_id: payoutId, submitted_at: now })
    .where("id", "=", id)
    .where("bank_payout_id", "is", null)
    .returning("id")
    .executeTakeFirst();
  return row !== undefined;
}

/** Withdrawals with the bank (or waiting to be sent to it), oldest first. */
export function listProcessingWithdrawals(db: Executor, limit: number): Promise<WithdrawalRow[]> {
  return db
    .selectFrom("withdrawals")
    .selectAll()
    .where("status", "=", "processing")
    .orderBy("updated_at")
    .limit(limit)
    .execute();
}

/** Withdrawals still under review that were asked for before `before`. */
export function listUnderReviewBefore(db: Executor, before: Date, limit: number): Promise<WithdrawalRow[]> {
  return db
    .selectFrom("withdrawals")
    .selectAll()
    .where("status", "=", "under_review")
    .where("created_at", "<", before)
    .orderBy("created_at")
    .limit(limit)
    .execute();
}

export type CardForWithdrawal = {
  id: string;
  user_id: string;
  card_enc: Buffer;
  last4: string;
  holder_name: string;
  bank_name: string | null;
  removed_at: Date | null;
};

/** A live card of this customer, or undefined (another customer's card is as absent as none). */
export function findLiveCard(
  db: Executor,
  userId: string,
  cardId: string,
): Promise<CardForWithdrawal | undefined> {
  return db
    .selectFrom("bank_cards")
    .select(["id", "user_id", "card_enc", "last4", "holder_name", "bank_name", "removed_at"])
    .where("id", "=", cardId)
    .where("user_id", "=", userId)
    .where("removed_at", "is", null)
    .executeTakeFirst();
}

export function findCardById(db: Executor, cardId: string): Promise<CardForWithdrawal | undefined> {
  return db
    .selectFrom("bank_cards")
    .select(["id", "user_id", "card_enc", "last4", "holder_name", "bank_name", "removed_at"])
    .where("id", "=", cardId)
    .executeTakeFirst();
}

export type Withdrawer = {
  id: string;
  kind: string;
  status: string;
  name: string | null;
  phone: string | null;
  email: string | null;
  email_verified_at: Date | null;
  id_number_hash: string | null;
};

export function findWithdrawer(db: Executor, userId: string): Promise<Withdrawer | undefined> {
  return db
    .selectFrom("users")
    .select(["id", "kind", "status", "name", "phone", "email", "email_verified_at", "id_number_hash"])
    .where("id", "=", userId)
    .executeTakeFirst();
}

// --- the withdrawal's SMS code ---
//
// identity/otp.ts issues the code and keeps its rules; a withdrawal checks it first and spends it
// inside its own money transaction, so a refusal or a crash before the commit leaves it usable.

export const WITHDRAWAL_CODE_PURPOSE = "withdrawal";

export type CodeCheck = OtpCheck;

/**
 * Checks the code without spending it. A wrong guess is counted (and the fifth burns the code)
 * in the caller's transaction, which must commit whatever the withdrawal then does.
 */
export function checkWithdrawalCode(tx: Tx, phone: string, code: string, now: Date): Promise<CodeCheck> {
  return checkOtp(tx, now, { destination: phone, purpose: WITHDRAWAL_CODE_PURPOSE, code });
}

/** Spends the code inside the withdrawal's transaction: true when it was still live and right. */
export function spendWithdrawalCode(tx: Tx, phone: string, code: string, now: Date): Promise<boolean> {
  return spendOtp(tx, now, { destination: phone, purpose: WITHDRAWAL_CODE_PURPOSE, code });
}
