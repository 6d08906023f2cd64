// Helpers for limit tests: give a customer what OpenCounter checks for Class II or III.
import { randomBytes, randomUUID } from "node:crypto";
import type { TestApp } from "../../../test/harness.js";

/** A reviewed real name and ID number, as an approved profile change leaves them. */
export async function verifyIdentity(t: TestApp, userId: string, name = "张小三"): Promise<void> {
  const idNumber = `11010519491231${String(Math.floor(Math.random() * 10_000)).padStart(4, "0")}`;
  await t.db
    .updateTable("users")
    .set({
      name,
      id_number_enc: t.ctx.crypto.encrypt(idNumber),
      id_number_masked: "1****************4",
      id_number_hash: `test-${randomUUID()}`,
    })
    .where("id", "=", userId)
    .execute();
}

/** A live bank card with the given holder name. */
export async function bindCard(t: TestApp, userId: string, holderName: string): Promise<string> {
  const row = await t.db
    .insertInto("bank_cards")
    .values({
      user_id: userId,
      card_enc: t.ctx.crypto.encrypt("6222020000000000000"),
      card_hash: `test-${randomBytes(8).toString("hex")}`,
      last4: "0000",
      holder_name: holderName,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Class II: reviewed identity, bound phone, one card in the same name. */
export async function makeClassII(t: TestApp, userId: string, name = "张小三"): Promise<void> {
  await verifyIdentity(t, userId, name);
  await bindCard(t, userId, name);
}

/** Class III: Class II plus a second card in the same name and a verified email. */
export async function makeClassIII(t: TestApp, userId: string, name = "张小三"): Promise<void> {
  await makeClassII(t, userId, name);
  await bindCard(t, userId, name);
  await t.db
    .updateTable("users")
    .set({ email: `${randomUUID()}@example.test`, email_verified_at: t.clock.now() })
    .where("id", "=", userId)
    .execute();
}
