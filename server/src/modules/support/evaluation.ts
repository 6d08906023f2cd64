// Search quality on paraphrased customer questions: recall@k, shared by the test and the bench.
import { readFileSync } from "node:fs";
import { z } from "zod";

const evalQuestion = z.object({ q: z.string().min(1), slugs: z.array(z.string()).min(1) });
export type EvalQuestion = z.infer<typeof evalQuestion>;

export function evalQuestions(): EvalQuestion[] {
  const file = new URL("./content/search-eval.json", import.meta.url);
  return z.array(evalQuestion).parse(JSON.parse(readFileSync(file, "utf8")));
}

/** A question counts as answered when any of its slugs is among the first k results. */
export async function recallAt(
  k: number,
  questions: readonly EvalQuestion[],
  search: (q: string, limit: number) => Promise<ReadonlyArray<{ slug: string }>>,
): Promise<{ recall: number; misses: Array<{ q: string; expected: string[]; got: string[] }> }> {
  const misses: Array<{ q: string; expected: string[]; got: string[] }> = [];
  for (const question of questions) {
    const got = (await search(question.q, k)).map((h) => h.slug);
    if (!question.slugs.some((s) => got.includes(s)))
      misses.push({ q: question.q, expected: question.slugs, got });
  }
  return { recall: (questions.length - misses.length) / questions.length, misses };
}
