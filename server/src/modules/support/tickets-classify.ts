// Suggests a ticket's category from what the customer wrote, and sets its priority from the
// category and the customer's state. Rules, not a model: each category has words customers
// use (with the help centre's synonyms), matched on the same tokens the search uses, so
// "登陆不上" and "登录不了" meet on the bigram 登录/登陆 rather than on exact strings.
import type { SupportTicketCategory, SupportTicketPriority, UserStatus } from "../../db/schema.js";
import { SYNONYMS, tokenise } from "./search.js";

export const ticketCategories = [
  "account_locked",
  "account_login",
  "account_password",
  "dispute_failed",
  "dispute_duplicate",
  "question",
  "system_fault",
  "security_alert",
] as const satisfies readonly SupportTicketCategory[];

export const ticketPriorities = [
  "low",
  "normal",
  "high",
  "urgent",
] as const satisfies readonly SupportTicketPriority[];

type Rule = { category: SupportTicketCategory; words: ReadonlyArray<readonly [string, number]> };

/**
 * In order of precedence: on a tie the earlier category wins, because a possible theft
 * matters more than a question about the same screen.
 */
const RULES: readonly Rule[] = [
  {
    category: "security_alert",
    words: [
      ["被盗", 3],
      ["盗号", 3],
      ["盗刷", 3],
      ["异常登录", 3],
      ["陌生登录", 3],
      ["不是我操作", 3],
      ["不是本人", 3],
      ["我没有操作", 3],
      ["没有操作过", 3],
      ["诈骗", 3],
      ["被骗", 3],
      ["骗子", 3],
      ["冒充", 2],
      ["泄露", 2],
      ["陌生设备", 3],
      ["别人登录", 3],
      ["可疑", 2],
      ["不认识", 2],
      ["莫名其妙", 1.5],
      ["hacked", 3],
      ["fraud", 3],
      ["stolen", 3],
    ],
  },
  {
    category: "dispute_duplicate",
    words: [
      ["重复扣款", 3],
      ["扣了两次", 3],
      ["扣两次", 3],
      ["扣了两笔", 3],
      ["两笔", 2],
      ["多扣", 3],
      ["重复支付", 3],
      ["重复", 1.5],
      ["两次", 1],
      ["duplicate", 3],
      ["twice", 2.5],
    ],
  },
  {
    category: "dispute_failed",
    words: [
      ["失败", 2],
      ["没到账", 3],
      ["未到账", 3],
      ["钱没到", 3],
      ["到账", 1.5],
      ["不成功", 2],
      ["扣款", 1.5],
      ["钱扣了", 2.5],
      ["扣了钱", 2.5],
      ["退款", 1.5],
      ["没收到", 1.5],
      ["对方没收到", 2.5],
      ["failed", 2.5],
      ["refund", 1.5],
    ],
  },
  {
    category: "account_locked",
    words: [
      ["锁定", 3],
      ["被锁", 3],
      ["锁了", 3],
      ["冻结", 3],
      ["封号", 3],
      ["解冻", 3],
      ["限制", 1.5],
      ["locked", 3],
      ["frozen", 3],
    ],
  },
  {
    category: "account_password",
    words: [
      ["密码", 2.5],
      ["忘记密码", 3],
      ["重置", 1.5],
      ["找回", 1.5],
      ["支付密码", 3],
      ["password", 3],
    ],
  },
  {
    category: "account_login",
    words: [
      ["登录", 2.5],
      ["登陆", 2.5],
      ["进不去", 2],
      ["登不上", 3],
      ["验证码", 2],
      ["收不到短信", 2],
      ["两步验证", 2],
      ["login", 3],
      ["log", 1],
    ],
  },
  {
    category: "system_fault",
    words: [
      ["闪退", 3],
      ["报错", 3],
      ["打不开", 2.5],
      ["白屏", 3],
      ["卡住", 2],
      ["卡死", 2.5],
      ["崩溃", 3],
      ["加载不出来", 3],
      ["系统错误", 3],
      ["错误代码", 3],
      ["转圈", 2.5],
      ["没反应", 2],
      ["无响应", 2.5],
      ["页面空白", 3],
      ["500", 1.5],
      ["bug", 3],
      ["error", 2],
      ["crash", 3],
    ],
  },
  {
    category: "question",
    words: [
      ["手续费", 1.5],
      ["限额", 1.5],
      ["多久", 1],
      ["哪里", 1],
      ["规则", 1],
      ["营业时间", 1.5],
      ["开通", 1],
      ["怎么用", 1],
      ["能不能", 1],
      ["可不可以", 1],
      ["是否", 1],
    ],
  },
];

