// The frame every `npm run *:verify` command shares: configuration, a database (the embedded one
// when DATABASE_URL is unset), the check, and exit codes 0 (holds), 1 (broken), 2 (could not check).
import { ConfigError, loadConfig } from "../config.js";
import { createDb, type Db } from "../db/database.js";
import { connectCliDatabase } from "./connect-database.js";

export type CheckOutcome = { lines: string[]; exitCode: 0 | 1 };

export function runCheckCommand(name: string, check: (db: Db) => Promise<CheckOutcome>): void {
  const say = (line: string) => console.error(`[${name}] ${line}`);
  const main = async (): Promise<number> => {
    let config: ReturnType<typeof loadConfig>;
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
      const outcome = await check(db);
      for (const line of outcome.lines) console.log(line);
      return outcome.exitCode;
    } finally {
      await db.destroy();
      if (stop) await stop();
    }
  };
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      say(err instanceof Error ? err.message : String(err));
      process.exit(2);
    },
  );
}
