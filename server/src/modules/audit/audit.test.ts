import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../../../test/harness.js";
import { manualClock } from "../../clock.js";
import { createDb, type Db } from "../../db/database.js";
import { canonicalJson, chainHash, GENESIS_HASH } from "./chain.js";
import { createAuditTrail, listAuditRows, verifyAuditChain } from "./index.js";

let db: Db;
beforeAll(async () => {
  db = createDb(await createTestDatabase(), 12).db;
});
afterAll(async () => {
  await db.destroy();
});

describe("the audit chain", () => {
  it("hashes the same content the same way whatever order its keys come in", () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[2,{"y":2,"z":1}]},"b":1}',
    );
    const fields = {
      at: new Date("2026-01-01T00:00:00Z"),
      actorId: null,
      actorKind: "system",
      action: "x",
      targetType: null,
      targetId: null,
      ip: null,
    };
    expect(chainHash(GENESIS_HASH, { ...fields, details: { a: 1, b: 2 } })).toBe(
      chainHash(GENESIS_HASH, { ...fields, details: { b: 2, a: 1 } }),
    );
    expect(chainHash(GENESIS_HASH, { ...fields, details: { a: 1 } })).not.toBe(
      chainHash("f".repeat(64), { ...fields, details: { a: 1 } }),
    );
  });

  it("keeps one unbroken chain when many requests append at once, in or out of a transaction", async () => {
    const audit = createAuditTrail(db, manualClock(new Date("2026-11-22T02:00:00Z")));
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        i % 2 === 0
          ? audit.record(db, { actor: { id: null, kind: "system" }, action: `parallel.${i}`, details: { i } })
          : db.transaction().execute((tx) =>
              audit.record(tx, {
                actor: { id: null, kind: "anonymous" },
                action: `parallel.${i}`,
                details: { i },
              }),
            ),
      ),
    );
    expect(await verifyAuditChain(db)).toEqual({ ok: true, rows: 20 });
  });

  it("appends nothing when the caller's transaction rolls back", async () => {
    const audit = createAuditTrail(db, manualClock());
    await expect(
      db.transaction().execute(async (tx) => {
        await audit.record(tx, { actor: { id: null, kind: "system" }, action: "rolled.back" });
        throw new Error("the change failed");
      }),
    ).rejects.toThrow("the change failed");
    expect(await listAuditRows(db, { limit: 10, action: "rolled." })).toEqual([]);
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });
});