/** Terms of a keyword the way the tokeniser would index them (no single characters). */
function keywordTerms(word: string): string[] {
  const terms = tokenise(word)
    .filter((t) => t.kind !== "char")
    .map((t) => t.term);
  // A lone character (e.g. a stop-word bigram removed) would match too much: never match it.
  return [...new Set(terms)];
}

/** Synonym groups containing a word, so "登陆" also brings "登入", "上不去" … at a discount. */
function synonymsOf(word: string): string[] {
  return SYNONYMS.filter((group) => group.includes(word)).flatMap((group) => group.filter((w) => w !== word));
}

type CompiledWord = { terms: string[]; weight: number; word: string };
const COMPILED: ReadonlyArray<{ category: SupportTicketCategory; words: CompiledWord[] }> = RULES.map((r) => {
  const words: CompiledWord[] = [];
  const seen = new Set<string>();
  for (const [word, weight] of r.words) {
    for (const [w, f] of [[word, 1] as const, ...synonymsOf(word).map((s) => [s, 0.7] as const)]) {
      if (seen.has(w)) continue;
      seen.add(w);
      const terms = keywordTerms(w);
      if (terms.length) words.push({ terms, weight: weight * f, word: w });
    }
  }
  return { category: r.category, words };
});

export type CategorySuggestion = {
  category: SupportTicketCategory;
  /** 0 when nothing matched (the fallback "question"); otherwise the winning score. */
  score: number;
  /** The customer's words that decided it, for the agent to see why. */
  matched: string[];
};

/** The category the text most likely belongs to; "question" when nothing matches. */
export function suggestCategory(text: string): CategorySuggestion {
  const present = new Set(
    tokenise(text)
      .filter((t) => t.kind !== "char")
      .map((t) => t.term),
  );
  let best: CategorySuggestion = { category: "question", score: 0, matched: [] };
  for (const rule of COMPILED) {
    let score = 0;
    const matched: string[] = [];
    for (const w of rule.words) {
      if (w.terms.every((term) => present.has(term))) {
        score += w.weight;
        matched.push(w.word);
      }
    }
    if (score > best.score) best = { category: rule.category, score, matched };
  }
  return best;
}

const PRIORITY_OF: Record<SupportTicketCategory, SupportTicketPriority> = {
  security_alert: "urgent",
  dispute_duplicate: "high",
  dispute_failed: "high",
  account_locked: "high",
  system_fault: "high",
  account_login: "normal",
  account_password: "normal",
  question: "low",
};

/**
 * A frozen account, or a possible theft, cannot wait: urgent. Otherwise the category decides.
 */
export function priorityFor(
  category: SupportTicketCategory,
  customer: { status: UserStatus } | null,
): SupportTicketPriority {
  if (customer?.status === "frozen") return "urgent";
  return PRIORITY_OF[category];
}

/** Categories whose requests touch the account itself: by email or phone, verify first. */
export function needsVerification(category: SupportTicketCategory): boolean {
  switch (category) {
    case "account_locked":
    case "account_login":
    case "account_password":
    case "dispute_failed":
    case "dispute_duplicate":
    case "security_alert":
      return true;
    case "question":
    case "system_fault":
      return false;
    default: {
      const never: never = category;
      throw new Error(`unknown category ${String(never)}`);
    }
  }
}
