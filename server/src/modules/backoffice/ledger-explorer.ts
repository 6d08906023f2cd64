// The console's ledger explorer: accounts, entries, transfers and holds, read-only. Customer
// data is masked, and every read that shows a customer's money lands in the audit trail.
import type { AppContext } from "../../context.js";
import type { LedgerAccountKind, LedgerHoldOutcome } from "../../db/schema.js";
import { DomainError } from "../../http/errors.js";
import { maskName, maskPhone } from "../identity/mask.js";
import { listEntries } from "../ledger/index.js";
import {
  type AccountCriterion,
  type ExplorerAccountRow,
  type ExplorerTransferRow,
  findAccounts,
  findExplorerAccount,
  findExplorerTransfer,
  findHoldEventRow,
  findReversalId,
  type HoldRow,
  listHoldRows,
  listTransferEntries,
  ownersOf,
} from "./ledger-explorer-store.js";

export type StaffActor = { id: string; ip: string | null };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A mainland phone (with or without +86), an account id, or the start of a system account's code. */
export function accountCriterionFor(query: string | undefined): AccountCriterion {
  const q = query?.trim() ?? "";
  if (q === "") return { by: "all" };
  const phone = /^(?:\+?86)?(1\d{10})$/.exec(q.replace(/[\s-]/g, ""));
  if (phone?.[1]) return { by: "phone", phone: phone[1] };
  if (UUID.test(q)) return { by: "id", id: q.toLowerCase() };
  if (/^[a-z_:0-9A-Z-]+$/.test(q)) return { by: "code", prefix: q };
  throw new DomainError("validation_failed", {
    detail: "Search by a phone number, an account id or an account code (system:…)",
    field: "q",
  });
}

function maskedQuery(c: AccountCriterion): string {
  switch (c.by) {
    case "phone":
      return maskPhone(c.phone);
    case "code":
      return c.prefix;
    case "id":
      return c.id;
    case "all":
      return "";
    default: {
      const never: never = c;
      throw new Error(`unknown criterion ${JSON.stringify(never)}`);
    }
  }
}

export type AccountView = {
  id: string;
  code: string | null;
  kind: LedgerAccountKind;
  currency: string;
  allowNegative: boolean;
  owner: { id: string; name: string | null; phone: string | null } | null;
  balance: number;
  pendingDebits: number;
  pendingCredits: number;
  available: number;
  createdAt: string;
};

function toAccountView(r: ExplorerAccountRow): AccountView {
  return {
    id: r.id,
    code: r.code,
    kind: r.kind,
    currency: r.currency.trim(),
    allowNegative: r.allow_negative,
    owner: r.owner_user_id
      ? {
          id: r.owner_user_id,
          name: r.owner_name ? maskName(r.owner_name) : null,
          phone: r.owner_phone ? maskPhone(r.owner_phone) : null,
        }
      : null,
    balance: Number(r.balance),
    pendingDebits: Number(r.pending_debits),
    pendingCredits: Number(r.pending_credits),
    available: Number(r.balance - r.pending_debits),
    createdAt: r.created_at.toISOString(),
  };
}

export async function searchLedgerAccounts(
  ctx: AppContext,
  q: { q?: string; kind?: LedgerAccountKind; currency?: string; cursor?: string; limit: number },
  actor: StaffActor,
): Promise<{ items: AccountView[]; nextCursor: string | null }> {
  const criterion = accountCriterionFor(q.q);
  if (q.cursor !== undefined && !UUID.test(q.cursor)) {
    throw new DomainError("bad_request", { detail: "The cursor is not one this server issued" });
  }
  const rows = await findAccounts(ctx.db, {
    criterion,
    kind: q.kind,
    currency: q.currency,
    after: q.cursor,
    limit: q.limit + 1,
  });
  const page = rows.slice(0, q.limit);
  await ctx.audit.record(ctx.db, {
    actor: { id: actor.id, kind: "staff", ip: actor.ip },
    action: "ledger.accounts_searched",
    details: {
      by: criterion.by,
      query: maskedQuery(criterion),
      kind: q.kind ?? null,
      matches: page.length,
      customerAccounts: page.filter((r) => r.owner_user_id !== null).length,
    },
  });
  const last = page.at(-1);
  return { items: page.map(toAccountView), nextCursor: rows.length > q.limit && last ? last.id : null };
}

export type EntryView = {
  id: string;
  transferId: string;
  type: string;
  amount: number;
  balanceAfter: number;
  counterpartyAccountId: string;
  memo: string | null;
  createdAt: string;
};

export type HoldView = {
  id: string;
  type: string;
  currency: string;
  amount: number;
  debitAccountId: string;
  creditAccountId: string;
  status: "pending" | LedgerHoldOutcome;
  postedAmount: number;
  postingTransferId: string | null;
  expiresAt: string | null;
  createdAt: string;
};

function toHoldView(r: HoldRow): HoldView {
  return {
    id: r.id,
    type: r.type,
    currency: r.currency.trim(),
    amount: Number(r.amount),
    debitAccountId: r.debit_account_id,
    creditAccountId: r.credit_account_id,
    status: r.outcome ?? "pending",
    postedAmount: Number(r.posted_amount ?? 0n),
    postingTransferId: r.posting_transfer_id,
    expiresAt: r.expires_at?.toISOString() ?? null,
    createdAt: r.created_at.toISOString(),
  };
}

