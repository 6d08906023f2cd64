// Helpers for the ledger tests: customers with accounts, funded from the gateway's clearing account.
import { randomUUID } from "node:crypto";
import { countRows, createCustomer } from "../../../test/factories.js";
import type { TestApp } from "../../../test/harness.js";
import {
  type Account,
  getOrCreateSystemAccount,
  openAccount,
  postTransfer,
  systemAccountCode,
} from "./index.js";

export function gatewayClearing(t: TestApp, currency = "CNY"): Promise<Account> {
  return getOrCreateSystemAccount(
    t.ctx,
    systemAccountCode("gateway_clearing", currency),
    currency,
    "gateway_clearing",
  );
}

/** A new customer's account, topped up with `amount` through the gateway when it is above zero. */
export async function customerAccount(
  t: TestApp,
  amount = 0n,
  currency = "CNY",
): Promise<Account & { ownerUserId: string; password: string }> {
  const customer = await createCustomer(t);
  const account = await openAccount(t.ctx, { ownerUserId: customer.user.id, currency });
  if (amount > 0n) {
    await postTransfer(t.ctx, {
      idempotencyKey: `test-topup:${randomUUID()}`,
      type: "topup",
      debitAccountId: (await gatewayClearing(t, currency)).id,
      creditAccountId: account.id,
      amount,
      currency,
    });
  }
  return { ...account, ownerUserId: customer.user.id, password: customer.password };
}

export async function rowCounts(t: TestApp) {
  const count = (table: "ledger_transfers" | "ledger_entries" | "ledger_hold_events" | "idempotency_keys") =>
    countRows(t, table);
  return {
    transfers: await count("ledger_transfers"),
    entries: await count("ledger_entries"),
    holdEvents: await count("ledger_hold_events"),
    keys: await count("idempotency_keys"),
  };
}
