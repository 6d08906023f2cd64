import * as OTPAuth from "otpauth";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCustomer, DEFAULT_PASSWORD, uniqueEmail } from "../../../test/factories.js";
import { createTestApp, type TestApp, type TestClient } from "../../../test/harness.js";
import { clientOnOwnIp, problemCode, totpCode } from "./test-support.js";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const STEP = 30_000;

async function staffWithoutTotp(roles = ["reviewer"]) {
  const email = uniqueEmail("staff");
  const now = t.clock.now();
  const row = await t.db
    .insertInto("users")
    .values({
      kind: "staff",
      email,
      email_verified_at: now,
      name: "审核员 李",
      password_hash: await t.ctx.crypto.hashPassword(DEFAULT_PASSWORD),
      roles,
      password_changed_at: now,
      created_at: now,
      updated_at: now,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return { id: row.id, email };
}

/** The demo seed's format: the base32 secret encrypted with ctx.crypto, enabled. */
async function staffWithSeededTotp() {
  const staff = await staffWithoutTotp();
  const secret = new OTPAuth.Secret({ size: 20 }).base32;
  await t.db
    .updateTable("users")
    .set({ totp_secret_enc: t.ctx.crypto.encrypt(secret), totp_enabled_at: t.clock.now() })
    .where("id", "=", staff.id)
    .execute();
  return { ...staff, secret };
}

function logIn(c: TestClient, login: string, extra: Record<string, string> = {}) {
  return c.post("/api/v1/auth/login", { login, password: DEFAULT_PASSWORD, ...extra });
}

async function enrol(c: TestClient): Promise<{ secret: string; backupCodes: string[] }> {
  const setup = await c.post("/api/v1/me/totp/setup");
  const { secret } = setup.json() as { secret: string };
  const res = await c.post("/api/v1/me/totp/enable", { code: totpCode(secret, t.clock.now()) });
  return { secret, backupCodes: (res.json() as { backupCodes: string[] }).backupCodes };
}

async function failuresFor(userId: string): Promise<number> {
  const rows = await t.db.selectFrom("login_events").select("result").where("user_id", "=", userId).execute();
  return rows.filter((r) => r.result === "invalid_credentials" || r.result === "invalid_mfa_code").length;
}

describe("staff two-step enrolment", () => {
  it("gives a staff member without TOTP a session that can only enrol", async () => {
    const staff = await staffWithoutTotp();
    const c = clientOnOwnIp(t);
    const res = await logIn(c, staff.email);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      user: { id: staff.id, kind: "staff", totpEnabled: false },
      next: "enroll_totp",
    });
    expect((await c.get("/api/v1/auth/session")).json()).toMatchObject({
      authenticated: true,
      stage: "mfa_enroll",
    });
    for (const url of ["/api/v1/me", "/api/v1/me/sessions", "/api/v1/console/reviews"]) {
      const blocked = await c.get(url);
      expect(blocked.statusCode).toBe(403);
      expect(problemCode(blocked)).toBe("mfa_enrollment_required");
    }
  });

  it("sets up a secret for an authenticator app, labelled with the masked login", async () => {
    const staff = await staffWithoutTotp();
    const c = clientOnOwnIp(t);
    await logIn(c, staff.email);
    const res = await c.post("/api/v1/me/totp/setup");
    expect(res.statusCode).toBe(200);
    const { secret, otpauthUrl } = res.json();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const parsed = OTPAuth.URI.parse(otpauthUrl);
    expect(parsed).toBeInstanceOf(OTPAuth.TOTP);
    expect(parsed).toMatchObject({ issuer: "OpenCounter", digits: 6, period: 30, algorithm: "SHA1" });
    expect(otpauthUrl).not.toContain(staff.email.split("@")[0]);
    const row = await t.db
      .selectFrom("users")
      .select(["totp_secret_enc", "totp_enabled_at"])
      .where("id", "=", staff.id)
      .executeTakeFirstOrThrow();
    expect(row.totp_enabled_at).toBeNull();
    expect(row.totp_secret_enc?.toString("utf8")).not.toContain(secret);
  });

  it("refuses a wrong first code and turns a right one into a full session with ten backup codes", async () => {
    const staff = await staffWithoutTotp();
    const c = clientOnOwnIp(t);
    await logIn(c, staff.email);
    const { secret } = (await c.post("/api/v1/me/totp/setup")).json();
    const right = totpCode(secret, t.clock.now());
    const wrong = right === "000000" ? "111111" : "000000";
    expect(problemCode(await c.post("/api/v1/me/totp/enable", { code: wrong }))).toBe("invalid_mfa_code");

    const res = await c.post("/api/v1/me/totp/enable", { code: right });
    expect(res.statusCode).toBe(200);
    const { backupCodes } = res.json();
    expect(backupCodes).toHaveLength(10);
    expect(new Set(backupCodes).size).toBe(10);
    for (const code of backupCodes) expect(code).toMatch(/^[a-z2-9]{10}$/);
    const stored = await t.db
      .selectFrom("totp_backup_codes")
      .select("code_hash")
      .where("user_id", "=", staff.id)
      .execute();
    expect(stored).toHaveLength(10);
    expect(stored.map((s) => s.code_hash)).not.toContain(backupCodes[0]);

    const me = await c.get("/api/v1/me");
    expect(me.statusCode).toBe(200);
    expect(me.json().totpEnabled).toBe(true);
    expect((await c.get("/api/v1/auth/session")).json().stage).toBe("full");
  });

  it("keeps the secret and backup codes out of the audit trail", async () => {
    const staff = await staffWithoutTotp();
    const c = clientOnOwnIp(t);
    await logIn(c, staff.email);
    const { secret, backupCodes } = await enrol(c);
    const rows = await t.db
      .selectFrom("audit_log")
      .select(["action", "details"])
      .where("actor_id", "=", staff.id)
      .execute();
    expect(rows.map((r) => r.action)).toContain("auth.totp.enabled");
    const text = JSON.stringify(rows);
    expect(text).not.toContain(secret);
    for (const code of backupCodes) expect(text).not.toContain(code);
  });

  it("refuses a second setup once two-step verification is on", async () => {
    const staff = await staffWithoutTotp();
    const c = clientOnOwnIp(t);
    await logIn(c, staff.email);
    await enrol(c);
    expect(problemCode(await c.post("/api/v1/me/totp/setup"))).toBe("conflict");
  });
});

