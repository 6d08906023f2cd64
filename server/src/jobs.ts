// Background work on pg-boss, in the same database; no OS cron.
import type PgBoss from "pg-boss";
import type { AppContext } from "./context.js";
import { purgeExpiredIdentityRows } from "./modules/identity/index.js";

const HOURLY = "17 * * * *";

export async function scheduleJobs(boss: PgBoss, ctx: AppContext): Promise<void> {
  await boss.createQueue("identity.purge-expired");
  await boss.schedule("identity.purge-expired", HOURLY);
  await boss.work("identity.purge-expired", async () => {
    await purgeExpiredIdentityRows(ctx.db, ctx.clock.now());
  });
}
