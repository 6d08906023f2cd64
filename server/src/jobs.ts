// Background work on pg-boss, in the same database; no OS cron.
import type PgBoss from "pg-boss";
import type { AppContext } from "./context.js";
import { deliverDueNotifications, httpSender } from "./modules/gateways/index.js";
import { settleDueSandboxPayouts } from "./modules/gateways/sandbox-bank/index.js";
import { purgeExpiredIdentityRows } from "./modules/identity/index.js";
import { expireHolds } from "./modules/ledger/index.js";
import { notifyAllBalanceChanges } from "./modules/notify/index.js";
import { reconcileYesterday } from "./modules/reconciliation/index.js";
import { deliverTicketEmails } from "./modules/support/email-outbound.js";
import { checkSlaTimers } from "./modules/support/sla.js";
import { sendDueSurveys } from "./modules/support/tickets.js";
import { settleStalePendingTopups } from "./modules/wallet/topups.js";
import { advanceWithdrawals, rejectStaleWithdrawals } from "./modules/wallet/withdrawals.js";

const HOURLY = "17 * * * *";
const EVERY_MINUTE = "* * * * *";

export async function scheduleJobs(boss: PgBoss, ctx: AppContext): Promise<void> {
  // Withdrawals: send approved ones to the bank and apply the bank's answers; reject those
  // nobody reviewed within 30 days (well before their holds' 45-day expiry).
  await boss.createQueue("wallet.advance-withdrawals");
  await boss.schedule("wallet.advance-withdrawals", EVERY_MINUTE);
  await boss.work("wallet.advance-withdrawals", async () => {
    await advanceWithdrawals(ctx);
  });
  await boss.createQueue("wallet.reject-stale-withdrawals");
  await boss.schedule("wallet.reject-stale-withdrawals", HOURLY);
  await boss.work("wallet.reject-stale-withdrawals", async () => {
    await rejectStaleWithdrawals(ctx);
  });
  // The sandbox bank settles the payouts it accepted, on its own clock.
  if (ctx.config.env !== "production") {
    await boss.createQueue("sandbox-bank.settle-payouts");
    await boss.schedule("sandbox-bank.settle-payouts", EVERY_MINUTE);
    await boss.work("sandbox-bank.settle-payouts", async () => {
      await settleDueSandboxPayouts(ctx);
    });
  }
  await boss.createQueue("identity.purge-expired");
  await boss.schedule("identity.purge-expired", HOURLY);
  await boss.work("identity.purge-expired", async () => {
    await purgeExpiredIdentityRows(ctx.db, ctx.clock.now());
  });
  // Releases funds held past their expiry (e.g. a withdrawal nobody settled).
  await boss.createQueue("ledger.expire-holds");
  await boss.schedule("ledger.expire-holds", EVERY_MINUTE);
  await boss.work("ledger.expire-holds", async () => {
    await expireHolds(ctx);
  });
  // Reconciliation: yesterday's gateway statements against the ledger, at 02:30 China time.
  await boss.createQueue("reconciliation.daily");
  await boss.schedule("reconciliation.daily", "30 2 * * *", undefined, { tz: "Asia/Shanghai" });
  await boss.work("reconciliation.daily", async () => {
    await reconcileYesterday(ctx);
  });
  // Top-ups whose gateway notification never came: ask the gateway and settle them.
  await boss.createQueue("wallet.settle-pending-topups");
  await boss.schedule("wallet.settle-pending-topups", EVERY_MINUTE);
  await boss.work("wallet.settle-pending-topups", async () => {
    await settleStalePendingTopups(ctx);
  });
  // Balance-change notices for every customer ledger entry, once each (notify/money-notifications.ts).
  await boss.createQueue("notify.balance-changes");
  await boss.schedule("notify.balance-changes", EVERY_MINUTE);
  await boss.work("notify.balance-changes", async () => {
    await notifyAllBalanceChanges(ctx);
  });
  // The sandbox gateway's outbox: it calls us back over HTTP, as a real provider would.
  if (ctx.config.env !== "production") {
    await boss.createQueue("sandbox-gateway.deliver-notifications");
    await boss.schedule("sandbox-gateway.deliver-notifications", EVERY_MINUTE);
    await boss.work("sandbox-gateway.deliver-notifications", async () => {
      await deliverDueNotifications(ctx, httpSender(ctx.config.publicUrl));
    });
  }
  // Support tickets: SLA warnings and breaches (escalation), replies by email that are still
  // queued, and satisfaction surveys a day after resolution (support/sla.ts, tickets.ts).
  await boss.createQueue("support.sla-timers");
  await boss.schedule("support.sla-timers", EVERY_MINUTE);
  await boss.work("support.sla-timers", async () => {
    await checkSlaTimers(ctx);
  });
  await boss.createQueue("support.ticket-emails");
  await boss.schedule("support.ticket-emails", EVERY_MINUTE);
  await boss.work("support.ticket-emails", async () => {
    await deliverTicketEmails(ctx);
  });
  await boss.createQueue("support.ticket-surveys");
  await boss.schedule("support.ticket-surveys", HOURLY);
  await boss.work("support.ticket-surveys", async () => {
    await sendDueSurveys(ctx);
  });
}
