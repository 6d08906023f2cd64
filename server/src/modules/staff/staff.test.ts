import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCustomer, createStaff, uniqueEmail, uniquePhone } from "../../../test/factories.js";
import { createTestApp, type TestApp } from "../../../test/harness.js";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

async function auditOf(action: string) {
  return t.db.selectFrom("audit_log").selectAll().where("action", "=", action).orderBy("id").execute();
}

describe("customer look-up", () => {
  it("finds a customer by exact phone, shows only masked data and audits the search without the number", async () => {
    const agent = await createStaff(t, { roles: ["agent"] });
    const phone = uniquePhone();
    const email = uniqueEmail("zhang");
    const customer = await createCustomer(t, { phone, email, name: "张三丰" });

    const before = (await auditOf("customer.search")).length;
    for (const q of [phone, `+86 ${phone}`]) {
      const res = await agent.client.get("/api/v1/console/customers", { query: { q } });
      expect(res.statusCode).toBe(200);
      expect(res.json().items).toEqual([
        {
          id: customer.user.id,
          name: "张*丰",
          phone: `${phone.slice(0, 3)}****${phone.slice(-4)}`,
          email: expect.stringMatching(/^z\*\*\*\d@example\.com$/),
          status: "active",
          createdAt: expect.any(String),
        },
      ]);
      expect(res.body).not.toContain(phone);
      expect(res.body).not.toContain(email);
    }
    const audit = (await auditOf("customer.search")).slice(before);
    expect(audit).toHaveLength(2);
    expect(audit[0]).toMatchObject({
      actor_id: agent.user.id,
      actor_kind: "staff",
      details: { by: "phone", query: `${phone.slice(0, 3)}****${phone.slice(-4)}`, matches: 1 },
    });
    expect(JSON.stringify(audit.map((a) => a.details))).not.toContain(phone);
  });

  it("finds by exact email in any case and by name prefix, treating wildcards literally", async () => {
    const agent = await createStaff(t, { roles: ["agent"] });
    const email = uniqueEmail("li");
    const li = await createCustomer(t, { email, name: "李%四" });
    await createCustomer(t, { name: "李五" });

    const byEmail = await agent.client.get("/api/v1/console/customers", {
      query: { q: email.toUpperCase() },
    });
    expect(byEmail.json().items.map((i: { id: string }) => i.id)).toEqual([li.user.id]);

    const byName = await agent.client.get("/api/v1/console/customers", { query: { q: "李%" } });
    expect(byName.json().items.map((i: { id: string }) => i.id)).toEqual([li.user.id]);
    const audit = (await auditOf("customer.search")).at(-1);
    expect(audit?.details).toMatchObject({ by: "name", query: "李*" });
  });

  it("never returns staff accounts from a customer search", async () => {
    const agent = await createStaff(t, { roles: ["agent"] });
    const colleague = await createStaff(t, { roles: ["agent"], name: "Sam Staff" });
    const res = await agent.client.get("/api/v1/console/customers", {
      query: { q: colleague.user.email ?? "-" },
    });
    expect(res.json().items).toEqual([]);
  });

  it("refuses empty, oversized and unknown search parameters", async () => {
    const agent = await createStaff(t, { roles: ["agent"] });
    const bad: Record<string, string>[] = [
      {},
      { q: "" },
      { q: "   " },
      { q: "x".repeat(101) },
      { q: "a", sort: "name" },
    ];
    for (const query of bad) {
      const res = await agent.client.get("/api/v1/console/customers", { query });
      expect(res.statusCode, JSON.stringify(query)).toBe(400);
      expect(res.json().code).toBe("validation_failed");
    }
  });

  it("shows one customer's masked profile, cards and recent logins, and audits the view", async () => {
    const agent = await createStaff(t, { roles: ["supervisor"] });
    const phone = uniquePhone();
    const customer = await createCustomer(t, { phone, name: "王小明" });
    await t.db
      .updateTable("users")
      .set({ id_number_masked: "110***********1234" })
      .where("id", "=", customer.user.id)
      .execute();
    await t.db
      .insertInto("bank_cards")
      .values([
        {
          user_id: customer.user.id,
          card_enc: Buffer.from([1]),
          card_hash: "a",
          last4: "1111",
          holder_name: "王小明",
        },
        {
          user_id: customer.user.id,
          card_enc: Buffer.from([1]),
          card_hash: "b",
          last4: "2222",
          holder_name: "王小明",
          removed_at: t.clock.now(),
        },
      ])
      .execute();
    await t.db
      .insertInto("login_events")
      .values([
        { user_id: customer.user.id, ip: "198.51.100.7", device: "Chrome on Android", result: "success" },
        { user_id: customer.user.id, ip: "198.51.100.8", device: "Safari on iOS", result: "wrong_password" },
      ])
      .execute();

    const res = await agent.client.get(`/api/v1/console/customers/${customer.user.id}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      id: customer.user.id,
      name: "王*明",
      phone: `${phone.slice(0, 3)}****${phone.slice(-4)}`,
      idNumber: "110***********1234",
      status: "active",
      counts: { bankCards: 1 },
      recentLogins: [
        { ip: "198.51.100.8", result: "wrong_password" },
        { ip: "198.51.100.7", result: "success" },
      ],
    });
    expect(res.body).not.toContain(phone);
    const audit = await t.db
      .selectFrom("audit_log")
      .selectAll()
      .where("action", "=", "customer.viewed")
      .where("target_id", "=", customer.user.id)
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor_id: agent.user.id, target_type: "user" });
  });

  it("answers 404 for a staff member's id or an unknown id, and 403 for roles without customers:read", async () => {
    const agent = await createStaff(t, { roles: ["agent"] });
    const technician = await createStaff(t, { roles: ["technician"] });
    const customer = await createCustomer(t);
    expect((await agent.client.get(`/api/v1/console/customers/${technician.user.id}`)).statusCode).toBe(404);
    expect((await agent.client.get(`/api/v1/console/customers/${crypto.randomUUID()}`)).statusCode).toBe(404);
    const denied = await technician.client.get(`/api/v1/console/customers/${customer.user.id}`);
    expect(denied.statusCode).toBe(403);
    expect((await customer.client.get("/api/v1/console/customers", { query: { q: "a" } })).statusCode).toBe(
      403,
    );
  });
});

describe("the audit trail in the console", () => {
  it("pages newest first and filters by actor, action prefix and target", async () => {
    const supervisor = await createStaff(t, { roles: ["supervisor"] });
    const actor = crypto.randomUUID();
    for (const action of ["demo.one", "demo.two", "demo_x.three"]) {
      await t.ctx.audit.record(t.db, {
        actor: { id: actor, kind: "staff" },
        action,
        target: { type: "thing", id: `t-${action}` },
      });
    }

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: Record<string, string> = { actorId: actor, limit: "2" };
      if (cursor) query.cursor = cursor;
      const res = await supervisor.client.get("/api/v1/console/audit", { query });
      expect(res.statusCode).toBe(200);
      seen.push(...res.json().items.map((i: { action: string }) => i.action));
      cursor = res.json().nextCursor;
    } while (cursor);
    expect(seen).toEqual(["demo_x.three", "demo.two", "demo.one"]);

    // "_" is a literal underscore, not a one-character wildcard.
    const prefixed = await supervisor.client.get("/api/v1/console/audit", {
      query: { action: "demo.", actorId: actor },
    });
    expect(prefixed.json().items.map((i: { action: string }) => i.action)).toEqual(["demo.two", "demo.one"]);
    const underscore = await supervisor.client.get("/api/v1/console/audit", {
      query: { action: "demo_", actorId: actor },
    });
    expect(underscore.json().items.map((i: { action: string }) => i.action)).toEqual(["demo_x.three"]);
    const byTarget = await supervisor.client.get("/api/v1/console/audit", {
      query: { targetId: "t-demo.two" },
    });
    expect(byTarget.json().items).toEqual([
      expect.objectContaining({
        action: "demo.two",
        actorId: actor,
        actorKind: "staff",
        targetType: "thing",
      }),
    ]);
  });

  it("refuses malformed filters", async () => {
    const supervisor = await createStaff(t, { roles: ["supervisor"] });
    const bad: Record<string, string>[] = [
      { cursor: "abc" },
      { cursor: "-1" },
      { limit: "201" },
      { actorId: "not-a-uuid" },
      { action: "DROP%" },
      { whatever: "1" },
    ];
    for (const query of bad) {
      const res = await supervisor.client.get("/api/v1/console/audit", { query });
      expect(res.statusCode, JSON.stringify(query)).toBe(400);
    }
  });

  it("reports an intact chain with its length", async () => {
    const admin = await createStaff(t, { roles: ["admin"] });
    const rows = await t.db
      .selectFrom("audit_log")
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .executeTakeFirstOrThrow();
    const res = await admin.client.get("/api/v1/console/audit/verify");
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ ok: true, rows: Number(rows.n) });
  });

  it("is closed to reviewers and agents", async () => {
    for (const roles of [["reviewer"], ["agent"]]) {
      const staff = await createStaff(t, { roles });
      expect((await staff.client.get("/api/v1/console/audit")).statusCode).toBe(403);
      expect((await staff.client.get("/api/v1/console/audit/verify")).statusCode).toBe(403);
    }
  });
});

describe("staff management", () => {
  const strong = "a long enough staff pass";

  it("lets an admin create a colleague who must set up two-step verification, and audits it without the password", async () => {
    const admin = await createStaff(t, { roles: ["admin"] });
    const email = uniqueEmail("New.Colleague");
    const res = await admin.client.post("/api/v1/console/staff", {
      email: email.toUpperCase(),
      name: "New Colleague",
      roles: ["reviewer", "finance", "reviewer"],
      password: strong,
    });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({
      email: email.toLowerCase(),
      name: "New Colleague",
      roles: ["reviewer", "finance"],
      status: "active",
      disabled: false,
      totpEnabled: false,
      lastLoginAt: null,
    });
    const row = await t.db
      .selectFrom("users")
      .select(["kind", "password_hash", "totp_enabled_at"])
      .where("id", "=", body.id)
      .executeTakeFirstOrThrow();
    expect(row.kind).toBe("staff");
    expect(row.totp_enabled_at).toBeNull();
    expect(await t.ctx.crypto.verifyPassword(row.password_hash, strong)).toBe(true);
    const audit = await t.db.selectFrom("audit_log").selectAll().where("target_id", "=", body.id).execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: "staff.created", actor_id: admin.user.id });
    expect(JSON.stringify(audit.map((a) => a.details))).not.toContain(strong);

    const list = await admin.client.get("/api/v1/console/staff");
    expect(list.json().items.map((s: { id: string }) => s.id)).toContain(body.id);
    expect(list.json().items.find((s: { id: string }) => s.id === admin.user.id)?.lastLoginAt).not.toBeNull();
  });

  it("sends a new colleague to two-step enrolment at their first login", async () => {
    const admin = await createStaff(t, { roles: ["admin"] });
    const email = uniqueEmail("first.login");
    await admin.client.post("/api/v1/console/staff", {
      email,
      name: "First Login",
      roles: ["agent"],
      password: strong,
    });
    const c = t.client();
    const res = await c.post("/api/v1/auth/login", { login: email, password: strong });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().next).toBe("enroll_totp");
    const blocked = await c.get("/api/v1/console/customers", { query: { q: "张" } });
    expect(blocked.json().code).toBe("mfa_enrollment_required");
  });

  it("refuses a short password, customer roles, unknown fields and a taken email, writing nothing", async () => {
    const admin = await createStaff(t, { roles: ["admin"] });
    const taken = await createCustomer(t, { email: uniqueEmail("taken") });
    const email = uniqueEmail("never");
    const cases: Array<[unknown, number, string]> = [
      [{ email, name: "N", roles: ["agent"], password: "elevenchars" }, 400, "weak_password"],
      [{ email, name: "N", roles: ["customer"], password: strong }, 400, "validation_failed"],
      [{ email, name: "N", roles: [], password: strong }, 400, "validation_failed"],
      [{ email, name: "N", roles: ["root"], password: strong }, 400, "validation_failed"],
      [{ email: "not-an-email", name: "N", roles: ["agent"], password: strong }, 400, "validation_failed"],
      [{ email, name: "", roles: ["agent"], password: strong }, 400, "validation_failed"],
      [{ email, name: "N", roles: ["agent"], password: "x".repeat(129) }, 400, "validation_failed"],
      [{ email, name: "N", roles: ["agent"], password: strong, kind: "customer" }, 400, "validation_failed"],
      [{ email, name: "N", roles: "admin", password: strong }, 400, "validation_failed"],
      [{ email: taken.user.email, name: "N", roles: ["agent"], password: strong }, 409, "email_taken"],
    ];
    for (const [body, status, code] of cases) {
      const res = await admin.client.post("/api/v1/console/staff", body);
      expect(res.statusCode, JSON.stringify(body)).toBe(status);
      expect(res.json().code).toBe(code);
    }
    const row = await t.db.selectFrom("users").select("id").where("email", "=", email).executeTakeFirst();
    expect(row).toBeUndefined();
  });

  it("changes a colleague's roles and name and records both before and after", async () => {
    const admin = await createStaff(t, { roles: ["admin"] });
    const colleague = await createStaff(t, { roles: ["agent"], name: "Old Name" });
    const res = await admin.client.patch(`/api/v1/console/staff/${colleague.user.id}`, {
      roles: ["supervisor"],
      name: "New Name",
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ roles: ["supervisor"], name: "New Name" });
    // Permissions follow the roles at once: the session reads them on every request.
    expect((await colleague.client.get("/api/v1/console/audit")).statusCode).toBe(200);
    const audit = await t.db
      .selectFrom("audit_log")
      .selectAll()
      .where("action", "=", "staff.updated")
      .where("target_id", "=", colleague.user.id)
      .execute();
    expect(audit[0]?.details).toEqual({
      roles: { from: ["agent"], to: ["supervisor"] },
      name: { from: "Old Name", to: "New Name" },
    });
  });

  it("disables a colleague, ending their sessions, and can enable them again", async () => {
    const admin = await createStaff(t, { roles: ["admin"] });
    const colleague = await createStaff(t, { roles: ["reviewer"] });
    expect((await colleague.client.get("/api/v1/console/reviews")).statusCode).toBe(200);

    const off = await admin.client.patch(`/api/v1/console/staff/${colleague.user.id}`, { disabled: true });
    expect(off.statusCode).toBe(200);
    expect(off.json()).toMatchObject({ status: "disabled", disabled: true });
    expect((await colleague.client.get("/api/v1/console/reviews")).statusCode).toBe(401);
    const live = await t.db
      .selectFrom("sessions")
      .select("id")
      .where("user_id", "=", colleague.user.id)
      .where("revoked_at", "is", null)
      .execute();
    expect(live).toEqual([]);

    const on = await admin.client.patch(`/api/v1/console/staff/${colleague.user.id}`, { disabled: false });
    expect(on.json()).toMatchObject({ status: "active", disabled: false });
    const audit = await t.db
      .selectFrom("audit_log")
      .select("details")
      .where("action", "=", "staff.updated")
      .where("target_id", "=", colleague.user.id)
      .orderBy("id")
      .execute();
    expect(audit.map((a) => a.details)).toEqual([
      { status: { from: "active", to: "disabled" }, endedSessions: 1 },
      { status: { from: "disabled", to: "active" }, endedSessions: 0 },
    ]);
  });

  it("does not let an admin remove their own admin role or disable themselves", async () => {
    const admin = await createStaff(t, { roles: ["admin"] });
    for (const body of [{ roles: ["reviewer"] }, { disabled: true }]) {
      const res = await admin.client.patch(`/api/v1/console/staff/${admin.user.id}`, body);
      expect(res.statusCode).toBe(409);
      expect(res.json().code).toBe("conflict");
    }
    const me = await admin.client.patch(`/api/v1/console/staff/${admin.user.id}`, {
      roles: ["admin", "reviewer"],
    });
    expect(me.statusCode).toBe(200);
    const other = await createStaff(t, { roles: ["admin"] });
    const byOther = await other.client.patch(`/api/v1/console/staff/${admin.user.id}`, {
      roles: ["reviewer"],
    });
    expect(byOther.json().roles).toEqual(["reviewer"]);
  });

  it("refuses empty or unknown changes, customers as targets, and non-admins", async () => {
    const admin = await createStaff(t, { roles: ["admin"] });
    const supervisor = await createStaff(t, { roles: ["supervisor"] });
    const customer = await createCustomer(t);
    for (const body of [
      {},
      { status: "active" },
      { roles: [] },
      { disabled: "yes" },
      { name: "x".repeat(101) },
    ]) {
      const res = await admin.client.patch(`/api/v1/console/staff/${supervisor.user.id}`, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().code).toBe("validation_failed");
    }
    const notStaff = await admin.client.patch(`/api/v1/console/staff/${customer.user.id}`, {
      disabled: true,
    });
    expect(notStaff.statusCode).toBe(404);
    const denied = await supervisor.client.patch(`/api/v1/console/staff/${supervisor.user.id}`, {
      roles: ["admin"],
    });
    expect(denied.statusCode).toBe(403);
    expect((await supervisor.client.get("/api/v1/console/staff")).statusCode).toBe(403);
  });
});
