// Registering a customer account with a phone number proven by a one-time code.
import type { AppContext } from "../../context.js";
import { DomainError } from "../../http/errors.js";
import { consumeOtp } from "./otp.js";
import { assertStrongPassword } from "./password-policy.js";
import { type ClientInfo, createSession, describeDevice } from "./sessions.js";
import {
  emailExists,
  findUserById,
  insertCustomer,
  insertLoginEvent,
  phoneExists,
  type UserRow,
} from "./users-store.js";

export type RegisterInput = {
  phone: string;
  password: string;
  otp: string;
  name?: string | undefined;
  email?: string | undefined;
  emailOtp?: string | undefined;
};

export async function registerCustomer(
  ctx: AppContext,
  input: RegisterInput,
  client: ClientInfo,
): Promise<{ user: UserRow; token: string }> {
  const email = input.email?.trim().toLowerCase();
  const name = input.name?.trim() || null;
  if (input.emailOtp && !email) {
    throw new DomainError("validation_failed", {
      detail: "emailOtp needs email",
      errors: [{ in: "body", path: "email", message: "required with emailOtp" }],
    });
  }
  // The password is judged before the code is spent, so a weak one does not cost a new SMS.
  assertStrongPassword(input.password, { phone: input.phone, email, name });
  await consumeOtp(ctx.db, ctx.clock, { destination: input.phone, purpose: "register", code: input.otp });
  if (email && input.emailOtp) {
    await consumeOtp(ctx.db, ctx.clock, {
      destination: email,
      purpose: "verify_email",
      code: input.emailOtp,
    });
  }
  const passwordHash = await ctx.crypto.hashPassword(input.password);
  const now = ctx.clock.now();
  const device = describeDevice(client.userAgent);

  const { userId, token } = await ctx.db.transaction().execute(async (tx) => {
    // The code proved the phone is the caller's, so saying it is taken reveals nothing new.
    if (await phoneExists(tx, input.phone)) throw new DomainError("phone_taken");
    if (email && (await emailExists(tx, email))) throw new DomainError("email_taken");
    const userId = await insertCustomer(tx, {
      phone: input.phone,
      email: email ?? null,
      emailVerifiedAt: email && input.emailOtp ? now : null,
      name,
      passwordHash,
      now,
    }).catch((err: unknown) => {
      throw uniqueViolation(err) ?? err;
    });
    const session = await createSession(tx, ctx.clock, userId, client);
    await insertLoginEvent(tx, {
      userId,
      ip: client.ip,
      userAgent: client.userAgent,
      device,
      result: "registered",
      at: now,
    });
    await ctx.audit.record(tx, {
      actor: { id: userId, kind: "customer", ip: client.ip },
      action: "auth.register",
      target: { type: "user", id: userId },
      details: { device, withEmail: email !== undefined, emailVerified: Boolean(email && input.emailOtp) },
    });
    return { userId, token: session.token };
  });
  const user = await findUserById(ctx.db, userId);
  if (!user) throw new DomainError("internal_error");
  return { user, token };
}

/** Two registrations racing for one phone or email: the loser gets the same answer as a late one. */
function uniqueViolation(err: unknown): DomainError | null {
  if (typeof err !== "object" || err === null) return null;
  const { code, constraint } = err as { code?: unknown; constraint?: unknown };
  if (code !== "23505") return null;
  if (constraint === "users_phone_key") return new DomainError("phone_taken");
  if (constraint === "users_email_key") return new DomainError("email_taken");
  return null;
}