describe("logging in with two-step verification", () => {
  it("says mfa_required after a right password without a code, without counting a failure", async () => {
    const staff = await staffWithSeededTotp();
    const res = await logIn(clientOnOwnIp(t), staff.email);
    expect(res.statusCode).toBe(401);
    expect(problemCode(res)).toBe("mfa_required");
    expect(res.cookies.find((k) => k.name === "oc_session")).toBeUndefined();
    expect(await failuresFor(staff.id)).toBe(0);
  });

  it("accepts a code from a secret stored the way the demo seed stores it", async () => {
    const staff = await staffWithSeededTotp();
    const res = await logIn(clientOnOwnIp(t), staff.email, { totp: totpCode(staff.secret, t.clock.now()) });
    expect(res.statusCode).toBe(200);
    expect(res.json().next).toBeNull();
  });

  it("accepts a code from the previous 30-second step but not from two steps ago", async () => {
    const staff = await staffWithSeededTotp();
    const previous = totpCode(staff.secret, new Date(t.clock.now().getTime() - STEP));
    expect((await logIn(clientOnOwnIp(t), staff.email, { totp: previous })).statusCode).toBe(200);
    t.clock.advance(3 * STEP);
    const old = totpCode(staff.secret, new Date(t.clock.now().getTime() - 2 * STEP));
    expect(problemCode(await logIn(clientOnOwnIp(t), staff.email, { totp: old }))).toBe("invalid_mfa_code");
  });

  it("counts a wrong code as a failed login", async () => {
    const staff = await staffWithSeededTotp();
    const right = totpCode(staff.secret, t.clock.now());
    const res = await logIn(clientOnOwnIp(t), staff.email, {
      totp: right === "123456" ? "654321" : "123456",
    });
    expect(res.statusCode).toBe(401);
    expect(problemCode(res)).toBe("invalid_mfa_code");
    expect(await failuresFor(staff.id)).toBe(1);
  });

  it("refuses a code that was already used", async () => {
    const staff = await staffWithSeededTotp();
    const code = totpCode(staff.secret, t.clock.now());
    expect((await logIn(clientOnOwnIp(t), staff.email, { totp: code })).statusCode).toBe(200);
    expect(problemCode(await logIn(clientOnOwnIp(t), staff.email, { totp: code }))).toBe("invalid_mfa_code");
    t.clock.advance(STEP);
    expect(
      (await logIn(clientOnOwnIp(t), staff.email, { totp: totpCode(staff.secret, t.clock.now()) }))
        .statusCode,
    ).toBe(200);
  });

  it("refuses the code used to enable TOTP at the next login", async () => {
    const staff = await staffWithoutTotp();
    const c = clientOnOwnIp(t);
    await logIn(c, staff.email);
    const { secret } = await enrol(c);
    const sameStep = totpCode(secret, t.clock.now());
    expect(problemCode(await logIn(clientOnOwnIp(t), staff.email, { totp: sameStep }))).toBe(
      "invalid_mfa_code",
    );
  });

  it("accepts each backup code once", async () => {
    const staff = await staffWithoutTotp();
    const c = clientOnOwnIp(t);
    await logIn(c, staff.email);
    const { backupCodes } = await enrol(c);
    const code = backupCodes[3] ?? "";
    const first = await logIn(clientOnOwnIp(t), staff.email, { totp: code.toUpperCase() });
    expect(first.statusCode).toBe(200);
    expect(problemCode(await logIn(clientOnOwnIp(t), staff.email, { totp: code }))).toBe("invalid_mfa_code");
    expect((await logIn(clientOnOwnIp(t), staff.email, { totp: backupCodes[4] ?? "" })).statusCode).toBe(200);
  });

  it("does not let staff turn two-step verification off", async () => {
    const staff = await staffWithSeededTotp();
    const c = clientOnOwnIp(t);
    await logIn(c, staff.email, { totp: totpCode(staff.secret, t.clock.now()) });
    t.clock.advance(STEP);
    const res = await c.post("/api/v1/me/totp/disable", {
      password: DEFAULT_PASSWORD,
      code: totpCode(staff.secret, t.clock.now()),
    });
    expect(res.statusCode).toBe(403);
    expect(problemCode(res)).toBe("forbidden");
  });
});

