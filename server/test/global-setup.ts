// Starts one PostgreSQL for the run (embedded unless DATABASE_URL is set) and migrates a
// template database that every test file clones.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { createDb } from "../src/db/database.js";
import { startEmbeddedPostgres } from "../src/db/embedded.js";
import { migrateToLatest } from "../src/db/migrate.js";

declare module "vitest" {
  export interface ProvidedContext {
    pgServerUrl: string;
    templateDb: string;
    dbPrefix: string;
  }
}

export default async function setup(project: TestProject) {
  let serverUrl: string;
  let stop: (() => Promise<void>) | undefined;
  let dir: string | undefined;
  if (process.env.DATABASE_URL) {
    serverUrl = process.env.DATABASE_URL;
  } else {
    dir = mkdtempSync(path.join(tmpdir(), "oc-test-pg-"));
    const port = 55000 + Math.floor(Math.random() * 5000);
    const embedded = await startEmbeddedPostgres({
      dir: path.join(dir, "pg"),
      port,
      persistent: false,
      database: "postgres",
    });
    serverUrl = embedded.url;
    stop = embedded.stop;
  }

  const templateDb = `oc_template_${process.pid}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`drop database if exists ${templateDb}`);
  await admin.query(`create database ${templateDb}`);
  await admin.end();

  const { db } = createDb(withDatabase(serverUrl, templateDb), 2);
  await migrateToLatest(db);
  await db.destroy();

  project.provide("pgServerUrl", serverUrl);
  project.provide("templateDb", templateDb);
  project.provide("dbPrefix", `oc_t_${process.pid}_`);

  return async () => {
    const c = new pg.Client({ connectionString: serverUrl });
    await c.connect();
    const rows = await c.query<{ datname: string }>(
      "select datname from pg_database where datname like $1 or datname = $2",
      [`oc_t_${process.pid}_%`, templateDb],
    );
    for (const r of rows.rows) await c.query(`drop database if exists ${r.datname} with (force)`);
    await c.end();
    if (stop) await stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  };
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