/** One account: balances, a page of entries (newest first, keyset) and its open holds. Audited. */
export async function viewLedgerAccount(
  ctx: AppContext,
  id: string,
  page: { cursor?: string; limit: number },
  actor: StaffActor,
): Promise<{ account: AccountView; entries: EntryView[]; nextCursor: string | null; holds: HoldView[] }> {
  const row = await findExplorerAccount(ctx.db, id);
  if (!row) throw new DomainError("not_found", { detail: "No such ledger account" });
  const entries = await listEntries(ctx, id, { cursor: page.cursor, limit: page.limit });
  const holds = await listHoldRows(ctx.db, { status: "pending", accountId: id, limit: 50 });
  await ctx.audit.record(ctx.db, {
    actor: { id: actor.id, kind: "staff", ip: actor.ip },
    action: "ledger.account_viewed",
    target: { type: "ledger_account", id },
    details: { subjectUserId: row.owner_user_id, kind: row.kind, page: page.cursor ?? null },
  });
  return {
    account: toAccountView(row),
    entries: entries.items.map((e) => ({
      id: e.id,
      transferId: e.transferId,
      type: e.type,
      amount: Number(e.amount),
      balanceAfter: Number(e.balanceAfter),
      counterpartyAccountId: e.counterpartyAccountId,
      memo: e.memo,
      createdAt: e.createdAt.toISOString(),
    })),
    nextCursor: entries.nextCursor,
    holds: holds.map(toHoldView),
  };
}

export type TransferView = {
  id: string;
  seq: string;
  type: string;
  currency: string;
  amount: number;
  debitAccountId: string;
  creditAccountId: string;
  status: "posted" | "pending";
  memo: string | null;
  metadata: Record<string, unknown>;
  hash: string;
  createdAt: string;
  /** For a hold: when it voids itself. */
  expiresAt: string | null;
  /** This transfer posts (part of) that hold. */
  holdId: string | null;
  /** This transfer reverses that one. */
  reversesTransferId: string | null;
  /** The transfer that reverses this one, if any. */
  reversedByTransferId: string | null;
  entries: { id: string; accountId: string; amount: number; balanceAfter: number; createdAt: string }[];
  /** For a hold: its one outcome, or null while it is open. */
  holdEvent: {
    outcome: LedgerHoldOutcome;
    postedAmount: number;
    postingTransferId: string | null;
    reason: string | null;
    createdAt: string;
  } | null;
};

function toTransferView(
  t: ExplorerTransferRow,
): Omit<TransferView, "entries" | "holdEvent" | "reversedByTransferId"> {
  return {
    id: t.id,
    seq: t.seq.toString(),
    type: t.type,
    currency: t.currency.trim(),
    amount: Number(t.amount),
    debitAccountId: t.debit_account_id,
    creditAccountId: t.credit_account_id,
    status: t.status,
    memo: t.memo,
    metadata: t.metadata,
    hash: t.hash,
    createdAt: t.created_at.toISOString(),
    expiresAt: t.expires_at?.toISOString() ?? null,
    holdId: t.hold_id,
    reversesTransferId: t.reverses_transfer_id,
  };
}

/** One transfer with its entries, its hold outcome and its reversal. Audited. */
export async function viewLedgerTransfer(
  ctx: AppContext,
  id: string,
  actor: StaffActor,
): Promise<TransferView> {
  const t = await findExplorerTransfer(ctx.db, id);
  if (!t) throw new DomainError("not_found", { detail: "No such transfer" });
  const [entries, event, reversal, owners] = await Promise.all([
    listTransferEntries(ctx.db, id),
    t.status === "pending" ? findHoldEventRow(ctx.db, id) : Promise.resolve(undefined),
    findReversalId(ctx.db, id),
    ownersOf(ctx.db, [t.debit_account_id, t.credit_account_id]),
  ]);
  await ctx.audit.record(ctx.db, {
    actor: { id: actor.id, kind: "staff", ip: actor.ip },
    action: "ledger.transfer_viewed",
    target: { type: "ledger_transfer", id },
    details: { subjectUserIds: [...new Set([...owners.values()].filter((o) => o !== null))] },
  });
  return {
    ...toTransferView(t),
    reversedByTransferId: reversal?.id ?? null,
    entries: entries.map((e) => ({
      id: String(e.id),
      accountId: e.account_id,
      amount: Number(e.amount),
      balanceAfter: Number(e.balance_after),
      createdAt: e.created_at.toISOString(),
    })),
    holdEvent: event
      ? {
          outcome: event.outcome,
          postedAmount: Number(event.posted_amount),
          postingTransferId: event.posting_transfer_id,
          reason: event.reason,
          createdAt: event.created_at.toISOString(),
        }
      : null,
  };
}

/** Holds newest first, by outcome. The cursor is the last hold's sequence number. Audited. */
export async function listLedgerHolds(
  ctx: AppContext,
  q: { status?: "pending" | LedgerHoldOutcome; cursor?: string; limit: number },
  actor: StaffActor,
): Promise<{ items: HoldView[]; nextCursor: string | null }> {
  if (q.cursor !== undefined && !/^[1-9][0-9]{0,18}$/.test(q.cursor)) {
    throw new DomainError("bad_request", { detail: "The cursor is not one this server issued" });
  }
  const rows = await listHoldRows(ctx.db, {
    status: q.status,
    beforeSeq: q.cursor ? BigInt(q.cursor) : undefined,
    limit: q.limit + 1,
  });
  const page = rows.slice(0, q.limit);
  await ctx.audit.record(ctx.db, {
    actor: { id: actor.id, kind: "staff", ip: actor.ip },
    action: "ledger.holds_listed",
    details: { status: q.status ?? null, count: page.length },
  });
  const last = page.at(-1);
  return {
    items: page.map(toHoldView),
    nextCursor: rows.length > q.limit && last ? last.seq.toString() : null,
  };
}
