// What `npm run audit:verify` prints and how it exits, apart from how it reaches the database.
import type { Executor } from "../db/database.js";
import { verifyAuditChain } from "../modules/audit/index.js";

export type AuditReport = { exitCode: 0 | 1; line: string };

export async function reportAuditChain(db: Executor): Promise<AuditReport> {
  const result = await verifyAuditChain(db);
  if (result.ok) return { exitCode: 0, line: `audit chain intact: ${result.rows} rows` };
  return { exitCode: 1, line: `audit chain broken at row ${result.brokenAt}: ${result.reason}` };
}
