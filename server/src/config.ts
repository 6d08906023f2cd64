// Typed configuration from environment variables, validated once at start.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";

const levels = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().min(1).default("127.0.0.1"),
  PUBLIC_URL: z.url().optional(),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// URL")
    .optional(),
  DATA_DIR: z.string().min(1).default("./data"),
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  SECRET_KEY: z
    .string()
    .regex(/^[0-9a-f]{64}$/i, "must be 64 hex characters (32 bytes)")
    .optional(),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, "must be an smtp:// or smtps:// URL")
    .optional(),
  LOG_LEVEL: z.enum(levels).default("info"),
  WEB_DIST: z.string().optional(),
  TRUST_PROXY: z
    .string()
    .regex(
      /^(true|false|[0-9a-fA-F.:/]+(,\s*[0-9a-fA-F.:/]+)*)$/,
      "must be true, false or a list of proxy addresses",
    )
    .optional(),
  EMBEDDED_PG_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
  // Withdrawals: fee in basis points of the amount (10 = 0.1 %) with a minimum, in fen; up to
  // the auto-approve amount no review, from the dual-approval amount two different reviewers.
  WITHDRAWAL_FEE_RATE_BP: z.coerce.number().int().min(0).max(10_000).default(10),
  WITHDRAWAL_FEE_MIN: z.coerce.number().int().min(0).max(100_000_000).default(100),
  WITHDRAWAL_AUTO_APPROVE_MAX: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(200_000),
  WITHDRAWAL_DUAL_APPROVAL_MIN: z.coerce
    .number()
    .int()
    .min(1)
    .max(Number.MAX_SAFE_INTEGER)
    .default(5_000_000),
  // Alipay (all optional; the "alipay" top-up method exists only when the four are set).
  ALIPAY_APP_ID: z
    .string()
    .regex(/^\d{8,32}$/, "must be the digits of an Alipay app id")
    .optional(),
  ALIPAY_PRIVATE_KEY: z.string().min(100, "must be a PEM or base64 RSA private key").optional(),
  ALIPAY_PUBLIC_KEY: z.string().min(100, "must be a PEM or base64 RSA public key").optional(),
  ALIPAY_GATEWAY_URL: z.url().optional(),
  // Support tickets by email: the address customers write to (and replies come from), and the
  // inbound SMTP listener, off unless a port is given.
  SUPPORT_EMAIL_ADDRESS: z.email().default("support@opencounter.local"),
  SUPPORT_SMTP_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  SUPPORT_SMTP_HOST: z.string().min(1).default("127.0.0.1"),
});

export type Config = {
  port: number;
  host: string;
  publicUrl: string;
  databaseUrl: string | undefined;
  dataDir: string;
  env: "development" | "test" | "production";
  secretKey: Buffer;
  smtpUrl: string | undefined;
  logLevel: (typeof levels)[number];
  webDist: string | undefined;
  /** Fastify's trustProxy: which proxies may set X-Forwarded-For (client IPs drive login limits). */
  trustProxy: boolean | string;
  embeddedPgPort: number;
  /** Withdrawal fee and review thresholds, amounts in fen. */
  withdrawals: {
    feeRateBp: number;
    feeMin: bigint;
    autoApproveMax: bigint;
    dualApprovalMin: bigint;
  };
  /** Alipay open-platform credentials, or undefined when Alipay is not set up. */
  alipay: AlipayConfig | undefined;
  /** Support tickets by email: our address, and the inbound SMTP listener (off without a port). */
  supportEmail: { address: string; smtpPort: number | undefined; smtpHost: string };
};

export type AlipayConfig = {
  appId: string;
  /** The app's RSA private key (signs our requests). Never logged. */
  privateKey: string;
  /** Alipay's RSA public key (verifies answers and notifications). */
  alipayPublicKey: string;
  /** The open-platform gateway, e.g. https://openapi.alipay.com/gateway.do */
  gatewayUrl: string;
};

export class ConfigError extends Error {}

/**
 * A relative DATA_DIR is taken from the repository root, not the working directory: npm runs
 * workspace scripts inside server/, so `npm start`, `npm run audit:verify` and a start from
 * the root must all find the same ./data.
 */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** Reads and validates the environment; throws ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  const alipayVars = [e.ALIPAY_APP_ID, e.ALIPAY_PRIVATE_KEY, e.ALIPAY_PUBLIC_KEY, e.ALIPAY_GATEWAY_URL];
  if (alipayVars.some(Boolean) && !alipayVars.every(Boolean)) {
    throw new ConfigError(
      "Invalid configuration:\n  ALIPAY_*: set all four of ALIPAY_APP_ID, ALIPAY_PRIVATE_KEY, ALIPAY_PUBLIC_KEY, ALIPAY_GATEWAY_URL, or none",
    );
  }
  if (e.NODE_ENV === "production" && !e.SECRET_KEY) {
    throw new ConfigError("Invalid configuration:\n  SECRET_KEY: required when NODE_ENV=production");
  }
  const dataDir = path.resolve(REPO_ROOT, e.DATA_DIR);
  return {
    port: e.PORT,
    host: e.HOST,
    publicUrl: e.PUBLIC_URL ?? `http://localhost:${e.PORT}`,
    databaseUrl: e.DATABASE_URL,
    dataDir,
    env: e.NODE_ENV,
    secretKey: e.SECRET_KEY ? Buffer.from(e.SECRET_KEY, "hex") : loadOrCreateSecret(dataDir),
    smtpUrl: e.SMTP_URL,
    logLevel: e.LOG_LEVEL,
    webDist: e.WEB_DIST,
    trustProxy: parseTrustProxy(e.TRUST_PROXY),
    embeddedPgPort: e.EMBEDDED_PG_PORT,
    withdrawals: {
      feeRateBp: e.WITHDRAWAL_FEE_RATE_BP,
      feeMin: BigInt(e.WITHDRAWAL_FEE_MIN),
      autoApproveMax: BigInt(e.WITHDRAWAL_AUTO_APPROVE_MAX),
      dualApprovalMin: BigInt(e.WITHDRAWAL_DUAL_APPROVAL_MIN),
    },
    alipay:
      e.ALIPAY_APP_ID && e.ALIPAY_PRIVATE_KEY && e.ALIPAY_PUBLIC_KEY && e.ALIPAY_GATEWAY_URL
        ? {
            appId: e.ALIPAY_APP_ID,
            privateKey: e.ALIPAY_PRIVATE_KEY,
            alipayPublicKey: e.ALIPAY_PUBLIC_KEY,
            gatewayUrl: e.ALIPAY_GATEWAY_URL,
          }
        : undefined,
    supportEmail: {
      address: e.SUPPORT_EMAIL_ADDRESS.toLowerCase(),
      smtpPort: e.SUPPORT_SMTP_PORT,
      smtpHost: e.SUPPORT_SMTP_HOST,
    },
  };
}

function loadOrCreateSecret(dataDir: string): Buffer {
  const file = path.join(dataDir, "secret.key");
  if (existsSync(file)) return Buffer.from(readFileSync(file, "utf8").trim(), "hex");
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32);
  writeFileSync(file, key.toString("hex"), { mode: 0o600 });
  return key;
}

function parseTrustProxy(value: string | undefined): boolean | string {
  if (value === undefined || value === "false") return false;
  return value === "true" ? true : value;
}
