// The tokeniser: what an article is indexed under and what a question looks for.
import { describe, expect, it } from "vitest";
import { articleTerms, plainText, queryTerms, SNIPPET_MAX, snippetFor, tokenise } from "./search.js";

const terms = (text: string) => new Set(tokenise(text).map((t) => t.term));

describe("the help-centre tokeniser", () => {
  it("indexes 余额 as a whole even where the segmenter splits it into 余|额", () => {
    const found = terms("我的余额怎么提现");
    expect(found.has("余额")).toBe(true);
    expect(found.has("提现")).toBe(true);
  });

  it("keeps the segmenter's longer words as well as the overlapping character pairs", () => {
    const found = terms("忘记登录密码");
    for (const t of ["忘记", "登录", "密码", "记登", "录密"]) expect(found.has(t)).toBe(true);
  });

  it("lower-cases Latin words and drops function words in both languages", () => {
    const found = terms("How do I reset my VPN 的 Wi-Fi?");
    expect(found.has("vpn")).toBe(true);
    expect(found.has("reset")).toBe(true);
    expect(found.has("wi")).toBe(true);
    expect(found.has("how")).toBe(false);
    expect(found.has("的")).toBe(false);
  });

  it("reads full-width letters and digits as their ordinary forms", () => {
    expect(terms("ＡＰＰ").has("app")).toBe(true);
  });

  it("expands a question's words with their synonyms, a little below the customer's own words", () => {
    const q = new Map(queryTerms("钱怎么取出来").map((t) => [t.term, t.weight]));
    expect(q.get("提现")).toBeGreaterThan(0);
    expect(q.get("提现") ?? 0).toBeLessThan(q.get("取出") ?? 0);
    const phone = new Map(queryTerms("手机丢了").map((t) => [t.term, t.weight]));
    expect(phone.get("挂失")).toBeGreaterThan(0);
    expect(phone.get("冻结")).toBeUndefined(); // synonyms of synonyms are not followed
  });

  it("keeps the number of looked-up terms bounded for a long question", () => {
    expect(
      queryTerms("我".repeat(50) + "余额提现转账充值冻结挂失验证码密码银行卡登录手机号".repeat(4)).length,
    ).toBeLessThanOrEqual(48);
  });

  it("gives nothing to look up for a question of punctuation or function words only", () => {
    expect(queryTerms("？？！ 的了吗")).toEqual([]);
  });

  it("weights a word in the title above the same word in the body", () => {
    const weights = new Map(
      articleTerms({
        titleZh: "提现多久到账",
        titleEn: "",
        bodyZh: "充值一般实时到账。",
        bodyEn: "",
        keywords: [],
      }).map((t) => [t.term, t.weight]),
    );
    expect(weights.get("提现") ?? 0).toBeGreaterThan(weights.get("充值") ?? 0);
  });
});

describe("plain text and snippets", () => {
  it("strips Markdown emphasis, lists, headings, tables and links", () => {
    const text = plainText(
      "## 标题\n\n1. **加粗**的[链接](https://example.com)\n- 项\n\n| a | b |\n|---|---|\n| 一 | 二 |",
    );
    expect(text).toBe("标题 加粗的链接 项 a b 一 二");
  });

  it("cuts a snippet around the first match, never longer than 120 characters", () => {
    const body = `${"开头的话很长。".repeat(30)}**提现**会在两小时内到账。${"结尾".repeat(60)}`;
    const snippet = snippetFor(body, queryTerms("提现"));
    expect(snippet.length).toBeLessThanOrEqual(SNIPPET_MAX);
    expect(snippet).toContain("提现会在两小时内到账");
    expect(snippet.startsWith("…")).toBe(true);
    expect(snippet.endsWith("…")).toBe(true);
    expect(snippet).not.toContain("*");
  });

  it("starts at the beginning when nothing matches, and leaves a short body whole", () => {
    expect(snippetFor("短短一句。", queryTerms("提现"))).toBe("短短一句。");
  });
});
