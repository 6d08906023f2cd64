import { performance } from "node:perf_hooks";
import { sql } from "kysely";
import pg from "pg";
import { systemClock } from "../server/src/clock.js";
import { createDb, type Db } from "../server/src/db/database.js";
import { migrateToLatest } from "../server/src/db/migrate.js";
import { evalQuestions, recallAt } from "../server/src/modules/support/evaluation.js";
import {
  DEFAULT_CATEGORIES,
  defaultArticles,
  importHelpCentre,
} from "../server/src/modules/support/import.js";
import { articleTerms, plainText } from "../server/src/modules/support/search.js";
import { searchHelp } from "../server/src/modules/support/service.js";
import { insertPostings, rebuildDocumentFrequencies } from "../server/src/modules/support/store.js";
import { openBenchServer, withDatabase } from "./bench-db.js";

const TOTAL_ARTICLES = Number(process.env.BENCH_ARTICLES ?? 10_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);
const CONCURRENCY = 8;
/** Set to a database name to keep the loaded corpus after the run, and to reuse it next time. */
const KEEP = process.env.BENCH_KEEP_DB;
const P95_TARGET_MS = 10;

/** A small deterministic generator, so every run searches the same corpus. */
function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let x = s;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Distractors that read like help articles: titles from other articles' keywords, bodies of
 * sentences drawn from the whole corpus, plus a few words of their own. They share vocabulary
 * with the real articles, as a large help centre does, so they compete for every query.
 */
function generatedArticles(count: number) {
  const real = defaultArticles();
  const rand = prng(20261122);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
  const sentences = real.flatMap((a) =>
    plainText(a.body)
      .split(/(?<=[。；！？])/)
      .map((s) => s.trim())
      .filter((s) => s.length > 6),
  );
  const keywords = real.flatMap((a) => a.keywords ?? []);
  const own = [..."甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥春夏秋冬东南西北"];
  const titleForms = [
    (a: string, b: string) => `${a}和${b}的说明`,
    (a: string, b: string) => `${a}时遇到${b}问题怎么处理？`,
    (a: string, b: string) => `关于${a}：${b}常见问题`,
    (a: string, b: string) => `${a}相关规则（${b}）`,
  ];
  return Array.from({ length: count }, (_, i) => {
    const tag = `${pick(own)}${pick(own)}${pick(own)}`;
    const body = Array.from({ length: 3 + Math.floor(rand() * 5) }, () => pick(sentences)).join("");
    return {
      slug: `generated-${i + 1}`,
      category: pick(DEFAULT_CATEGORIES).slug,
      title_zh: `${pick(titleForms)(pick(keywords), pick(keywords))} ${tag}`,
      body_zh: `${body}（${tag}专区）`,
      keywords: [pick(keywords), pick(keywords), tag],
    };
  });
}

async function loadCorpus(db: Db): Promise<void> {
  await importHelpCentre({ db, clock: systemClock });
  const extra = generatedArticles(TOTAL_ARTICLES - 40);
  const now = new Date();
  for (let i = 0; i < extra.length; i += 500) {
    const batch = extra.slice(i, i + 500);
    await db.transaction().execute(async (tx) => {
      const rows = await tx
        .insertInto("help_articles")
        .values(
          batch.map((a, j) => ({
            ...a,
            status: "published" as const,
            position: 100 + i + j,
            source: "staff" as const,
            created_at: now,
            updated_at: now,
          })),
        )
        .returning(["id", "slug"])
        .execute();
      const bySlug = new Map(batch.map((a) => [a.slug, a]));
      await insertPostings(
        tx,
        rows.map((r) => {
          const a = bySlug.get(r.slug);
          return {
            articleId: r.id,
            terms: a
              ? articleTerms({
                  titleZh: a.title_zh,
                  titleEn: "",
                  bodyZh: a.body_zh,
                  bodyEn: "",
                  keywords: a.keywords,
                })
              : [],
          };
        }),
        { frequencies: false },
      );
    });
  }
  await rebuildDocumentFrequencies(db);
  // The baseline: PostgreSQL's own parser, as a product without a Chinese tokeniser would use it.
  await sql`alter table help_articles add column bench_fts tsvector`.execute(db);
  await sql`update help_articles set bench_fts =
    to_tsvector('simple', title_zh || ' ' || array_to_string(keywords, ' ') || ' ' || body_zh)`.execute(db);
  await sql`create index bench_help_fts on help_articles using gin (bench_fts)`.execute(db);
  await sql`vacuum analyze help_articles`.execute(db);
  await sql`vacuum analyze help_search_terms`.execute(db);
  await sql`vacuum analyze help_search_df`.execute(db);
}

