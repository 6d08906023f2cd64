// Admin use cases over staff accounts: list, create, change roles, name and access.
import type { AppContext } from "../../context.js";
import { DomainError } from "../../http/errors.js";
import type { Role } from "../../http/permissions.js";
import { revokeUserSessions } from "../identity/sessions.js";
import type { StaffActor } from "./customer-lookup.js";
import {
  emailInUse,
  findStaffMember,
  insertStaffMember,
  listStaffMembers,
  lockStaffMember,
  type StaffRow,
  updateStaffMember,
} from "./store.js";

export const STAFF_PASSWORD_MIN = 12;

export type StaffRole = Exclude<Role, "customer">;

export type StaffView = {
  id: string;
  email: string | null;
  name: string | null;
  roles: string[];
  status: "active" | "frozen" | "disabled";
  disabled: boolean;
  totpEnabled: boolean;
  createdAt: string;
  lastLoginAt: string | null;
};

function toView(r: StaffRow): StaffView {
  const last = r.last_login_at;
  return {
    id: r.id,
    email: r.email,
    name: r.name,
    roles: r.roles,
    status: r.status,
    disabled: r.status === "disabled",
    totpEnabled: r.totp_enabled_at !== null,
    createdAt: r.created_at.toISOString(),
    lastLoginAt: last ? new Date(last).toISOString() : null,
  };
}

const unique = <T>(xs: readonly T[]) => [...new Set(xs)];

function isUniqueViolation(err: unknown): boolean {
  return typeof err === "object" && err !== null && "code" in err && err.code === "23505";
}

export async function listStaff(ctx: AppContext): Promise<StaffView[]> {
  return (await listStaffMembers(ctx.db)).map(toView);
}

async function staffView(ctx: AppContext, id: string): Promise<StaffView> {
  const row = await findStaffMember(ctx.db, id);
  if (!row) throw new DomainError("not_found", { detail: "No such member of staff" });
  return toView(row);
}

export async function createStaff(
  ctx: AppContext,
  input: { email: string; name: string; roles: StaffRole[]; password: string },
  actor: StaffActor,
): Promise<StaffView> {
  if ([...input.password].length < STAFF_PASSWORD_MIN) {
    throw new DomainError("weak_password", {
      detail: `Staff passwords need at least ${STAFF_PASSWORD_MIN} characters`,
      reason: "too_short",
      minLength: STAFF_PASSWORD_MIN,
    });
  }
  const email = input.email.toLowerCase();
  const roles = unique(input.roles);
  if (await emailInUse(ctx.db, email)) throw new DomainError("email_taken");
  const passwordHash = await ctx.crypto.hashPassword(input.password);
  let id: string;
  try {
    id = await ctx.db.transaction().execute(async (tx) => {
      const newId = await insertStaffMember(tx, {
        email,
        name: input.name,
        roles,
        passwordHash,
        now: ctx.clock.now(),
      });
      await ctx.audit.record(tx, {
        actor: { id: actor.id, kind: "staff", ip: actor.ip },
        action: "staff.created",
        target: { type: "user", id: newId },
        details: { roles, name: input.name },
      });
      return newId;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new DomainError("email_taken");
    throw err;
  }
  return staffView(ctx, id);
}

export async function updateStaff(
  ctx: AppContext,
  id: string,
  change: { roles?: StaffRole[]; disabled?: boolean; name?: string },
  actor: StaffActor,
): Promise<StaffView> {
  const self = id === actor.id;
  if (self && change.roles && !change.roles.includes("admin")) {
    throw new DomainError("conflict", {
      detail: "You cannot remove your own admin role",
      reason: "own_admin_role",
    });
  }
  if (self && change.disabled === true) {
    throw new DomainError("conflict", {
      detail: "You cannot disable your own account",
      reason: "own_account",
    });
  }
  await ctx.db.transaction().execute(async (tx) => {
    const before = await lockStaffMember(tx, id);
    if (!before) throw new DomainError("not_found", { detail: "No such member of staff" });
    const roles = change.roles ? unique(change.roles) : undefined;
    const status =
      change.disabled === true
        ? "disabled"
        : change.disabled === false && before.status === "disabled"
          ? "active"
          : undefined;
    await updateStaffMember(tx, id, { name: change.name, roles, status, now: ctx.clock.now() });
    const endedSessions = status === "disabled" ? await revokeUserSessions(tx, ctx.clock, id, "disabled") : 0;
    await ctx.audit.record(tx, {
      actor: { id: actor.id, kind: "staff", ip: actor.ip },
      action: "staff.updated",
      target: { type: "user", id },
      details: {
        ...(roles ? { roles: { from: before.roles, to: roles } } : {}),
        ...(change.name !== undefined ? { name: { from: before.name, to: change.name } } : {}),
        ...(status ? { status: { from: before.status, to: status }, endedSessions } : {}),
      },
    });
  });
  return staffView(ctx, id);
}
