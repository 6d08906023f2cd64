// The help centre's tokeniser. PostgreSQL's parser reads a run of Chinese as one word and
// Intl.Segmenter splits some words apart (余额 → 余|额), so an article is indexed under its
// segmenter words AND every overlapping pair of Chinese characters, plus single characters
// (weakly) and lower-cased Latin words. Queries get the same treatment plus synonyms.

export type TermKind = "word" | "bigram" | "char" | "latin";
export type WeightedTerm = { term: string; weight: number };

/** How much a match on each kind of term says about relevance. */
const KIND_WEIGHT: Record<TermKind, number> = { word: 1, latin: 1, bigram: 0.8, char: 0.25 };

/** Where a term sits in the article. */
export const FIELD_WEIGHT = { title: 3, keywords: 2, body: 1 } as const;
/** A full title match scores this much per query term; scores are reported relative to it. */
export const SCORE_SCALE = FIELD_WEIGHT.title + 1;

/** Characters and words that say nothing about the topic of a question. */
const STOP_CHARS = new Set([
  ..."的了吗呢吧啊呀哦我你您他她它是在有和与或及等把被就都也要会能可以这那个一不么怎什请后时中上下对为着过还又很该",
]);
const STOP_WORDS = new Set([
  "怎么",
  "怎么办",
  "怎样",
  "如何",
  "什么",
  "为什么",
  "可以",
  "我的",
  "一下",
  "请问",
  "的话",
  "么办",
  "么样",
  "了怎",
  "我想",
  "想要",
  "需要",
  "是不",
  "不是",
  "the",
  "and",
  "how",
  "what",
  "do",
  "my",
  "to",
  "is",
  "an",
  "of",
  "in",
  "or",
  "can",
  "it",
  "on",
  "for",
]);

/**
 * Words customers use for the same thing. When a query contains any member, the others are
 * searched too (a little below the customer's own words).
 */
export const SYNONYMS: readonly (readonly string[])[] = [
  ["余额", "零钱", "账户里的钱", "账上的钱"],
  ["账户", "账号", "帐户", "帐号"],
  ["提现", "取钱", "取现", "取出", "提出来", "转到银行卡", "钱拿出来"],
  ["冻结", "挂失", "锁住账户", "停用账户"],
  ["解冻", "解除挂失", "恢复账户", "解除冻结"],
  ["手机丢失", "手机丢了", "手机被偷", "手机掉了", "丢了手机", "手机没了", "挂失"],
  ["验证码", "短信码", "动态码", "校验码", "验证短信"],
  ["图形验证码", "图片验证码", "验证码图片", "图片"],
  ["密码", "口令"],
  ["银行卡", "储蓄卡", "借记卡"],
  ["转账", "汇款", "转钱", "打钱", "给别人钱"],
  ["充值", "存钱", "加钱", "充钱", "存入"],
  ["登录", "登陆", "登入", "进不去", "上不去"],
  ["手机号", "电话号码", "手机号码", "号码"],
  ["锁定", "锁住", "锁了", "被锁", "封号"],
  ["手续费", "收费", "扣费", "费用"],
  ["注销", "销户", "删除账户", "不用了", "关闭账户"],
  ["退款", "退钱", "钱退回", "退回"],
  ["人工客服", "真人", "人工", "客服电话", "活人"],
  ["投诉", "举报", "不满意"],
  ["话费", "手机充值", "充话费"],
  ["缴费", "交费", "交钱", "生活缴费"],
  ["水费", "电费", "水电费"],
  ["物业费", "物业"],
  ["凭条", "小票", "收据", "回单"],
  ["吞卡", "卡被吞", "卡吞了", "卡出不来", "卡没退"],
  ["现金", "纸币", "钞票", "现钞"],
  ["两步验证", "二次验证", "双重验证", "身份验证器", "谷歌验证器"],
  ["字体", "字号", "字太小", "大字", "看不清"],
  ["长辈模式", "老人模式", "老年模式", "适老"],
  ["限额", "额度", "上限", "最多"],
  ["到账", "到帐", "没收到钱", "钱没到"],
  ["重复扣款", "扣了两次", "多扣", "扣两次", "重复支付"],
  ["转错", "转错人", "打错钱", "转错账"],
  ["登录设备", "其他设备", "下线", "踢下线", "别的手机"],
  ["异常登录", "陌生登录", "别人登录", "被盗", "盗号"],
  ["身份证", "证件", "身份证号"],
  ["姓名", "名字", "改名"],
  ["交易记录", "账单", "流水", "明细", "消费记录"],
  ["积分", "积分兑换", "兑换"],
  ["取号", "排队", "预约", "排号"],
  ["付款", "支付", "付钱", "买东西"],
  ["隐私", "个人信息", "数据安全", "泄露"],
  ["消息通知", "通知", "提醒", "推送", "短信提醒"],
  ["营销消息", "营销", "广告", "活动推送", "优惠推送"],
  ["自助终端", "自助机", "机器", "终端"],
  ["失败", "不成功", "没成功", "出错"],
];

export function normaliseText(text: string): string {
  return text.normalize("NFKC").toLowerCase();
}

const segmenter = new Intl.Segmenter("zh", { granularity: "word" });
const RUNS = /(\p{Script=Han}+)|([a-z0-9]+)/gu;
const HAN = /^\p{Script=Han}+$/u;

export type Token = { term: string; kind: TermKind };

