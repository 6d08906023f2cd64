// Test data: people inserted directly and logged in, and one-time codes read from the dev mailbox.
import { randomInt } from "node:crypto";
import type { Database } from "../src/db/schema.js";
import { createSession, issueOtp, type OtpPurpose, SESSION_COOKIE } from "../src/modules/identity/index.js";
import type { TestApp, TestClient } from "./harness.js";

export const DEFAULT_PASSWORD = "correct horse battery staple";

let sequence = 0;

/** A mainland mobile number no other factory call in this process has handed out. */
export function uniquePhone(): string {
  sequence += 1;
  return `139${String(randomInt(10_000)).padStart(4, "0")}${String(sequence % 10_000).padStart(4, "0")}`;
}

export function uniqueEmail(prefix = "user"): string {
  sequence += 1;
  return `${prefix}.${sequence}.${randomInt(1_000_000)}@example.com`;
}

export type FactoryUser = {
  id: string;
  phone: string | null;
  email: string | null;
  name: string | null;
};

export type LoggedIn = { user: FactoryUser; client: TestClient; password: string };

/** Logs `userId` in on a fresh client by creating a full session and setting its cookie. */
export async function logIn(t: TestApp, userId: string): Promise<TestClient> {
  const client = t.client();
  const session = await createSession(t.db, t.clock, userId, { ip: client.ip, userAgent: client.userAgent });
  client.cookies.set(SESSION_COOKIE, session.token);
  return client;
}

export async function createCustomer(
  t: TestApp,
  opts: { phone?: string; email?: string | null; name?: string | null; password?: string } = {},
): Promise<LoggedIn> {
  const password = opts.password ?? DEFAULT_PASSWORD;
  const phone = opts.phone ?? uniquePhone();
  const email = opts.email?.toLowerCase() ?? null;
  const now = t.clock.now();
  const row = await t.db
    .insertInto("users")
    .values({
      kind: "customer",
      phone,
      email,
      email_verified_at: email ? now : null,
      name: opts.name ?? null,
      password_hash: await t.ctx.crypto.hashPassword(password),
      roles: ["customer"],
      password_changed_at: now,
      created_at: now,
      updated_at: now,
    })
    .returning(["id", "phone", "email", "name"])
    .executeTakeFirstOrThrow();
  return { user: row, client: await logIn(t, row.id), password };
}

/** A staff member with a full (two-step already enrolled) session. */
export async function createStaff(
  t: TestApp,
  opts: { roles: string[]; email?: string; name?: string; password?: string },
): Promise<LoggedIn> {
  const password = opts.password ?? DEFAULT_PASSWORD;
  const now = t.clock.now();
  const row = await t.db
    .insertInto("users")
    .values({
      kind: "staff",
      email: (opts.email ?? uniqueEmail("staff")).toLowerCase(),
      email_verified_at: now,
      name: opts.name ?? "Staff Member",
      password_hash: await t.ctx.crypto.hashPassword(password),
      totp_enabled_at: now,
      roles: opts.roles,
      password_changed_at: now,
      created_at: now,
      updated_at: now,
    })
    .returning(["id", "phone", "email", "name"])
    .executeTakeFirstOrThrow();
  return { user: row, client: await logIn(t, row.id), password };
}

/**
 * Sends a one-time code to `to` and reads it back from the dev mailbox, as a person would read
 * their phone. The clock moves past the resend interval first, so calls may follow each other.
 */
export async function sendOtp(
  t: TestApp,
  req: { channel?: "sms" | "email"; to: string; purpose: OtpPurpose },
): Promise<string> {
  const channel = req.channel ?? (req.to.includes("@") ? "email" : "sms");
  t.clock.advance(61_000);
  await issueOtp(t.db, t.clock, t.ctx.notifier, { channel, destination: req.to, purpose: req.purpose });
  return latestCode(t, req.to);
}

/** The six-digit code in the newest message to `to`. */
export async function latestCode(t: TestApp, to: string): Promise<string> {
  const res = await t.client().get("/api/v1/dev/messages", { query: { to } });
  const body = res.json() as { items: { body: string; subject: string | null }[] };
  const newest = body.items[0];
  const code = newest ? /(\d{6})/.exec(`${newest.subject ?? ""} ${newest.body}`)?.[1] : undefined;
  if (!code) throw new Error(`no code in the dev mailbox for ${to}`);
  return code;
}

/** How many rows `table` holds: tests use it to show a refused request wrote nothing. */
export async function countRows(t: TestApp, table: keyof Database): Promise<number> {
  const row = await t.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
