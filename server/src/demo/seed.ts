// Development-only demo data: two customers with money and a history in their wallets, and five
// staff with two-step verification set up.
// main.ts calls this outside production. Idempotent: a second start creates and changes nothing.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { sql } from "kysely";
import * as OTPAuth from "otpauth";
import type { AppContext } from "../context.js";
import type { Executor } from "../db/database.js";
import { idNumberCheckChar, maskIdNumber, passesLuhn } from "../modules/identity/index.js";
import { seedDemoMerchants } from "../modules/wallet/payments.js";
import { seedDemoSupport } from "./support-seed.js";
import { DEMO_PAYMENT_PASSWORD, seedDemoWallets } from "./wallet-seed.js";

export const DEMO_CUSTOMER_PASSWORD = "Demo-Counter-2026";
export const DEMO_STAFF_PASSWORD = "Staff-Counter-2026";
export const DEMO_LOGINS_FILE = "demo-logins.json";

const TOTP_ISSUER = "OpenCounter";
// Serialises two processes seeding one database at the same moment.
const DEMO_SEED_LOCK = 7_270_002;

// Demo customers are real-name verified (Class II under PBOC No. 43: a reviewed ID number, a bound
// phone and a bank card in the same name), so the demo can pay and transfer beyond Class I's
// ¥1,000 lifetime cap. The ID and card numbers pass their checksums and belong to nobody.
const demoCustomers = [
  {
    role: "customer",
    phone: "13800138000",
    name: "张三",
    idBase: "11010519900307123",
    card: "622202100000000001",
  },
  {
    role: "customer2",
    phone: "13900139000",
    name: "李四",
    idBase: "31010419850612456",
    card: "622848200000000002",
  },
] as const;

/** Appends the check character (GB 11643) or digit (Luhn) to a demo number. */
function demoIdNumber(base: string): string {
  return base + idNumberCheckChar(base);
}
function demoCardNumber(base: string): string {
  for (let d = 0; d <= 9; d++) if (passesLuhn(`${base}${d}`)) return `${base}${d}`;
  throw new Error("no Luhn digit");
}

export const demoStaff = [
  { role: "agent", email: "agent@opencounter.local", name: "演示坐席 Demo Agent" },
  { role: "reviewer", email: "reviewer@opencounter.local", name: "演示审核员 Demo Reviewer" },
  { role: "admin", email: "admin@opencounter.local", name: "演示管理员 Demo Admin" },
  { role: "supervisor", email: "supervisor@opencounter.local", name: "演示主管 Demo Supervisor" },
  { role: "finance", email: "finance@opencounter.local", name: "演示财务 Demo Finance" },
] as const;

/** The shape of <DATA_DIR>/demo-logins.json (also read by the browser tests). */
export type DemoLogin = {
  role: string;
  login: string;
  password: string;
  name: string;
  /** Customers: the six-digit payment password their demo payments were made with. */
  paymentPassword?: string;
  totpSecret?: string;
  otpauthUrl?: string;
};

export function demoTotp(secretBase32: string, label: string): OTPAuth.TOTP {
  return new OTPAuth.TOTP({
    issuer: TOTP_ISSUER,
    label,
    algorithm: "SHA1",
    digits: 6,
    period: 30,
    secret: OTPAuth.Secret.fromBase32(secretBase32),
  });
}

async function missingAccounts(db: Executor) {
  const phones = demoCustomers.map((c) => c.phone);
  const emails = demoStaff.map((s) => s.email);
  const found = await db
    .selectFrom("users")
    .select(["phone", "email"])
    .where((eb) => eb.or([eb("phone", "in", phones), eb("email", "in", emails)]))
    .execute();
  const have = new Set(found.flatMap((r) => [r.phone, r.email]));
  return {
    customers: demoCustomers.filter((c) => !have.has(c.phone)),
    staff: demoStaff.filter((s) => !have.has(s.email)),
  };
}