/** Every token of a text, with repeats (the caller counts them). */
export function tokenise(text: string): Token[] {
  const normal = normaliseText(text);
  const out: Token[] = [];
  for (const s of segmenter.segment(normal)) {
    if (s.isWordLike && HAN.test(s.segment) && [...s.segment].length >= 2 && !STOP_WORDS.has(s.segment)) {
      out.push({ term: s.segment, kind: "word" });
    }
  }
  for (const m of normal.matchAll(RUNS)) {
    const han = m[1];
    const latin = m[2];
    if (han) {
      const chars = [...han];
      for (let i = 0; i + 1 < chars.length; i++) {
        const [a, b] = [chars[i] ?? "", chars[i + 1] ?? ""];
        const pair = `${a}${b}`;
        if (!STOP_WORDS.has(pair) && !(STOP_CHARS.has(a) && STOP_CHARS.has(b))) {
          out.push({ term: pair, kind: "bigram" });
        }
      }
      for (const c of chars) if (!STOP_CHARS.has(c)) out.push({ term: c, kind: "char" });
    } else if (latin && latin.length >= 2 && !STOP_WORDS.has(latin)) {
      out.push({ term: latin, kind: "latin" });
    }
  }
  return out;
}

/** Distinct terms of a text with their strongest kind weight and how often they occur. */
function termCounts(text: string): Map<string, { kindWeight: number; count: number }> {
  const out = new Map<string, { kindWeight: number; count: number }>();
  for (const t of tokenise(text)) {
    const seen = out.get(t.term);
    const w = KIND_WEIGHT[t.kind];
    if (seen) {
      seen.count += 1;
      seen.kindWeight = Math.max(seen.kindWeight, w);
    } else out.set(t.term, { kindWeight: w, count: 1 });
  }
  return out;
}

export type IndexableArticle = {
  titleZh: string;
  titleEn: string;
  bodyZh: string;
  bodyEn: string;
  keywords: readonly string[];
};

/** The weighted terms an article is found by: title above keywords above body. */
export function articleTerms(article: IndexableArticle): WeightedTerm[] {
  const weights = new Map<string, number>();
  const add = (text: string, field: keyof typeof FIELD_WEIGHT) => {
    for (const [term, { kindWeight, count }] of termCounts(text)) {
      // Repeats in the body count, but with a ceiling: a long article is not more relevant.
      const tf = field === "body" ? Math.min(1 + 0.5 * Math.log(count), 2) : 1;
      weights.set(term, (weights.get(term) ?? 0) + FIELD_WEIGHT[field] * kindWeight * tf);
    }
  };
  add(`${article.titleZh}\n${article.titleEn}`, "title");
  add(article.keywords.join("\n"), "keywords");
  add(`${plainText(article.bodyZh)}\n${plainText(article.bodyEn)}`, "body");
  return [...weights].map(([term, weight]) => ({ term, weight: Math.round(weight * 1000) / 1000 }));
}

/** At most this many terms are looked up per query, strongest first. */
const MAX_QUERY_TERMS = 32;
const SYNONYM_WEIGHT = 0.7;

/** The weighted terms of a customer's question, synonyms included. */
export function queryTerms(query: string): WeightedTerm[] {
  const normal = normaliseText(query);
  const weights = new Map<string, number>();
  const add = (text: string, factor: number, characters: boolean) => {
    for (const [term, { kindWeight }] of termCounts(text)) {
      if (!characters && [...term].length < 2) continue;
      weights.set(term, Math.max(weights.get(term) ?? 0, kindWeight * factor));
    }
  };
  add(normal, 1, true);
  for (const group of SYNONYMS) {
    if (!group.some((member) => normal.includes(member))) continue;
    // A synonym's single characters would match half the corpus; its words and pairs suffice.
    for (const member of group) if (!normal.includes(member)) add(member, SYNONYM_WEIGHT, false);
  }
  return [...weights]
    .map(([term, weight]) => ({ term, weight }))
    .sort((a, b) => b.weight - a.weight || a.term.localeCompare(b.term))
    .slice(0, MAX_QUERY_TERMS);
}

/** Markdown as the plain text a reader sees: no markup, links reduced to their words. */
export function plainText(markdown: string): string {
  return markdown
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/^\s{0,3}#{1,6}\s+/gm, "")
    .replace(/^\s*(?:[-*+]|\d+\.)\s+/gm, "")
    .replace(/^\s*\|?[-:| ]+\|[-:| ]*$/gm, "")
    .replace(/\|/g, " ")
    .replace(/[*_`>]/g, "")
    .replace(/[ \t]+/g, " ")
    .replace(/\s*\n\s*/g, " ")
    .trim();
}

export const SNIPPET_MAX = 120;

/**
 * A short extract of the body around the first place a query term appears (the start of the
 * body when none does), at most SNIPPET_MAX characters including the ellipses.
 */
export function snippetFor(markdown: string, terms: readonly WeightedTerm[]): string {
  const text = [...plainText(markdown)];
  const lower = normaliseText(text.join(""));
  let first = -1;
  for (const { term } of terms) {
    if ([...term].length < 2) continue;
    const at = lower.indexOf(term);
    if (at >= 0 && (first < 0 || at < first)) first = at;
  }
  // indexOf counts UTF-16 units; Chinese is in the BMP, so units and characters agree here.
  const start = first <= 20 ? 0 : first - 20;
  const room = SNIPPET_MAX - (start > 0 ? 1 : 0);
  const slice = text.slice(start, start + room);
  const more = start + room < text.length;
  const body = more ? slice.slice(0, room - 1).join("") : slice.join("");
  return `${start > 0 ? "…" : ""}${body}${more ? "…" : ""}`;
}
