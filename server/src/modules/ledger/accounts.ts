// Opening accounts: one per customer, currency and kind, and named system accounts.
import type { LedgerAccountKind } from "../../db/schema.js";
import { DomainError } from "../../http/errors.js";
import { checkAccountId, checkCurrency, type LedgerDeps } from "./service.js";
import {
  type AccountRow,
  findAccountByCode,
  findOwnedAccount,
  insertCustomerAccount,
  insertSystemAccount,
} from "./store.js";

export type Account = {
  id: string;
  code: string | null;
  ownerUserId: string | null;
  currency: string;
  kind: LedgerAccountKind;
  allowNegative: boolean;
};

function toAccount(r: AccountRow): Account {
  return {
    id: r.id,
    code: r.code,
    ownerUserId: r.owner_user_id,
    currency: r.currency.trim(),
    kind: r.kind,
    allowNegative: r.allow_negative,
  };
}

/** The system account for `code`, e.g. systemAccountCode("gateway_clearing", "CNY"). */
export function systemAccountCode(kind: LedgerAccountKind, currency: string, name?: string): string {
  return ["system", kind, ...(name ? [name] : []), currency].join(":");
}

/** The `name` a system account's code was made with (systemAccountCode), or null if none. */
export function systemAccountName(code: string): string | null {
  const parts = code.split(":");
  return parts.length === 4 ? (parts[2] ?? null) : null;
}

// Clearing and adjustment accounts stand for money outside the wallet (a gateway, a bank, the
// operator's corrections): their balances are the mirror of customer money and go negative.
function negativeByDefault(kind: LedgerAccountKind): boolean {
  switch (kind) {
    case "gateway_clearing":
    case "adjustments":
    case "settlement":
      return true;
    case "customer":
    case "withdrawal_clearing":
    case "fees":
    case "merchant":
      return false;
    default: {
      const unexpected: never = kind;
      throw new Error(`unknown account kind ${String(unexpected)}`);
    }
  }
}

/** The owner's customer account in this currency, if it is open (a read: nothing is created). */
export async function findCustomerAccount(
  deps: Pick<LedgerDeps, "db">,
  ownerUserId: string,
  currency: string,
): Promise<Account | undefined> {
  checkAccountId(ownerUserId, "ownerUserId");
  checkCurrency(currency);
  const row = await findOwnedAccount(deps.db, ownerUserId, currency, "customer");
  return row ? toAccount(row) : undefined;
}

/** The owner's account for this currency and kind, opened on first use. Never overdraws by default. */
export async function openAccount(
  deps: Pick<LedgerDeps, "db">,
  a: { ownerUserId: string; currency: string; kind?: LedgerAccountKind; allowNegative?: boolean },
): Promise<Account> {
  checkAccountId(a.ownerUserId, "ownerUserId");
  checkCurrency(a.currency);
  const kind = a.kind ?? "customer";
  try {
    await insertCustomerAccount(deps.db, {
      ownerUserId: a.ownerUserId,
      currency: a.currency,
      kind,
      allowNegative: a.allowNegative ?? false,
    });
  } catch (err) {
    if ((err as { code?: string }).code === "23503")
      throw new DomainError("not_found", { detail: "no such user" });
    throw err;
  }
  const row = await findOwnedAccount(deps.db, a.ownerUserId, a.currency, kind);
  if (!row) throw new Error("account vanished after opening");
  return toAccount(row);
}

export async function getOrCreateSystemAccount(
  deps: Pick<LedgerDeps, "db">,
  code: string,
  currency: string,
  kind: Exclude<LedgerAccountKind, "customer">,
  opts: { allowNegative?: boolean } = {},
): Promise<Account> {
  checkCurrency(currency);
  if (!/^system:[a-z_]+(:[a-z0-9_-]+)*:[A-Z]{3}$/.test(code) || !code.endsWith(`:${currency}`)) {
    throw new DomainError("validation_failed", {
      detail: "system codes read system:<kind>[:<name>]:<currency>",
    });
  }
  await insertSystemAccount(deps.db, {
    code,
    currency,
    kind,
    allowNegative: opts.allowNegative ?? negativeByDefault(kind),
  });
  const row = await findAccountByCode(deps.db, code);
  if (!row) throw new Error("account vanished after opening");
  if (row.kind !== kind || row.currency.trim() !== currency) {
    throw new DomainError("conflict", { detail: `${code} exists as another kind or currency` });
  }
  return toAccount(row);
}
