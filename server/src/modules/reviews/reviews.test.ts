import { createHash, randomBytes } from "node:crypto";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCustomer, createStaff } from "../../../test/factories.js";
import { createTestApp, type TestApp } from "../../../test/harness.js";
import { DomainError } from "../../http/errors.js";
import { createReviewItem, PROOF_FILE_KEY, registerReviewHandler } from "./registry.js";

// Test-only kinds, so this file does not depend on the modules that own real kinds.
registerReviewHandler("test_change", {
  describe: (item) => ({
    title: "Change of name (test)",
    summary: { newName: String(item.payload.newName ?? "") },
  }),
  async approve(tx, item) {
    if (!item.subjectUserId) return;
    await tx
      .updateTable("users")
      .set({ name: String(item.payload.newName) })
      .where("id", "=", item.subjectUserId)
      .execute();
  },
  async reject(tx, item, decision) {
    if (!item.subjectUserId) return;
    await tx
      .insertInto("notifications")
      .values({
        user_id: item.subjectUserId,
        kind: "test_change_rejected",
        title: "Rejected",
        body: decision.reason ?? "",
      })
      .execute();
  },
});

registerReviewHandler("test_failing", {
  describe: () => ({ title: "Always fails (test)", summary: {} }),
  async approve() {
    throw new DomainError("conflict", { detail: "the change no longer applies" });
  },
});

registerReviewHandler("test_same_ms", {
  describe: () => ({ title: "Made in the same millisecond (test)", summary: {} }),
  async approve() {},
});

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

async function newItem(
  subjectUserId: string,
  opts: {
    kind?: string;
    newName?: string;
    createdBy?: string | null;
    payload?: Record<string, unknown>;
    requiredApprovals?: number;
  } = {},
) {
  return createReviewItem(t.db, {
    kind: opts.kind ?? "test_change",
    subjectUserId,
    payload: opts.payload ?? { newName: opts.newName ?? "王五" },
    createdBy: opts.createdBy === undefined ? subjectUserId : opts.createdBy,
    ...(opts.requiredApprovals ? { requiredApprovals: opts.requiredApprovals } : {}),
  });
}

async function auditRows(action: string, targetId: string) {
  return t.db
    .selectFrom("audit_log")
    .selectAll()
    .where("action", "=", action)
    .where("target_id", "=", targetId)
    .execute();
}

async function statusOf(id: string) {
  const row = await t.db
    .selectFrom("review_items")
    .select("status")
    .where("id", "=", id)
    .executeTakeFirstOrThrow();
  return row.status;
}

