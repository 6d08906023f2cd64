// Housekeeping run by pg-boss: expired codes, captchas and sessions are deleted.
import type { Db } from "../../db/database.js";

const DAY = 24 * 60 * 60 * 1000;

export async function purgeExpiredIdentityRows(db: Db, now: Date): Promise<void> {
  const dayAgo = new Date(now.getTime() - DAY);
  await db.deleteFrom("one_time_codes").where("expires_at", "<", dayAgo).execute();
  await db.deleteFrom("captchas").where("expires_at", "<", dayAgo).execute();
  await db
    .deleteFrom("sessions")
    .where("expires_at", "<", new Date(now.getTime() - 30 * DAY))
    .execute();
  await db.deleteFrom("rate_counters").where("window_start", "<", dayAgo).execute();
}
