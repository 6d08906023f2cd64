// Background work on pg-boss, in the same database; no OS cron.
import type PgBoss from "pg-boss";
import type { AppContext } from "./context.js";
import { purgeExpiredIdentityRows } from "./modules/identity/index.js";
import { expireHolds } from "./modules/ledger/index.js";

const HOURLY = "17 * * * *";
const EVERY_MINUTE = "* * * * *";

export async function scheduleJobs(boss: PgBoss, ctx: AppContext): Promise<void> {
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
}
