// Helpers for the wallet tests: customers with a payment password and money from the adjustments account.
import { randomUUID } from "node:crypto";
import { countRows, createCustomer, type LoggedIn } from "../../../test/factories.js";
import type { TestApp } from "../../../test/harness.js";
import { getOrCreateSystemAccount, openAccount, postTransfer, systemAccountCode } from "../ledger/index.js";

export const PAYMENT_PASSWORD = "258036";

export type Customer = LoggedIn & { phone: string };

/** A logged-in customer with a payment password and, when `fen` is above zero, that much money. */
export async function fundedCustomer(
  t: TestApp,
  fen = 0n,
  opts: { name?: string | null } = {},
): Promise<Customer> {
  const customer = await createCustomer(t, { name: opts.name === undefined ? "张小三" : opts.name });
  await t.db
    .updateTable("users")
    .set({ payment_password_hash: await t.ctx.crypto.hashPassword(PAYMENT_PASSWORD) })
    .where("id", "=", customer.user.id)
    .execute();
  if (fen > 0n) await fund(t, customer.user.id, fen);
  const phone = customer.user.phone;
  if (!phone) throw new Error("factory customer has no phone");
  return { ...customer, phone };
}

/** Credits `fen` to the customer's CNY account from the operator's adjustments account. */
export async function fund(t: TestApp, userId: string, fen: bigint): Promise<void> {
  const adjustments = await getOrCreateSystemAccount(
    t.ctx,
    systemAccountCode("adjustments", "CNY"),
    "CNY",
    "adjustments",
  );
  const account = await openAccount(t.ctx, { ownerUserId: userId, currency: "CNY" });
  await postTransfer(t.ctx, {
    idempotencyKey: `test-fund:${randomUUID()}`,
    type: "adjustment",
    debitAccountId: adjustments.id,
    creditAccountId: account.id,
    amount: fen,
    currency: "CNY",
  });
}

export async function availableOf(c: Customer): Promise<number> {
  const res = await c.client.get("/api/v1/wallet");
  const body = res.json() as { accounts: { currency: string; available: number }[] };
  const cny = body.accounts.find((a) => a.currency === "CNY");
  if (!cny) throw new Error("no CNY account");
  return cny.available;
}

export async function ledgerRowCounts(t: TestApp) {
  const count = (table: "ledger_transfers" | "ledger_entries" | "idempotency_keys" | "notifications") =>
    countRows(t, table);
  return {
    transfers: await count("ledger_transfers"),
    entries: await count("ledger_entries"),
    keys: await count("idempotency_keys"),
    notifications: await count("notifications"),
  };
}
