// SQL for the console: customer look-ups and staff accounts.
import type { Executor, Tx } from "../../db/database.js";
import type { UserStatus } from "../../db/schema.js";

export type CustomerMatchRow = {
  id: string;
  name: string | null;
  phone: string | null;
  email: string | null;
  status: UserStatus;
  created_at: Date;
};

export type CustomerCriterion =
  | { by: "phone"; phone: string }
  | { by: "email"; email: string }
  | { by: "name"; prefix: string };

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

export function findCustomers(
  db: Executor,
  criterion: CustomerCriterion,
  limit: number,
): Promise<CustomerMatchRow[]> {
  let q = db
    .selectFrom("users")
    .select(["id", "name", "phone", "email", "status", "created_at"])
    .where("kind", "=", "customer")
    .orderBy("created_at", "desc")
    .orderBy("id")
    .limit(limit);
  switch (criterion.by) {
    case "phone":
      q = q.where("phone", "=", criterion.phone);
      break;
    case "email":
      q = q.where("email", "=", criterion.email);
      break;
    case "name":
      q = q.where("name", "like", `${escapeLike(criterion.prefix)}%`);
      break;
    default: {
      const never: never = criterion;
      throw new Error(`unknown criterion ${JSON.stringify(never)}`);
    }
  }
  return q.execute();
}

export function findCustomer(db: Executor, id: string) {
  return db
    .selectFrom("users")
    .select([
      "id",
      "name",
      "phone",
      "email",
      "email_verified_at",
      "id_number_masked",
      "status",
      "frozen_at",
      "verification_level",
      "totp_enabled_at",
      "created_at",
    ])
    .where("id", "=", id)
    .where("kind", "=", "customer")
    .executeTakeFirst();
}

export async function countLiveBankCards(db: Executor, userId: string): Promise<number> {
  const row = await db
    .selectFrom("bank_cards")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .where("user_id", "=", userId)
    .where("removed_at", "is", null)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

export function recentLoginEvents(db: Executor, userId: string, limit: number) {
  return db
    .selectFrom("login_events")
    .select(["created_at", "ip", "device", "result"])
    .where("user_id", "=", userId)
    .orderBy("id", "desc")
    .limit(limit)
    .execute();
}

function selectStaff(db: Executor) {
  return db
    .selectFrom("users")
    .select((eb) => [
      "users.id",
      "users.email",
      "users.name",
      "users.roles",
      "users.status",
      "users.totp_enabled_at",
      "users.created_at",
      eb
        .selectFrom("sessions")
        .select((s) => s.fn.max("sessions.created_at").as("at"))
        .whereRef("sessions.user_id", "=", "users.id")
        .as("last_login_at"),
    ])
    .where("users.kind", "=", "staff");
}

export type StaffRow = NonNullable<Awaited<ReturnType<typeof findStaffMember>>>;

export function listStaffMembers(db: Executor) {
  return selectStaff(db).orderBy("users.created_at").orderBy("users.id").limit(1000).execute();
}

export function findStaffMember(db: Executor, id: string) {
  return selectStaff(db).where("users.id", "=", id).executeTakeFirst();
}

/** Locks the staff row so two admins editing one colleague apply their changes in turn. */
export function lockStaffMember(tx: Tx, id: string) {
  return tx
    .selectFrom("users")
    .select(["id", "name", "roles", "status"])
    .where("id", "=", id)
    .where("kind", "=", "staff")
    .forUpdate()
    .executeTakeFirst();
}

export async function emailInUse(db: Executor, email: string): Promise<boolean> {
  const row = await db.selectFrom("users").select("id").where("email", "=", email).executeTakeFirst();
  return row !== undefined;
}

export async function insertStaffMember(
  tx: Tx,
  s: { email: string; name: string; roles: string[]; passwordHash: string; now: Date },
): Promise<string> {
  const row = await tx
    .insertInto("users")
    .values({
      kind: "staff",
      email: s.email,
      // An admin vouches for a colleague's work address.
      email_verified_at: s.now,
      name: s.name,
      password_hash: s.passwordHash,
      roles: s.roles,
      password_changed_at: s.now,
      created_at: s.now,
      updated_at: s.now,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function updateStaffMember(
  tx: Tx,
  id: string,
  change: { name?: string; roles?: string[]; status?: UserStatus; now: Date },
): Promise<void> {
  await tx
    .updateTable("users")
    .set({
      ...(change.name !== undefined ? { name: change.name } : {}),
      ...(change.roles !== undefined ? { roles: change.roles } : {}),
      ...(change.status !== undefined ? { status: change.status } : {}),
      updated_at: change.now,
    })
    .where("id", "=", id)
    .execute();
}