describe("customers and two-step verification", () => {
  it("lets a customer turn it on, then asks for a code at login, and turn it off again", async () => {
    const { user, client } = await createCustomer(t);
    const phone = user.phone ?? "";
    const { secret } = await enrol(client);
    expect(problemCode(await logIn(clientOnOwnIp(t), phone))).toBe("mfa_required");

    t.clock.advance(STEP);
    const wrongPassword = await client.post("/api/v1/me/totp/disable", {
      password: "not my password at all",
      code: totpCode(secret, t.clock.now()),
    });
    expect(problemCode(wrongPassword)).toBe("invalid_credentials");
    const res = await client.post("/api/v1/me/totp/disable", {
      password: DEFAULT_PASSWORD,
      code: totpCode(secret, t.clock.now()),
    });
    expect(res.statusCode).toBe(204);
    expect((await logIn(clientOnOwnIp(t), phone)).statusCode).toBe(200);
    const notes = await t.db
      .selectFrom("notifications")
      .select("kind")
      .where("user_id", "=", user.id)
      .execute();
    expect(notes.map((n) => n.kind)).toEqual(
      expect.arrayContaining(["security.totp_enabled", "security.totp_disabled"]),
    );
  });

  it("rejects a malformed enable code with validation_failed", async () => {
    const { client } = await createCustomer(t);
    await client.post("/api/v1/me/totp/setup");
    for (const code of ["12345", "abcdef", 123456, "1234567"]) {
      expect(problemCode(await client.post("/api/v1/me/totp/enable", { code }))).toBe("validation_failed");
    }
  });

  it("asks for setup before enable", async () => {
    const { client } = await createCustomer(t);
    expect(problemCode(await client.post("/api/v1/me/totp/enable", { code: "123456" }))).toBe("conflict");
  });
});
