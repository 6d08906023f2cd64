// Logging in with a phone number or email and a password (plus a captcha and TOTP when due).
import type { AppContext } from "../../context.js";
import { randomToken } from "../../crypto.js";
import type { Tx } from "../../db/database.js";
import { DomainError } from "../../http/errors.js";
import { solveCaptcha } from "./captcha.js";
import {
  CAPTCHA_AFTER_FAILURES,
  clearThrottle,
  loginKey,
  readThrottle,
  recordFailure,
} from "./login-throttle.js";
import { notifySecurityEvent } from "./security-events.js";
import {
  type ClientInfo,
  createSession,
  describeDevice,
  revokeSession,
  type SessionStage,
} from "./sessions.js";
import { verifySecondFactor } from "./totp.js";
import {
  countIpFailuresSince,
  findUserByEmail,
  findUserByPhone,
  insertLoginEvent,
  knownDevice,
  type LoginResult,
  type UserRow,
} from "./users-store.js";

export const IP_CAPTCHA_FAILURES = 20;
const IP_WINDOW_MS = 15 * 60 * 1000;

export type LoginInput = {
  login: string;
  password: string;
  captchaId?: string | undefined;
  captcha?: string | undefined;
  totp?: string | undefined;
};

export type LoginOutcome = {
  user: UserRow;
  token: string;
  next: "enroll_totp" | null;
};

/** Phone numbers lose spaces, dashes and a +86 prefix; email addresses are lower-cased. */
export function normaliseLogin(login: string): string {
  const trimmed = login.trim();
  if (trimmed.includes("@")) return trimmed.toLowerCase();
  return trimmed.replace(/[\s-]/g, "").replace(/^\+?86(?=1\d{10}$)/, "");
}

export function findUserByLogin(db: AppContext["db"], normalised: string) {
  return normalised.includes("@") ? findUserByEmail(db, normalised) : findUserByPhone(db, normalised);
}

// A real argon2id hash to verify against when the login is unknown, so both take as long.
let dummyHash: Promise<string> | undefined;
function dummyPasswordHash(ctx: AppContext): Promise<string> {
  dummyHash ??= ctx.crypto.hashPassword(randomToken(16));
  return dummyHash;
}

export async function logIn(
  ctx: AppContext,
  input: LoginInput,
  client: ClientInfo,
  currentSessionId: string | null,
): Promise<LoginOutcome> {
  const normalised = normaliseLogin(input.login);
  const key = loginKey(ctx.crypto, normalised);
  const device = describeDevice(client.userAgent);
  const user = (await findUserByLogin(ctx.db, normalised)) ?? null;

  const refuse = async (result: LoginResult, error: DomainError): Promise<never> => {
    await ctx.db.transaction().execute((tx) => recordAttempt(ctx, tx, { user, client, device, result }));
    throw error;
  };

  const throttle = await readThrottle(ctx.db, ctx.clock, key);
  if (throttle.lockedUntil) {
    return refuse("locked", lockedError(throttle.lockedUntil.getTime() - ctx.clock.now().getTime()));
  }

  const ipFailures = client.ip
    ? await countIpFailuresSince(ctx.db, client.ip, new Date(ctx.clock.now().getTime() - IP_WINDOW_MS))
    : 0;
  if (throttle.failures >= CAPTCHA_AFTER_FAILURES || ipFailures >= IP_CAPTCHA_FAILURES) {
    if (!input.captchaId || input.captcha === undefined) {
      return refuse(
        "captcha_required",
        new DomainError("captcha_required", {
          detail: "Solve a captcha (GET /api/v1/auth/captcha) and send captchaId and captcha",
          captchaUrl: "/api/v1/auth/captcha",
        }),
      );
    } else if (!(await solveCaptcha(ctx.db, ctx.clock, input.captchaId, input.captcha))) {
      return refuse("invalid_captcha", new DomainError("invalid_captcha"));
    }
  }

  if (!user) {
    await ctx.crypto.verifyPassword(await dummyPasswordHash(ctx), input.password);
    return failGuess(ctx, { key, user, client, device, result: "invalid_credentials" });
  }
  if (!(await ctx.crypto.verifyPassword(user.password_hash, input.password))) {
    return failGuess(ctx, { key, user, client, device, result: "invalid_credentials" });
  }

  if (user.status === "frozen") return refuse("frozen", new DomainError("account_frozen"));
  if (user.status === "disabled") return refuse("disabled", new DomainError("account_disabled"));

  let secondFactor: "totp" | "backup_code" | null = null;
  if (user.totp_enabled_at) {
    if (!input.totp) {
      return refuse(
        "mfa_required",
        new DomainError("mfa_required", { detail: "Send the code from your authenticator app as totp" }),
      );
    } else {
      secondFactor = await verifySecondFactor(ctx.db, ctx, user.id, input.totp);
      if (!secondFactor) return failGuess(ctx, { key, user, client, device, result: "invalid_mfa_code" });
    }
  }

  const stage: SessionStage = user.kind === "staff" && !user.totp_enabled_at ? "mfa_enroll" : "full";
  const token = await ctx.db.transaction().execute(async (tx) => {
    await clearThrottle(tx, [key]);
    if (currentSessionId) await revokeSession(tx, ctx.clock, currentSessionId, "new_login");
    const { anyBefore, seen } = await knownDevice(tx, user.id, device);
    const session = await createSession(tx, ctx.clock, user.id, client, stage);
    await recordAttempt(ctx, tx, { user, client, device, result: "success", secondFactor, stage });
    if (anyBefore && !seen) {
      await notifySecurityEvent(tx, ctx, user, { kind: "new_device_login", device, ip: client.ip });
    }
    return session.token;
  });
  return { user, token, next: stage === "mfa_enroll" ? "enroll_totp" : null };
}

