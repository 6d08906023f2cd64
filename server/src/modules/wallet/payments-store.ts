import { type RawBuilder, sql } from "kysely";
import { type Executor, pgArray, preparedStatement } from "../../db/database.js";
import type { MerchantCategory, Preferences } from "../../db/schema.js";

export type MerchantRow = {
  id: string;
  code: string;
  name: string;
  category: MerchantCategory;
  status: "active" | "disabled";
  account_id: string;
};

export function listActiveMerchants(db: Executor): Promise<MerchantRow[]> {
  return db
    .selectFrom("merchants")
    .select(["id", "code", "name", "category", "status", "account_id"])
    .where("status", "=", "active")
    .orderBy("name")
    .orderBy("id")
    .execute();
}

export function findMerchant(db: Executor, id: string): Promise<MerchantRow | undefined> {
  return db
    .selectFrom("merchants")
    .select(["id", "code", "name", "category", "status", "account_id"])
    .where("id", "=", id)
    .executeTakeFirst();
}

export function findMerchantByCode(db: Executor, code: string): Promise<MerchantRow | undefined> {
  return db
    .selectFrom("merchants")
    .select(["id", "code", "name", "category", "status", "account_id"])
    .where("code", "=", code)
    .executeTakeFirst();
}

export async function insertMerchant(
  db: Executor,
  m: { code: string; name: string; category: MerchantCategory; accountId: string },
): Promise<void> {
  await db
    .insertInto("merchants")
    .values({ code: m.code, name: m.name, category: m.category, account_id: m.accountId })
    .onConflict((oc) => oc.column("code").doNothing())
    .execute();
}

/**
 * The payers' preferences (language, notice channels), for the notices a payment batch writes:
 * one statement of the batch's first round trip, through the users primary key.
 */
export function payerPreferences(
  userIds: string[],
): RawBuilder<{ id: string; preferences: Preferences | null }> {
  return sql<{ id: string; preferences: Preferences | null }>`${preparedStatement}
    select id, preferences from users where id = any(${pgArray(userIds)}::uuid[])`;
}