async function baselineSearch(db: Db, q: string, limit: number): Promise<Array<{ slug: string }>> {
  const result = await sql<{ slug: string }>`
    select slug from help_articles, plainto_tsquery('simple', ${q}) query
    where status = 'published' and bench_fts @@ query
    order by ts_rank(bench_fts, query) desc, slug
    limit ${limit}`.execute(db);
  return result.rows;
}

type Measured = { p50: number; p95: number; p99: number; mean: number; qps: number; recall: number };

async function measure(
  search: (q: string, limit: number) => Promise<ReadonlyArray<{ slug: string }>>,
): Promise<Measured> {
  const questions = evalQuestions();
  const { recall } = await recallAt(3, questions, search);
  for (const q of questions) await search(q.q, 5); // warm caches and plans
  const times: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const q of questions) {
      const start = performance.now();
      await search(q.q, 5);
      times.push(performance.now() - start);
    }
  }
  times.sort((a, b) => a - b);
  const at = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))] ?? Number.NaN;
  // Throughput with several callers at once, as a busy server would see it.
  const queue = Array.from({ length: ROUNDS }, () => questions.map((q) => q.q)).flat();
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < queue.length) {
        const q = queue[next++];
        if (q) await search(q, 5);
      }
    }),
  );
  const qps = queue.length / ((performance.now() - started) / 1000);
  const mean = times.reduce((s, x) => s + x, 0) / times.length;
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), mean, qps, recall };
}

async function main() {
  const { serverUrl, stop } = await openBenchServer();
  const name = KEEP && /^[a-z_][a-z0-9_]*$/.test(KEEP) ? KEEP : `oc_bench_search_${process.pid}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  const exists = (await admin.query("select 1 from pg_database where datname = $1", [name])).rowCount === 1;
  if (!exists) await admin.query(`create database ${name}`);
  const { db } = createDb(withDatabase(serverUrl, name), CONCURRENCY + 2);
  try {
    const loadStart = performance.now();
    if (!exists) {
      await migrateToLatest(db);
      await loadCorpus(db);
    }
    const counts = await sql<{ articles: string; postings: string }>`
      select (select count(*) from help_articles) as articles, (select count(*) from help_search_terms) as postings`.execute(
      db,
    );
    const loaded = counts.rows[0];
    console.log(
      `loaded ${loaded?.articles} articles (${loaded?.postings} postings) in ${((performance.now() - loadStart) / 1000).toFixed(1)} s; ` +
        `${evalQuestions().length} paraphrased questions × ${ROUNDS} rounds`,
    );
    const ours = await measure((q, limit) => searchHelp(db, { q, limit, lang: "zh-CN" }));
    const baseline = await measure((q, limit) => baselineSearch(db, q, limit));
    const row = (label: string, m: Measured) =>
      `| ${label.padEnd(38)} | ${m.p50.toFixed(2).padStart(6)} | ${m.p95.toFixed(2).padStart(6)} | ${m.p99.toFixed(2).padStart(6)} | ${m.qps.toFixed(0).padStart(6)} | ${(m.recall * 100).toFixed(1).padStart(7)}% |`;
    console.log("");
    console.log(`| ${"search".padEnd(38)} | p50 ms | p95 ms | p99 ms |  q/s*  | recall@3 |`);
    console.log(`| ${"-".repeat(38)} | ------ | ------ | ------ | ------ | -------- |`);
    console.log(row("OpenCounter (words + pairs + synonyms)", ours));
    console.log(row("baseline: to_tsvector('simple') @@", baseline));
    console.log("");
    console.log(
      `ratio ours/baseline: p95 latency ${(ours.p95 / baseline.p95).toFixed(2)}×, recall@3 ${
        baseline.recall > 0
          ? `${(ours.recall / baseline.recall).toFixed(1)}×`
          : `${(ours.recall * 100).toFixed(1)} points vs 0`
      }`,
    );
    console.log(
      `* q/s with ${CONCURRENCY} concurrent callers on one process; latencies are one caller at a time`,
    );
    console.log(`p95 target ≤ ${P95_TARGET_MS} ms: ${ours.p95 <= P95_TARGET_MS ? "met" : "NOT met"}`);
  } finally {
    await db.destroy();
    if (!KEEP) await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
    await stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
