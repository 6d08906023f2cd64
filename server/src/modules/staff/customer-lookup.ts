// Staff look-ups of customers: masked results only, and every look-up lands in the audit trail.
import type { AppContext } from "../../context.js";
import { DomainError } from "../../http/errors.js";
import { maskEmail, maskIdNumber, maskName, maskPhone } from "../identity/mask.js";
import {
  type CustomerCriterion,
  countLiveBankCards,
  findCustomer,
  findCustomers,
  recentLoginEvents,
} from "./store.js";

export type StaffActor = { id: string; ip: string | null };

const SEARCH_LIMIT = 20;
const RECENT_LOGINS = 10;

/** Exact phone (with or without +86), exact email, or otherwise a name prefix. */
export function criterionFor(query: string): CustomerCriterion {
  const q = query.trim();
  const phone = /^(?:\+?86[\s-]?)?(1\d{10})$/.exec(q.replace(/[\s-]/g, ""));
  if (phone?.[1]) return { by: "phone", phone: phone[1] };
  if (q.includes("@")) return { by: "email", email: q.toLowerCase() };
  return { by: "name", prefix: q };
}

/** The query as it may appear in the audit trail: never a plain phone number or address. */
function maskedQuery(c: CustomerCriterion): string {
  switch (c.by) {
    case "phone":
      return maskPhone(c.phone);
    case "email":
      return maskEmail(c.email);
    case "name":
      return maskName(c.prefix);
    default: {
      const never: never = c;
      throw new Error(`unknown criterion ${JSON.stringify(never)}`);
    }
  }
}

const maskOrNull = (value: string | null, mask: (v: string) => string) => (value ? mask(value) : null);

export async function searchCustomers(ctx: AppContext, query: string, actor: StaffActor) {
  const criterion = criterionFor(query);
  const rows = await findCustomers(ctx.db, criterion, SEARCH_LIMIT);
  await ctx.audit.record(ctx.db, {
    actor: { id: actor.id, kind: "staff", ip: actor.ip },
    action: "customer.search",
    details: { by: criterion.by, query: maskedQuery(criterion), matches: rows.length },
  });
  return rows.map((r) => ({
    id: r.id,
    name: maskOrNull(r.name, maskName),
    phone: maskOrNull(r.phone, maskPhone),
    email: maskOrNull(r.email, maskEmail),
    status: r.status,
    createdAt: r.created_at.toISOString(),
  }));
}

export async function viewCustomer(ctx: AppContext, id: string, actor: StaffActor) {
  const user = await findCustomer(ctx.db, id);
  if (!user) throw new DomainError("not_found", { detail: "No such customer" });
  const [bankCards, logins] = await Promise.all([
    countLiveBankCards(ctx.db, id),
    recentLoginEvents(ctx.db, id, RECENT_LOGINS),
  ]);
  await ctx.audit.record(ctx.db, {
    actor: { id: actor.id, kind: "staff", ip: actor.ip },
    action: "customer.viewed",
    target: { type: "user", id },
  });
  return {
    id: user.id,
    name: maskOrNull(user.name, maskName),
    phone: maskOrNull(user.phone, maskPhone),
    email: maskOrNull(user.email, maskEmail),
    emailVerified: user.email_verified_at !== null,
    // Stored already masked; masked again so a row written by other code cannot leak a full number.
    idNumber: maskOrNull(user.id_number_masked, maskIdNumber),
    status: user.status,
    frozenAt: user.frozen_at?.toISOString() ?? null,
    verificationLevel: user.verification_level,
    totpEnabled: user.totp_enabled_at !== null,
    createdAt: user.created_at.toISOString(),
    counts: { bankCards },
    recentLogins: logins.map((l) => ({
      at: l.created_at.toISOString(),
      ip: l.ip,
      device: l.device,
      result: l.result,
    })),
  };
}
