import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCustomer } from "../../../test/factories.js";
import { createTestApp, type TestApp } from "../../../test/harness.js";
import { passesLuhn } from "./bank-cards.js";
import { idNumberCheckChar } from "./id-number.js";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

/** Appends the Luhn check digit to `body`. */
function cardNumber(body: string): string {
  for (let d = 0; d <= 9; d++) if (passesLuhn(`${body}${d}`)) return `${body}${d}`;
  throw new Error("unreachable");
}

const CARD = cardNumber("622202020000123456"); // 19 digits, a UnionPay debit number

describe("the Luhn check", () => {
  it("accepts well-known test numbers and refuses a changed digit", () => {
    expect(passesLuhn("4111111111111111")).toBe(true);
    expect(passesLuhn("79927398713")).toBe(true);
    expect(passesLuhn("4111111111111112")).toBe(false);
    expect(passesLuhn(CARD)).toBe(true);
  });
});

describe("bank cards", () => {
  it("binds a card, shows it only masked, and keeps the number encrypted at rest", async () => {
    const c = await createCustomer(t, { name: "张三" });
    const res = await c.client.post("/api/v1/me/bank-cards", {
      cardNumber: CARD.replace(/(\d{4})/g, "$1 ").trim(),
      holderName: "张三",
      bankName: "工商银行",
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({ id: expect.any(String), masked: `**** ${CARD.slice(-4)}` });

    const list = await c.client.get("/api/v1/me/bank-cards");
    expect(list.json()).toEqual({
      items: [
        {
          id: res.json().id,
          masked: `**** ${CARD.slice(-4)}`,
          holderName: "张*",
          bankName: "工商银行",
          createdAt: expect.any(String),
        },
      ],
    });
    expect(list.body).not.toContain(CARD);

    const row = await t.db
      .selectFrom("bank_cards")
      .selectAll()
      .where("id", "=", res.json().id)
      .executeTakeFirstOrThrow();
    const stored = JSON.stringify(row) + row.card_enc.toString("latin1") + row.card_enc.toString("hex");
    expect(stored).not.toContain(CARD);
    expect(stored).not.toContain(CARD.slice(0, 12));
    expect(t.ctx.crypto.decrypt(row.card_enc)).toBe(CARD);
    expect(row.card_hash).toBe(t.ctx.crypto.lookupHash(CARD));

    const audit = await t.db
      .selectFrom("audit_log")
      .select(["action", "details"])
      .where("actor_id", "=", c.user.id)
      .execute();
    expect(audit.map((a) => a.action)).toContain("bank_card.bound");
    const messages = await t.db.selectFrom("outbound_messages").select("body").execute();
    expect(JSON.stringify([audit, messages])).not.toContain(CARD);
  });

  it("tells the customer by SMS when a card is bound and when it is removed", async () => {
    const c = await createCustomer(t);
    const bound = await c.client.post("/api/v1/me/bank-cards", { cardNumber: CARD, holderName: "Li Si" });
    const removed = await c.client.delete(`/api/v1/me/bank-cards/${bound.json().id}`);
    expect(removed.statusCode).toBe(204);
    const sms = await t.client().get("/api/v1/dev/messages", { query: { to: c.user.phone ?? "" } });
    const bodies = sms
      .json()
      .items.map((m: { body: string }) => m.body)
      .join("\n");
    expect(bodies).toContain("银行卡已绑定");
    expect(bodies).toContain("银行卡已解绑");
    expect(bodies).toContain(`**** ${CARD.slice(-4)}`);
    expect((await c.client.get("/api/v1/me/bank-cards")).json().items).toEqual([]);
  });

  it("refuses the same card twice, but binds it again after it was removed", async () => {
    const c = await createCustomer(t);
    const first = await c.client.post("/api/v1/me/bank-cards", { cardNumber: CARD, holderName: "Wang Wu" });
    const again = await c.client.post("/api/v1/me/bank-cards", { cardNumber: CARD, holderName: "Wang Wu" });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe("card_already_bound");
    await c.client.delete(`/api/v1/me/bank-cards/${first.json().id}`);
    const rebound = await c.client.post("/api/v1/me/bank-cards", { cardNumber: CARD, holderName: "Wang Wu" });
    expect(rebound.statusCode).toBe(201);
    const rows = await t.db
      .selectFrom("bank_cards")
      .select("removed_at")
      .where("user_id", "=", c.user.id)
      .execute();
    expect(rows).toHaveLength(2);
  });

  it("requires the holder to be the verified name once an ID number is on file", async () => {
    const c = await createCustomer(t, { name: "赵六" });
    const first17 = "11010519900307123";
    const id = `${first17}${idNumberCheckChar(first17)}`;
    await t.db
      .updateTable("users")
      .set({ id_number_enc: t.ctx.crypto.encrypt(id), id_number_hash: t.ctx.crypto.lookupHash(id) })
      .where("id", "=", c.user.id)
      .execute();
    const other = await c.client.post("/api/v1/me/bank-cards", { cardNumber: CARD, holderName: "钱七" });
    expect(other.statusCode).toBe(400);
    expect(other.json().code).toBe("holder_name_mismatch");
    const own = await c.client.post("/api/v1/me/bank-cards", { cardNumber: CARD, holderName: " 赵六 " });
    expect(own.statusCode).toBe(201);
  });

  it("does not let one customer remove another's card", async () => {
    const owner = await createCustomer(t);
    const stranger = await createCustomer(t);
    const card = await owner.client.post("/api/v1/me/bank-cards", { cardNumber: CARD, holderName: "Owner" });
    const res = await stranger.client.delete(`/api/v1/me/bank-cards/${card.json().id}`);
    expect(res.statusCode).toBe(404);
    expect((await owner.client.get("/api/v1/me/bank-cards")).json().items).toHaveLength(1);
  });

  it.each([
    [
      "a number that fails the Luhn check",
      { cardNumber: "4111111111111112", holderName: "A" },
      "invalid_card_number",
    ],
    ["eleven digits", { cardNumber: cardNumber("4111111111"), holderName: "A" }, "invalid_card_number"],
    [
      "twenty digits",
      { cardNumber: cardNumber("4111111111111111111"), holderName: "A" },
      "invalid_card_number",
    ],
    ["letters", { cardNumber: "4111-1111-1111-111a", holderName: "A" }, "invalid_card_number"],
    ["a numeric card number", { cardNumber: 4111111111111111, holderName: "A" }, "validation_failed"],
    ["a missing holder", { cardNumber: CARD }, "validation_failed"],
    ["a blank holder", { cardNumber: CARD, holderName: "   " }, "validation_failed"],
    ["an oversize holder", { cardNumber: CARD, holderName: "x".repeat(51) }, "validation_failed"],
    ["an oversize card number", { cardNumber: "4".repeat(5000), holderName: "A" }, "validation_failed"],
    ["an unknown field", { cardNumber: CARD, holderName: "A", cvv: "123" }, "validation_failed"],
    ["null", null, "validation_failed"],
  ])("refuses %s and stores nothing", async (_label, body, code) => {
    const c = await createCustomer(t);
    const res = await c.client.post("/api/v1/me/bank-cards", body);
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe(code);
    expect(res.body).not.toContain("4111111111111112");
    const rows = await t.db.selectFrom("bank_cards").select("id").where("user_id", "=", c.user.id).execute();
    expect(rows).toEqual([]);
  });

  it("answers 404 for a card id that is not a card", async () => {
    const c = await createCustomer(t);
    expect((await c.client.delete("/api/v1/me/bank-cards/not-a-uuid")).json().code).toBe("validation_failed");
    const res = await c.client.delete("/api/v1/me/bank-cards/00000000-0000-4000-8000-000000000000");
    expect(res.statusCode).toBe(404);
  });
});
