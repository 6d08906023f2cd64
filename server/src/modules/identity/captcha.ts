// Image captchas: shown after repeated login failures; single use, two-minute life.
import { randomInt } from "node:crypto";
import * as svgCaptcha from "svg-captcha";
import type { Clock } from "../../clock.js";
import { sha256Hex } from "../../crypto.js";
import type { Executor } from "../../db/database.js";

export const CAPTCHA_TTL_MS = 2 * 60 * 1000;
// No 0/o, 1/l/i, 2/z, 5/s, 8/b, 9/g/q, u/v: letters people misread in a noisy image.
const CAPTCHA_CHARS = "acdefhjkmnprtwxy34567";

export const captchaAnswerHash = (answer: string) => sha256Hex(`captcha\n${answer.trim().toLowerCase()}`);

export async function createCaptcha(db: Executor, clock: Clock): Promise<{ id: string; svg: string }> {
  const { text, data } = svgCaptcha.create({
    size: 4 + randomInt(2),
    charPreset: CAPTCHA_CHARS,
    noise: 2,
    width: 150,
    height: 50,
  });
  const now = clock.now();
  const row = await db
    .insertInto("captchas")
    .values({
      answer_hash: captchaAnswerHash(text),
      created_at: now,
      expires_at: new Date(now.getTime() + CAPTCHA_TTL_MS),
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return { id: row.id, svg: data };
}

/** Spends the captcha whatever the answer, so each image allows exactly one guess. */
export async function solveCaptcha(db: Executor, clock: Clock, id: string, answer: string): Promise<boolean> {
  const now = clock.now();
  const row = await db
    .updateTable("captchas")
    .set({ used_at: now })
    .where("id", "=", id)
    .where("used_at", "is", null)
    .where("expires_at", ">", now)
    .returning("answer_hash")
    .executeTakeFirst();
  return row !== undefined && row.answer_hash === captchaAnswerHash(answer);
}
