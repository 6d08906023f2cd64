// Direct access to the e2e server's database, for the one thing a browser test cannot do itself:
// read a captcha image. Tests use it to give a captcha a known answer, as the server's tests do.
import { createHash } from "node:crypto";
import pg from "pg";
import { E2E_PORT } from "./env";

export function e2eDatabaseUrl(): string {
  return (
    process.env.E2E_DATABASE_URL ||
    `postgres://postgres:opencounter@127.0.0.1:${E2E_PORT + 47000}/opencounter`
  );
}

/** Makes `answer` the answer of captcha `id` (hash format of server/src/modules/identity/captcha.ts). */
export async function setCaptchaAnswer(id: string, answer: string): Promise<void> {
  const hash = createHash("sha256").update(`captcha\n${answer.trim().toLowerCase()}`).digest("hex");
  const client = new pg.Client({ connectionString: e2eDatabaseUrl() });
  await client.connect();
  try {
    const res = await client.query("update captchas set answer_hash = $1 where id = $2", [hash, id]);
    if (res.rowCount !== 1) throw new Error(`no captcha ${id}`);
  } finally {
    await client.end();
  }
}
