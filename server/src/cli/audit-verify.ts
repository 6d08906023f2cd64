// `npm run audit:verify`: recomputes the audit trail's hash chain. Exit 0 intact, 1 broken, 2 could not check.
import { reportAuditChain } from "./audit-report.js";
import { runCheckCommand } from "./run-check.js";

runCheckCommand("audit:verify", async (db) => {
  const report = await reportAuditChain(db);
  return { lines: [report.line], exitCode: report.exitCode };
});
