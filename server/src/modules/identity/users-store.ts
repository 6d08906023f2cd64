// SQL for users, login events and the login throttle: the identity module's store.
import type { Executor } from "../../db/database.js";
import type { UserKind } from "../../db/schema.js";

const profileColumns = [
  "id",
  "kind",
  "phone",
  "email",
  "email_verified_at",
  "name",
  "id_number_masked",
  "roles",
  "status",
  "verification_level",
  "payment_password_hash",
  "totp_enabled_at",
  "preferences",
  "created_at",
] as const;

export function findUserById(db: Executor, id: string) {
  return db
    .selectFrom("users")
    .select([...profileColumns, "password_hash", "totp_secret_enc"])
    .where("id", "=", id)
    .executeTakeFirst();
}

export type UserRow = NonNullable<Awaited<ReturnType<typeof findUserById>>>;

export function findUserByPhone(db: Executor, phone: string) {
  return db
    .selectFrom("users")
    .select([...profileColumns, "password_hash", "totp_secret_enc"])
    .where("phone", "=", phone)
    .executeTakeFirst();
}

export function findUserByEmail(db: Executor, email: string) {
  return db
    .selectFrom("users")
    .select([...profileColumns, "password_hash", "totp_secret_enc"])
    .where("email", "=", email)
    .executeTakeFirst();
}

export async function phoneExists(db: Executor, phone: string): Promise<boolean> {
  const row = await db.selectFrom("users").select("id").where("phone", "=", phone).executeTakeFirst();
  return row !== undefined;
}

export async function emailExists(db: Executor, email: string): Promise<boolean> {
  const row = await db.selectFrom("users").select("id").where("email", "=", email).executeTakeFirst();
  return row !== undefined;
}

export async function insertCustomer(
  db: Executor,
  u: {
    phone: string;
    email: string | null;
    emailVerifiedAt: Date | null;
    name: string | null;
    passwordHash: string;
    now: Date;
  },
): Promise<string> {
  const kind: UserKind = "customer";
  const row = await db
    .insertInto("users")
    .values({
      kind,
      phone: u.phone,
      email: u.email,
      email_verified_at: u.emailVerifiedAt,
      name: u.name,
      password_hash: u.passwordHash,
      roles: ["customer"],
      password_changed_at: u.now,
      created_at: u.now,
      updated_at: u.now,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function setPasswordHash(db: Executor, userId: string, passwordHash: string, now: Date) {
  await db
    .updateTable("users")
    .set({ password_hash: passwordHash, password_changed_at: now, updated_at: now })
    .where("id", "=", userId)
    .execute();
}

export type LoginResult =
  | "success"
  | "registered"
  | "invalid_credentials"
  | "invalid_mfa_code"
  | "mfa_required"
  | "captcha_required"
  | "invalid_captcha"
  | "locked"
  | "frozen"
  | "disabled";

/** Results that count as a failed guess of a secret (for the per-IP captcha threshold). */
export const failedGuessResults: readonly LoginResult[] = ["invalid_credentials", "invalid_mfa_code"];

export async function insertLoginEvent(
  db: Executor,
  e: {
    userId: string | null;
    ip: string | null;
    userAgent: string | null;
    device: string;
    result: LoginResult;
    at: Date;
  },
) {
  await db
    .insertInto("login_events")
    .values({
      user_id: e.userId,
      ip: e.ip,
      user_agent: e.userAgent?.slice(0, 512) ?? null,
      device: e.device,
      result: e.result,
      created_at: e.at,
    })
    .execute();
}

export async function countIpFailuresSince(db: Executor, ip: string, since: Date): Promise<number> {
  const row = await db
    .selectFrom("login_events")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .where("ip", "=", ip)
    .where("created_at", ">", since)
    .where("result", "in", failedGuessResults)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Whether the user ever logged in (or registered) from a device with this label. */
export async function knownDevice(
  db: Executor,
  userId: string,
  device: string,
): Promise<{ anyBefore: boolean; seen: boolean }> {
  const rows = await db
    .selectFrom("login_events")
    .select(["device"])
    .where("user_id", "=", userId)
    .where("result", "in", ["success", "registered"])
    .orderBy("id", "desc")
    .limit(200)
    .execute();
  return { anyBefore: rows.length > 0, seen: rows.some((r) => r.device === device) };
}

export function listLoginEvents(db: Executor, userId: string, cursor: bigint | undefined, limit: number) {
  let q = db
    .selectFrom("login_events")
    .select(["id", "created_at", "ip", "device", "result"])
    .where("user_id", "=", userId)
    .orderBy("id", "desc")
    .limit(limit + 1);
  if (cursor !== undefined) q = q.where("id", "<", cursor.toString());
  return q.execute();
}
