// Boot: config → database (embedded or external) → migrate → jobs → demo data → listen.
import PgBoss from "pg-boss";
import { buildApp } from "./app.js";
import { ConfigError, loadConfig } from "./config.js";
import { seedDemoData } from "./demo/seed.js";
import { scheduleJobs } from "./jobs.js";
import { startBalanceNoticeLoop } from "./modules/notify/index.js";
import { startInboundSmtpOnce } from "./modules/support/email-inbound.js";
import { importHelpCentre } from "./modules/support/index.js";
import { createContext, openDatabase } from "./runtime.js";

async function main() {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }

  const say = (line: string) => console.log(`[opencounter] ${line}`);
  const database = await openDatabase(config, say);
  const stopEmbedded = database.stopEmbedded;

  let shuttingDown = false;
  const cleanup: Array<() => Promise<unknown>> = [];
  const shutdown = async (signal: string, exitCode = 0) => {
    if (shuttingDown) return;
    shuttingDown = true;
    say(`${signal}: shutting down`);
    for (const step of cleanup.reverse()) {
      await step().catch((err: unknown) => console.error(err));
    }
    if (stopEmbedded) {
      say("stopping embedded PostgreSQL");
      await stopEmbedded().catch((err: unknown) => console.error(err));
    }
    process.exit(exitCode);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));

  try {
    const { ctx, close } = await createContextWithLogger(config, database.url);
    cleanup.push(close);

    const boss = new PgBoss({ connectionString: database.url, schema: "pgboss" });
    boss.on("error", (err) => console.error("[jobs]", err.message));
    await boss.start();
    cleanup.push(() => boss.stop({ graceful: true, wait: true }));
    await scheduleJobs(boss, ctx);
    // Balance notices within a second of the money moving (the job above is the backstop).
    const notices = startBalanceNoticeLoop(ctx, {
      onError: (err) => console.error("[balance notices]", err instanceof Error ? err.message : err),
    });
    cleanup.push(() => notices.stop());
    const help = await importHelpCentre(ctx);
    say(`help centre: ${help.inserted.length} articles added, ${help.updated.length} updated`);

    const demo = config.env === "production" ? null : await seedDemoData(ctx);

    const app = await buildApp(ctx);
    cleanup.push(() => app.close());
    await app.listen({ port: config.port, host: config.host });

    // Inbound support mail: of all the processes on this database, one listens at a time.
    const smtpPort = config.supportEmail.smtpPort;
    if (smtpPort) {
      const smtpHost = config.supportEmail.smtpHost;
      const smtp = startInboundSmtpOnce(ctx, {
        databaseUrl: database.url,
        port: smtpPort,
        host: smtpHost,
        log: (msg, err) => app.log.warn({ err }, msg),
        onChange: (l) =>
          say(
            l
              ? `inbound support email: listening for SMTP on ${smtpHost}:${l.port}`
              : "inbound support email: SMTP listener stopped (another process may take over)",
          ),
      });
      cleanup.push(() => smtp.close());
      await smtp.ready;
      if (!smtp.listening) say("inbound support email: another process listens for SMTP; this one stands by");
    }

    say(`ready on ${config.publicUrl}  (portal /, kiosk /kiosk/, console /console/, API docs /docs)`);
    if (demo) {
      say("demo logins (development data; not created when NODE_ENV=production):");
      for (const line of demo.lines) say(`  ${line}`);
      say(`dev mailbox for SMS and email codes: ${config.publicUrl}/dev/mailbox`);
    }
  } catch (err) {
    console.error(err);
    await shutdown("startup failure", 1);
  }
}

async function createContextWithLogger(config: ReturnType<typeof loadConfig>, url: string) {
  const { default: pino } = await import("pino");
  const log = pino({ level: config.logLevel });
  return createContext(config, url, log);
}

void main();