function lockedError(ms: number): DomainError {
  const retryAfter = Math.max(1, Math.ceil(ms / 1000));
  return new DomainError(
    "account_locked",
    { detail: `Too many failed attempts; try again in ${Math.ceil(retryAfter / 60)} min`, retryAfter },
    { "retry-after": String(retryAfter) },
  );
}

/** A wrong password or second factor: counts against the login key and may lock it. */
async function failGuess(
  ctx: AppContext,
  a: { key: string; user: UserRow | null; client: ClientInfo; device: string; result: LoginResult },
): Promise<never> {
  const lockMs = await ctx.db.transaction().execute(async (tx) => {
    const { lockMs } = await recordFailure(tx, ctx.clock, a.key);
    await recordAttempt(ctx, tx, { ...a, lockedFor: lockMs });
    if (lockMs !== null && a.user) {
      await notifySecurityEvent(tx, ctx, a.user, { kind: "account_locked", minutes: lockMs / 60_000 });
    }
    return lockMs;
  });
  if (lockMs !== null) throw lockedError(lockMs);
  throw new DomainError(a.result === "invalid_mfa_code" ? "invalid_mfa_code" : "invalid_credentials");
}

async function recordAttempt(
  ctx: AppContext,
  tx: Tx,
  a: {
    user: UserRow | null;
    client: ClientInfo;
    device: string;
    result: LoginResult;
    secondFactor?: "totp" | "backup_code" | null;
    stage?: SessionStage;
    lockedFor?: number | null;
  },
): Promise<void> {
  await insertLoginEvent(tx, {
    userId: a.user?.id ?? null,
    ip: a.client.ip,
    userAgent: a.client.userAgent,
    device: a.device,
    result: a.result,
    at: ctx.clock.now(),
  });
  const success = a.result === "success";
  await ctx.audit.record(tx, {
    actor: { id: a.user?.id ?? null, kind: a.user?.kind ?? "anonymous", ip: a.client.ip },
    action: success ? "auth.login.succeeded" : "auth.login.failed",
    ...(a.user ? { target: { type: "user", id: a.user.id } } : {}),
    details: {
      device: a.device,
      ...(success ? { stage: a.stage, secondFactor: a.secondFactor ?? null } : { reason: a.result }),
      ...(a.lockedFor ? { lockedForSeconds: a.lockedFor / 1000 } : {}),
      ...(a.user ? {} : { knownAccount: false }),
    },
  });
}