async function createMissingAccounts(ctx: AppContext): Promise<void> {
  const missing = await missingAccounts(ctx.db);
  if (missing.customers.length === 0 && missing.staff.length === 0) return;
  // Hashing is slow on purpose; do it before taking the lock.
  const customerHash = await ctx.crypto.hashPassword(DEMO_CUSTOMER_PASSWORD);
  const staffHash = await ctx.crypto.hashPassword(DEMO_STAFF_PASSWORD);
  await ctx.db.transaction().execute(async (tx) => {
    await sql`select pg_advisory_xact_lock(${DEMO_SEED_LOCK})`.execute(tx);
    const still = await missingAccounts(tx);
    const now = ctx.clock.now();
    const created: string[] = [];
    for (const c of still.customers) {
      const idNumber = demoIdNumber(c.idBase);
      const card = demoCardNumber(c.card);
      const user = await tx
        .insertInto("users")
        .values({
          kind: "customer",
          phone: c.phone,
          name: c.name,
          password_hash: customerHash,
          roles: ["customer"],
          id_number_enc: ctx.crypto.encrypt(idNumber),
          id_number_masked: maskIdNumber(idNumber),
          id_number_hash: ctx.crypto.lookupHash(idNumber),
          verification_level: 2,
          password_changed_at: now,
          created_at: now,
          updated_at: now,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      await tx
        .insertInto("bank_cards")
        .values({
          user_id: user.id,
          card_enc: ctx.crypto.encrypt(card),
          card_hash: ctx.crypto.lookupHash(card),
          last4: card.slice(-4),
          holder_name: c.name,
          bank_name: "演示银行 Demo Bank",
          created_at: now,
        })
        .execute();
      created.push(c.role);
    }
    for (const s of still.staff) {
      const secret = new OTPAuth.Secret({ size: 20 }).base32;
      await tx
        .insertInto("users")
        .values({
          kind: "staff",
          email: s.email,
          email_verified_at: now,
          name: s.name,
          password_hash: staffHash,
          roles: [s.role],
          totp_secret_enc: ctx.crypto.encrypt(secret),
          totp_enabled_at: now,
          password_changed_at: now,
          created_at: now,
          updated_at: now,
        })
        .execute();
      created.push(s.role);
    }
    if (created.length > 0) {
      await ctx.audit.record(tx, {
        actor: { id: null, kind: "system" },
        action: "demo.seeded",
        details: { created },
      });
    }
  });
}

/**
 * The demo staff's current TOTP secrets, read from the database (the truth, even after someone
 * re-enrolled in the demo); null for an account that is gone or whose secret no longer decrypts.
 */
export async function demoStaffSecrets(
  ctx: Pick<AppContext, "db" | "crypto">,
): Promise<Array<{ role: string; email: string; name: string; secret: string | null }>> {
  const rows = await ctx.db
    .selectFrom("users")
    .select(["email", "name", "totp_secret_enc", "totp_enabled_at"])
    .where(
      "email",
      "in",
      demoStaff.map((s) => s.email),
    )
    .where("kind", "=", "staff")
    .execute();
  return demoStaff.flatMap((s) => {
    const row = rows.find((r) => r.email === s.email);
    if (!row) return [];
    let secret: string | null = null;
    if (row.totp_secret_enc && row.totp_enabled_at) {
      try {
        secret = ctx.crypto.decrypt(row.totp_secret_enc);
      } catch {
        secret = null; // encrypted under another SECRET_KEY
      }
    }
    return [{ role: s.role, email: s.email, name: row.name ?? s.name, secret }];
  });
}

async function demoLogins(ctx: AppContext): Promise<DemoLogin[]> {
  const customers: DemoLogin[] = demoCustomers.map((c) => ({
    role: c.role,
    login: c.phone,
    password: DEMO_CUSTOMER_PASSWORD,
    name: c.name,
    paymentPassword: DEMO_PAYMENT_PASSWORD,
  }));
  const staff: DemoLogin[] = (await demoStaffSecrets(ctx)).map((s) => ({
    role: s.role,
    login: s.email,
    password: DEMO_STAFF_PASSWORD,
    name: s.name,
    ...(s.secret ? { totpSecret: s.secret, otpauthUrl: demoTotp(s.secret, s.email).toString() } : {}),
  }));
  return [...customers, ...staff];
}

function linesFor(logins: DemoLogin[]): string[] {
  const width = Math.max(...logins.map((l) => l.role.length)) + 2;
  return logins.map((l) => {
    const head = `${l.role.padEnd(width)}${l.login} / ${l.password}`;
    if (l.role.startsWith("customer"))
      return `${head}  (${l.name}, payment password ${DEMO_PAYMENT_PASSWORD})`;
    return l.totpSecret
      ? `${head}  TOTP secret ${l.totpSecret} (add to an authenticator app, or see /dev/mailbox)`
      : `${head}  (TOTP secret unknown: it was encrypted with another SECRET_KEY)`;
  });
}

/** Writes the file only when its content would change, so a second start leaves it alone. */
function saveLogins(dataDir: string, logins: DemoLogin[]): string {
  const file = path.join(dataDir, DEMO_LOGINS_FILE);
  const content = `${JSON.stringify({ logins }, null, 2)}\n`;
  const current = existsSync(file) ? readFileSync(file, "utf8") : null;
  if (current !== content) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, content, { mode: 0o600 });
    chmodSync(file, 0o600); // mode above applies only when the file is new
  }
  return file;
}

export async function seedDemoData(ctx: AppContext): Promise<{ lines: string[] }> {
  await createMissingAccounts(ctx);
  // Shops and billers to pay from the wallet, including a 话费充值 phone top-up biller.
  await seedDemoMerchants(ctx);
  // Money in the demo wallets, and a history to look at (top-ups, payments, a transfer).
  await seedDemoWallets(ctx);
  const logins = await demoLogins(ctx);
  // A few tickets for the console's support desk (after the logins: they name 李四 and the agent).
  await seedDemoSupport(ctx);
  const file = saveLogins(ctx.config.dataDir, logins);
  return { lines: [...linesFor(logins), `(also in ${file})`] };
}
