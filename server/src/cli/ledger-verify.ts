// `npm run ledger:verify`: checks the ledger's invariants and hash chains. Exit 0 consistent, 1 not, 2 could not check.
import { formatLedgerReport, verifyLedger } from "../modules/ledger/index.js";
import { runCheckCommand } from "./run-check.js";

runCheckCommand("ledger:verify", async (db) => {
  const result = await verifyLedger(db);
  return { lines: formatLedgerReport(result), exitCode: result.ok ? 0 : 1 };
});
