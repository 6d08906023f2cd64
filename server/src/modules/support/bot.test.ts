// The bot as a customer meets it: answers from the help centre, admits what it does not know,
// and brings in a person when asked, after two unhelpful answers, or at low confidence.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/harness.js";
import { asksForPerson, type BotInput, type BotReply, replyToCustomer, replyToFeedback } from "./bot.js";
import { evalQuestions } from "./evaluation.js";
import { importHelpCentre } from "./import.js";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  await importHelpCentre(t.ctx);
});
afterAll(() => t.close());

const base: Omit<BotInput, "text"> = {
  lang: "zh-CN",
  unhelpfulAnswers: 0,
  staffed: true,
  staffedHours: "08:00–22:00",
};
const ask = (text: string, over: Partial<BotInput> = {}) => replyToCustomer(t.db, { ...base, text, ...over });
const slugsOf = (r: BotReply) => ("articles" in r ? r.articles.map((a) => a.slug) : []);

describe("the help-centre bot", () => {
  it("answers a paraphrased question with the right article and a short extract", async () => {
    const reply = await ask("我想把钱包里的钱转到银行卡要怎么弄");
    expect(reply.kind).toBe("answer");
    if (reply.kind !== "answer") return;
    expect(reply.articles.length).toBeGreaterThan(0);
    expect(reply.articles.length).toBeLessThanOrEqual(3);
    expect(reply.articles[0]?.snippet.length).toBeGreaterThan(10);
    expect(reply.articles[0]?.snippet.length).toBeLessThanOrEqual(130);
  });

  it("answers most of the labelled paraphrases itself, with the right article among those it shows", async () => {
    const questions = evalQuestions();
    let answeredRight = 0;
    for (const q of questions) {
      const reply = await ask(q.q);
      if (reply.kind === "answer" && q.slugs.some((s) => slugsOf(reply).includes(s))) answeredRight += 1;
    }
    const share = answeredRight / questions.length;
    console.log(
      `bot answered ${answeredRight}/${questions.length} (${(share * 100).toFixed(1)}%) with a right article`,
    );
    expect(share).toBeGreaterThanOrEqual(0.85);
  });

  it("says it does not know and brings in a person when nothing in the help centre fits", async () => {
    for (const q of ["你们老板是谁", "股票明天会涨吗", "asdfgh qwerty"]) {
      const reply = await ask(q);
      expect(reply, q).toMatchObject({ kind: "handover", reason: "low_confidence" });
      expect(reply.text).toContain("不知道");
    }
  });

  it("hands over at once when the customer asks for a person, in Chinese or English", async () => {
    for (const q of ["人工", "转人工", "我要找真人", "帮我转人工客服！", "agent", "Can I talk to a human?"]) {
      expect(asksForPerson(q), q).toBe(true);
      expect(await ask(q), q).toMatchObject({ kind: "handover", reason: "asked" });
    }
    expect(asksForPerson("怎么提现")).toBe(false);
  });

  it("hands over after the second answer marked unhelpful, not the first", () => {
    expect(replyToFeedback({ ...base, helpful: false, unhelpfulAnswers: 1 })).toBeNull();
    expect(replyToFeedback({ ...base, helpful: true, unhelpfulAnswers: 2 })).toBeNull();
    expect(replyToFeedback({ ...base, helpful: false, unhelpfulAnswers: 2 })).toMatchObject({
      kind: "handover",
      reason: "unhelpful",
    });
  });

  it("keeps handing over once two answers did not help, whatever the next question", async () => {
    expect(await ask("怎么提现", { unhelpfulAnswers: 2 })).toMatchObject({
      kind: "handover",
      reason: "unhelpful",
    });
  });

  it("takes a message for a ticket instead of handing over when no one is at the desk", async () => {
    const closed = { staffed: false };
    expect(await ask("转人工", closed)).toMatchObject({ kind: "take_message", reason: "asked" });
    const unknown = await ask("你们老板是谁", closed);
    expect(unknown).toMatchObject({ kind: "take_message", reason: "low_confidence" });
    expect(unknown.text).toContain("08:00–22:00");
    // A question it can answer is still answered at night.
    expect((await ask("忘记支付密码怎么办", closed)).kind).toBe("answer");
  });

  it("greets, thanks and answers in English when the customer reads English", async () => {
    expect(await ask("你好")).toMatchObject({ kind: "greeting" });
    expect(await ask("谢谢！")).toMatchObject({ kind: "thanks" });
    const hello = await ask("hello", { lang: "en" });
    expect(hello.text).toMatch(/assistant/);
  });
});