describe("the review queue", () => {
  it("lists pending items oldest first, with the handler's title and a masked subject", async () => {
    const reviewer = await createStaff(t, { roles: ["reviewer"] });
    const customer = await createCustomer(t, { name: "张三丰" });
    const first = await newItem(customer.user.id, { newName: "张三" });
    const second = await newItem(customer.user.id, { newName: "李四" });

    const res = await reviewer.client.get("/api/v1/console/reviews", {
      query: { status: "pending", kind: "test_change" },
    });
    expect(res.statusCode).toBe(200);
    const ids = res.json().items.map((i: { id: string }) => i.id);
    expect(ids.indexOf(first)).toBeLessThan(ids.indexOf(second));
    const item = res.json().items.find((i: { id: string }) => i.id === first);
    expect(item).toMatchObject({
      kind: "test_change",
      title: "Change of name (test)",
      summary: { newName: "张三" },
      status: "pending",
      subject: { id: customer.user.id, name: "张*丰", phone: expect.stringMatching(/^\d{3}\*{4}\d{4}$/) },
      decidedBy: null,
      proofUrl: null,
    });
    expect(res.body).not.toContain(customer.user.phone ?? "-");
  });

  it("pages through the queue with an opaque cursor and can read newest first", async () => {
    const reviewer = await createStaff(t, { roles: ["reviewer"] });
    const customer = await createCustomer(t);
    const made = [];
    for (let i = 0; i < 3; i++)
      made.push(await newItem(customer.user.id, { kind: "test_failing", payload: {} }));

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: Record<string, string> = { kind: "test_failing", limit: "2", order: "newest" };
      if (cursor) query.cursor = cursor;
      const res = await reviewer.client.get("/api/v1/console/reviews", { query });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.items.length).toBeLessThanOrEqual(2);
      seen.push(...body.items.map((i: { id: string }) => i.id));
      cursor = body.nextCursor;
    } while (cursor);
    // Items made within one millisecond tie on created_at and follow their ids, so compare as sets;
    // every item once, none lost between pages.
    expect([...seen].sort()).toEqual([...made].sort());
  });

  it("loses no item between pages when several were made within one millisecond", async () => {
    const reviewer = await createStaff(t, { roles: ["reviewer"] });
    const customer = await createCustomer(t);
    const made: string[] = [];
    for (let i = 0; i < 3; i++)
      made.push(await newItem(customer.user.id, { kind: "test_same_ms", payload: {} }));
    // Microseconds apart, as now() stamps items made in quick succession.
    for (const [i, id] of made.entries()) {
      await sql`update review_items set created_at = ${`2026-11-22 02:00:00.123${400 + i}+00`}::timestamptz
                where id = ${id}`.execute(t.db);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: Record<string, string> = { kind: "test_same_ms", limit: "1", order: "newest" };
      if (cursor) query.cursor = cursor;
      const body = (await reviewer.client.get("/api/v1/console/reviews", { query })).json();
      seen.push(...body.items.map((i: { id: string }) => i.id));
      cursor = body.nextCursor;
    } while (cursor);
    expect([...seen].sort()).toEqual([...made].sort());
  });

  it("refuses a forged cursor and bad filters with stable codes", async () => {
    const reviewer = await createStaff(t, { roles: ["reviewer"] });
    const forged = await reviewer.client.get("/api/v1/console/reviews", {
      query: { cursor: "not-a-cursor" },
    });
    expect(forged.statusCode).toBe(400);
    expect(forged.json().code).toBe("bad_request");
    const bad: Record<string, string>[] = [
      { status: "maybe" },
      { limit: "0" },
      { limit: "101" },
      { kind: "DROP TABLE" },
    ];
    for (const query of bad) {
      const res = await reviewer.client.get("/api/v1/console/reviews", { query });
      expect(res.statusCode).toBe(400);
      expect(res.json().code).toBe("validation_failed");
    }
  });

  it("shows one item and records that a member of staff looked at it", async () => {
    const reviewer = await createStaff(t, { roles: ["reviewer"] });
    const customer = await createCustomer(t, { name: "赵六" });
    const id = await newItem(customer.user.id);
    const res = await reviewer.client.get(`/api/v1/console/reviews/${id}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id, subject: { name: "赵*" } });
    const audit = await auditRows("review.viewed", id);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor_id: reviewer.user.id, actor_kind: "staff" });

    const missing = await reviewer.client.get(`/api/v1/console/reviews/${crypto.randomUUID()}`);
    expect(missing.statusCode).toBe(404);
    const notUuid = await reviewer.client.get("/api/v1/console/reviews/123");
    expect(notUuid.json().code).toBe("validation_failed");
  });
});

describe("proof files", () => {
  it("streams the uploaded proof inline, unsniffable, and audits the read", async () => {
    const reviewer = await createStaff(t, { roles: ["reviewer"] });
    const customer = await createCustomer(t);
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4]);
    const file = await t.db
      .insertInto("files")
      .values({
        owner_user_id: customer.user.id,
        content_type: "image/png",
        size: bytes.length,
        sha256: createHash("sha256").update(bytes).digest("hex"),
        data: bytes,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const id = await newItem(customer.user.id, { payload: { newName: "X", [PROOF_FILE_KEY]: file.id } });

    const detail = await reviewer.client.get(`/api/v1/console/reviews/${id}`);
    expect(detail.json().proofUrl).toBe(`/api/v1/console/reviews/${id}/proof`);

    const res = await reviewer.client.get(`/api/v1/console/reviews/${id}/proof`);
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("image/png");
    expect(res.headers["content-disposition"]).toBe('inline; filename="proof.png"');
    expect(res.headers["x-content-type-options"]).toBe("nosniff");
    expect(res.rawPayload.equals(bytes)).toBe(true);
    const audit = await auditRows("review.proof_viewed", id);
    expect(audit).toHaveLength(1);
    expect(audit[0]?.details).toMatchObject({ fileId: file.id, subjectUserId: customer.user.id });
  });

  it("answers 404 for an item without a proof", async () => {
    const reviewer = await createStaff(t, { roles: ["reviewer"] });
    const customer = await createCustomer(t);
    const id = await newItem(customer.user.id);
    const res = await reviewer.client.get(`/api/v1/console/reviews/${id}/proof`);
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe("not_found");
  });
});

describe("deciding", () => {
  it("approves: applies the change, records who decided, and audits it in one go", async () => {
    const reviewer = await createStaff(t, { roles: ["reviewer"], name: "Rita Reviewer" });
    const customer = await createCustomer(t, { name: "旧名字" });
    const id = await newItem(customer.user.id, { newName: "新名字" });

    const res = await reviewer.client.post(`/api/v1/console/reviews/${id}/approve`, {
      reason: "documents match",
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      id,
      status: "approved",
      decidedBy: { id: reviewer.user.id, name: "Rita Reviewer" },
      reason: "documents match",
      decidedAt: t.clock.now().toISOString(),
    });
    const user = await t.db
      .selectFrom("users")
      .select("name")
      .where("id", "=", customer.user.id)
      .executeTakeFirstOrThrow();
    expect(user.name).toBe("新名字");
    const audit = await auditRows("review.approved", id);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      actor_id: reviewer.user.id,
      actor_kind: "staff",
      details: { kind: "test_change", subjectUserId: customer.user.id, reason: "documents match" },
    });
  });

  it("approves without a body too", async () => {
    const reviewer = await createStaff(t, { roles: ["finance"] });
    const customer = await createCustomer(t);
    const id = await newItem(customer.user.id);
    const res = await reviewer.client.post(`/api/v1/console/reviews/${id}/approve`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ status: "approved", reason: null });
  });

  it("refuses to decide an item twice", async () => {
    const reviewer = await createStaff(t, { roles: ["reviewer"] });
    const other = await createStaff(t, { roles: ["reviewer"] });
    const customer = await createCustomer(t);
    const id = await newItem(customer.user.id);
    expect((await reviewer.client.post(`/api/v1/console/reviews/${id}/approve`, {})).statusCode).toBe(200);
    const again = await other.client.post(`/api/v1/console/reviews/${id}/reject`, { reason: "too late" });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: "review_already_decided", decision: "approved" });
    expect(await auditRows("review.rejected", id)).toHaveLength(0);
  });

  it("lets exactly one of two reviewers deciding at the same moment win", async () => {
    const a = await createStaff(t, { roles: ["reviewer"] });
    const b = await createStaff(t, { roles: ["reviewer"] });
    const customer = await createCustomer(t);
    const id = await newItem(customer.user.id);
    const results = await Promise.all([
      a.client.post(`/api/v1/console/reviews/${id}/approve`, {}),
      b.client.post(`/api/v1/console/reviews/${id}/reject`, { reason: "no" }),
    ]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    const decided =
      (await auditRows("review.approved", id)).length + (await auditRows("review.rejected", id)).length;
    expect(decided).toBe(1);
  });

  it("rejects with a reason and lets the module tell the customer", async () => {
    const reviewer = await createStaff(t, { roles: ["reviewer"] });
    const customer = await createCustomer(t);
    const id = await newItem(customer.user.id);
    const res = await reviewer.client.post(`/api/v1/console/reviews/${id}/reject`, {
      reason: "photo is blurred",
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: "rejected", reason: "photo is blurred" });
    const told = await t.db
      .selectFrom("notifications")
      .select("body")
      .where("user_id", "=", customer.user.id)
      .execute();
    expect(told).toEqual([{ body: "photo is blurred" }]);
    expect(await auditRows("review.rejected", id)).toHaveLength(1);
  });

  it("requires a rejection reason of 1 to 500 characters and rejects unknown fields", async () => {
    const reviewer = await createStaff(t, { roles: ["reviewer"] });
    const customer = await createCustomer(t);
    const id = await newItem(customer.user.id);
    const bad: unknown[] = [
      {},
      { reason: "" },
      { reason: "   " },
      { reason: "x".repeat(501) },
      { reason: 42 },
      { reason: ["a"] },
      { reason: "ok", approve: true },
      "reason=ok",
    ];
    for (const body of bad) {
      const res = await reviewer.client.post(`/api/v1/console/reviews/${id}/reject`, body, {
        headers: typeof body === "string" ? { "content-type": "application/json" } : {},
      });
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.headers["content-type"]).toContain("application/problem+json");
    }
    const longApprove = await reviewer.client.post(`/api/v1/console/reviews/${id}/approve`, {
      reason: "y".repeat(501),
    });
    expect(longApprove.json().code).toBe("validation_failed");
    expect(await statusOf(id)).toBe("pending");
    const ok = await reviewer.client.post(`/api/v1/console/reviews/${id}/reject`, {
      reason: "x".repeat(500),
    });
    expect(ok.statusCode).toBe(200);
  });

  it("does not let a reviewer decide about themselves or about a request they made", async () => {
    const reviewer = await createStaff(t, { roles: ["reviewer"] });
    const customer = await createCustomer(t);
    const aboutSelf = await newItem(reviewer.user.id, { createdBy: null });
    const madeBySelf = await newItem(customer.user.id, { createdBy: reviewer.user.id });
    for (const id of [aboutSelf, madeBySelf]) {
      const res = await reviewer.client.post(`/api/v1/console/reviews/${id}/approve`, {});
      expect(res.statusCode).toBe(403);
      expect(res.json().code).toBe("forbidden");
      expect(await statusOf(id)).toBe("pending");
    }
  });

  it("leaves the item pending and unaudited when the module cannot apply the change", async () => {
    const reviewer = await createStaff(t, { roles: ["reviewer"] });
    const customer = await createCustomer(t);
    const id = await newItem(customer.user.id, { kind: "test_failing", payload: {} });
    const res = await reviewer.client.post(`/api/v1/console/reviews/${id}/approve`, {});
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe("conflict");
    expect(await statusOf(id)).toBe("pending");
    expect(await auditRows("review.approved", id)).toHaveLength(0);
  });

  it("answers 404 for an unknown item and 403 for staff without the decide permission", async () => {
    const reviewer = await createStaff(t, { roles: ["reviewer"] });
    const agent = await createStaff(t, { roles: ["agent"] });
    const customer = await createCustomer(t);
    const missing = await reviewer.client.post(`/api/v1/console/reviews/${crypto.randomUUID()}/approve`, {});
    expect(missing.statusCode).toBe(404);
    const id = await newItem(customer.user.id);
    const res = await agent.client.post(`/api/v1/console/reviews/${id}/approve`, {});
    expect(res.statusCode).toBe(403);
    expect(await statusOf(id)).toBe("pending");
    const own = await customer.client.get("/api/v1/console/reviews");
    expect(own.statusCode).toBe(403);
  });

  it("stores the decision time from the server clock", async () => {
    const reviewer = await createStaff(t, { roles: ["reviewer"] });
    const customer = await createCustomer(t);
    const id = await newItem(customer.user.id);
    t.clock.advance(10 * 60_000);
    await reviewer.client.post(`/api/v1/console/reviews/${id}/approve`, {});
    const row = await sql<{ decided_at: Date }>`select decided_at from review_items where id = ${id}`.execute(
      t.db,
    );
    expect(row.rows[0]?.decided_at.toISOString()).toBe(t.clock.now().toISOString());
  });
});

describe("items that need two approvals", () => {
  async function nameOf(userId: string) {
    const row = await t.db
      .selectFrom("users")
      .select("name")
      .where("id", "=", userId)
      .executeTakeFirstOrThrow();
    return row.name;
  }

  it("stays pending after the first approval, shows 1/2, and applies on a second reviewer's", async () => {
    const first = await createStaff(t, { roles: ["reviewer"], name: "First Reviewer" });
    const second = await createStaff(t, { roles: ["finance"], name: "Second Reviewer" });
    const customer = await createCustomer(t, { name: "旧名" });
    const id = await newItem(customer.user.id, { newName: "新名", requiredApprovals: 2 });

    const one = await first.client.post(`/api/v1/console/reviews/${id}/approve`, { reason: "looks right" });
    expect(one.statusCode, one.body).toBe(200);
    expect(one.json()).toMatchObject({
      status: "pending",
      decidedBy: null,
      approvals: {
        required: 2,
        count: 1,
        by: [{ id: first.user.id, name: "First Reviewer", reason: "looks right" }],
      },
    });
    expect(await nameOf(customer.user.id)).toBe("旧名");
    expect(await auditRows("review.approval_recorded", id)).toHaveLength(1);
    expect(await auditRows("review.approved", id)).toHaveLength(0);

    const queue = await second.client.get("/api/v1/console/reviews", {
      query: { status: "pending", kind: "test_change" },
    });
    expect(queue.json().items.find((i: { id: string }) => i.id === id)).toMatchObject({
      approvals: { required: 2, count: 1 },
    });

    const two = await second.client.post(`/api/v1/console/reviews/${id}/approve`, {});
    expect(two.statusCode, two.body).toBe(200);
    expect(two.json()).toMatchObject({
      status: "approved",
      decidedBy: { id: second.user.id },
      approvals: { required: 2, count: 2 },
    });
    expect(await nameOf(customer.user.id)).toBe("新名");
    const approved = await auditRows("review.approved", id);
    expect(approved).toHaveLength(1);
    expect(approved[0]?.details).toMatchObject({ required: 2 });
  });

  it("refuses the same reviewer's second approval, and the maker's", async () => {
    const reviewer = await createStaff(t, { roles: ["reviewer"] });
    const maker = await createStaff(t, { roles: ["finance"] });
    const customer = await createCustomer(t);
    const id = await newItem(customer.user.id, { requiredApprovals: 2, createdBy: maker.user.id });

    const byMaker = await maker.client.post(`/api/v1/console/reviews/${id}/approve`, {});
    expect(byMaker.statusCode).toBe(403);
    expect(
      await t.db.selectFrom("review_approvals").selectAll().where("review_item_id", "=", id).execute(),
    ).toEqual([]);

    expect((await reviewer.client.post(`/api/v1/console/reviews/${id}/approve`, {})).statusCode).toBe(200);
    const again = await reviewer.client.post(`/api/v1/console/reviews/${id}/approve`, {});
    expect(again.statusCode).toBe(403);
    expect(again.json()).toMatchObject({ code: "forbidden", reason: "already_approved" });
    expect(await statusOf(id)).toBe("pending");
    expect(await auditRows("review.approval_recorded", id)).toHaveLength(1);
  });

  it("lets one of two simultaneous approvals by the same reviewer count, never both", async () => {
    const reviewer = await createStaff(t, { roles: ["reviewer"] });
    const customer = await createCustomer(t);
    const id = await newItem(customer.user.id, { requiredApprovals: 2 });
    const results = await Promise.all([
      reviewer.client.post(`/api/v1/console/reviews/${id}/approve`, {}),
      reviewer.client.post(`/api/v1/console/reviews/${id}/approve`, {}),
    ]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 403]);
    expect(await statusOf(id)).toBe("pending");
  });

  it("ends with one rejection even after a first approval, and tells the customer", async () => {
    const first = await createStaff(t, { roles: ["reviewer"] });
    const second = await createStaff(t, { roles: ["reviewer"] });
    const customer = await createCustomer(t);
    const id = await newItem(customer.user.id, { requiredApprovals: 2 });
    expect((await first.client.post(`/api/v1/console/reviews/${id}/approve`, {})).statusCode).toBe(200);
    const rejected = await second.client.post(`/api/v1/console/reviews/${id}/reject`, {
      reason: "not convinced",
    });
    expect(rejected.statusCode).toBe(200);
    expect(rejected.json()).toMatchObject({ status: "rejected", approvals: { count: 1, required: 2 } });
    const late = await first.client.post(`/api/v1/console/reviews/${id}/approve`, {});
    expect(late.json().code).toBe("review_already_decided");
  });

  it("shows single-approval items as needing one", async () => {
    const reviewer = await createStaff(t, { roles: ["reviewer"] });
    const customer = await createCustomer(t);
    const id = await newItem(customer.user.id);
    const res = await reviewer.client.get(`/api/v1/console/reviews/${id}`);
    expect(res.json().approvals).toEqual({ required: 1, count: 0, by: [] });
  });
});

describe("with the identity module's profile changes", () => {
  it("takes a customer's name change from upload, through the proof, to approval", async () => {
    const reviewer = await createStaff(t, { roles: ["reviewer"] });
    const customer = await createCustomer(t, { name: "张三" });
    const png = Buffer.concat([Buffer.from("89504e470d0a1a0a0000000d49484452", "hex"), randomBytes(32)]);
    const boundary = `----oc${randomBytes(8).toString("hex")}`;
    const part = (head: string, data: Buffer) => [
      Buffer.from(`--${boundary}\r\n${head}\r\n\r\n`),
      data,
      Buffer.from("\r\n"),
    ];
    const body = Buffer.concat([
      ...part('Content-Disposition: form-data; name="field"', Buffer.from("name")),
      ...part('Content-Disposition: form-data; name="value"', Buffer.from("张三丰")),
      ...part(
        'Content-Disposition: form-data; name="proof"; filename="p.png"\r\nContent-Type: image/png',
        png,
      ),
      Buffer.from(`--${boundary}--\r\n`),
    ]);
    const asked = await customer.client.post("/api/v1/me/change-requests", body, {
      headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
    });
    expect(asked.statusCode, asked.body).toBe(201);
    const id = asked.json().id as string;

    const queue = await reviewer.client.get("/api/v1/console/reviews", {
      query: { status: "pending", kind: "profile_change" },
    });
    const listed = queue.json().items.find((i: { id: string }) => i.id === id);
    expect(listed).toMatchObject({
      subject: { id: customer.user.id, name: "张*" },
      proofUrl: expect.any(String),
    });
    expect(queue.body).not.toContain("张三丰");

    const proof = await reviewer.client.get(listed.proofUrl);
    expect(proof.statusCode).toBe(200);
    expect(proof.rawPayload.equals(png)).toBe(true);

    const approved = await reviewer.client.post(`/api/v1/console/reviews/${id}/approve`, {});
    expect(approved.statusCode, approved.body).toBe(200);
    const user = await t.db
      .selectFrom("users")
      .select("name")
      .where("id", "=", customer.user.id)
      .executeTakeFirstOrThrow();
    expect(user.name).toBe("张三丰");
    const mine = await customer.client.get("/api/v1/me/change-requests");
    expect(mine.json().items.find((i: { id: string }) => i.id === id)).toMatchObject({ status: "approved" });
  });
});
