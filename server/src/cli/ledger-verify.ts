// `npm run ledger:verify`: checks the ledger's invariants and hash chains. Exit 0 consistent, 1 not, 2 could not check.
import { type Config, ConfigError, loadConfig } from "../config.js";
import { createDb } from "../db/database.js";
import { formatLedgerReport, verifyLedger } from "../modules/ledger/index.js";
import { connectCliDatabase } from "./connect-database.js";

const say = (line: string) => console.error(`[ledger:verify] ${line}`);

async function main(): Promise<number> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      return 2;
    }
    throw err;
  }
  const { url, stop } = await connectCliDatabase(config, say);
  const { db } = createDb(url, 2);
  try {
    const result = await verifyLedger(db);
    for (const line of formatLedgerReport(result)) console.log(line);
    return result.ok ? 0 : 1;
  } finally {
    await db.destroy();
    if (stop) await stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    say(err instanceof Error ? err.message : String(err));
    process.exit(2);
  },
);
