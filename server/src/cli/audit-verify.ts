// `npm run audit:verify`: recomputes the audit trail's hash chain. Exit 0 intact, 1 broken, 2 could not check.
import { type Config, ConfigError, loadConfig } from "../config.js";
import { createDb } from "../db/database.js";
import { reportAuditChain } from "./audit-report.js";
import { connectCliDatabase } from "./connect-database.js";

const say = (line: string) => console.error(`[audit:verify] ${line}`);

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
    const report = await reportAuditChain(db);
    console.log(report.line);
    return report.exitCode;
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
