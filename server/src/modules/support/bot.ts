// The 24-hour bot: answers from the help centre, says when it does not know, and hands the
// customer to a person when they ask, when its answers did not help twice, or when it is not
// confident. Outside staffed hours a hand-over becomes "leave a message" and a ticket.
// No outside service: the help centre's own search is the bot's knowledge.
import type { Executor } from "../../db/database.js";
import { type HelpLanguage, searchHelp } from "./service.js";

/** Scores (0–1, see search.ts) at or above which the bot answers with confidence. */
export const CONFIDENT_SCORE = 0.15;
/** Below this the bot does not pretend: it says it does not know and brings in a person. */
export const LOW_SCORE = 0.06;
/** Unhelpful answers after which the customer goes to a person without asking again. */
export const UNHELPFUL_LIMIT = 2;
/** Articles the bot offers in one answer. */
export const ANSWER_ARTICLES = 3;

export type HandoverReason = "asked" | "unhelpful" | "low_confidence";

export type BotArticle = { slug: string; title: string; snippet: string };

export type BotReply =
  | { kind: "greeting"; text: string }
  | { kind: "thanks"; text: string }
  | { kind: "answer"; confidence: "high" | "medium"; text: string; articles: BotArticle[] }
  /** Bring in a person now: the conversation goes to the agents' queue. */
  | { kind: "handover"; reason: HandoverReason; text: string; articles: BotArticle[] }
  /** No one is at the desk: take the customer's message and open a ticket. */
  | { kind: "take_message"; reason: HandoverReason; text: string; articles: BotArticle[] };

export type BotInput = {
  text: string;
  lang: HelpLanguage;
  /** Bot answers in this conversation the customer marked unhelpful so far. */
  unhelpfulAnswers: number;
  /** Whether a person can take over now (business hours and an agent online). */
  staffed: boolean;
  /** Shown when the desk is closed, e.g. "08:00–22:00". */
  staffedHours: string;
};

const HANDOVER_PATTERNS = [
  /转?人工/,
  /真人/,
  /找客服|联系客服|客服人员|在线客服|人工服务/,
  /\b(agent|human|operator|real person|live person|talk to (a|someone|somebody))\b/i,
];
const GREETINGS = new Set(["你好", "您好", "在吗", "在不在", "有人吗", "嗨", "hi", "hello", "hey", "哈喽"]);
const THANKS = new Set([
  "谢谢",
  "谢谢你",
  "多谢",
  "感谢",
  "好的谢谢",
  "thanks",
  "thank you",
  "thx",
  "ok thanks",
]);

function bare(text: string): string {
  return text
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[\s\p{P}\p{S}]+/gu, " ")
    .trim();
}

/** Does the customer ask for a person? */
export function asksForPerson(text: string): boolean {
  const t = bare(text);
  return HANDOVER_PATTERNS.some((p) => p.test(t));
}

const say = {
  greeting: {
    "zh-CN":
      "您好，我是 OpenCounter 智能助手，24 小时在线。请直接说出您的问题，例如“怎么提现”“忘记支付密码”。需要人工服务时，回复“转人工”。",
    en: "Hello, I am the OpenCounter assistant, here 24 hours a day. Ask your question, e.g. “how do I withdraw” or “I forgot my payment password”. Type “agent” to talk to a person.",
  },
  thanks: {
    "zh-CN": "不客气！还有其他问题随时问我。",
    en: "You are welcome! Ask me anything else at any time.",
  },
  high: {
    "zh-CN": "我找到了这些内容，希望能帮到您：",
    en: "Here is what I found; I hope it helps:",
  },
  medium: {
    "zh-CN": "我不太确定，这些文章可能与您的问题有关。如果没有帮助，回复“转人工”。",
    en: "I am not sure; these articles may be related. If they do not help, type “agent”.",
  },
  handover: {
    asked: {
      "zh-CN": "好的，正在为您转接人工客服，请稍候。",
      en: "Sure, I am bringing in a person. Please wait a moment.",
    },
    unhelpful: {
      "zh-CN": "抱歉没能帮到您，正在为您转接人工客服，请稍候。",
      en: "Sorry I could not help. I am bringing in a person; please wait a moment.",
    },
    low_confidence: {
      "zh-CN": "这个问题我不知道答案，正在为您转接人工客服，请稍候。",
      en: "I do not know the answer to that. I am bringing in a person; please wait a moment.",
    },
  },
  takeMessage: {
    "zh-CN": (hours: string) =>
      `现在不是人工服务时间（${hours}）。请留下您的问题和联系方式，我们会为您建立工单，上班后尽快回复。`,
    en: (hours: string) =>
      `No one is at the desk now (staffed ${hours}). Leave your question and we will open a ticket and answer as soon as we are back.`,
  },
  dontKnowPrefix: {
    "zh-CN": "这个问题我不知道答案。",
    en: "I do not know the answer to that. ",
  },
} as const;

function handOver(input: BotInput, reason: HandoverReason, articles: BotArticle[] = []): BotReply {
  if (!input.staffed) {
    const prefix = reason === "low_confidence" ? say.dontKnowPrefix[input.lang] : "";
    return {
      kind: "take_message",
      reason,
      text: prefix + say.takeMessage[input.lang](input.staffedHours),
      articles,
    };
  }
  return { kind: "handover", reason, text: say.handover[reason][input.lang], articles };
}

/** The bot's reply to one customer message. */
export async function replyToCustomer(db: Executor, input: BotInput): Promise<BotReply> {
  if (asksForPerson(input.text)) return handOver(input, "asked");
  if (input.unhelpfulAnswers >= UNHELPFUL_LIMIT) return handOver(input, "unhelpful");

  const t = bare(input.text);
  if (GREETINGS.has(t)) return { kind: "greeting", text: say.greeting[input.lang] };
  if (THANKS.has(t)) return { kind: "thanks", text: say.thanks[input.lang] };

  const hits = await searchHelp(db, { q: input.text, limit: ANSWER_ARTICLES, lang: input.lang });
  const best = hits[0]?.score ?? 0;
  const articles = hits.map(({ slug, title, snippet }) => ({ slug, title, snippet }));
  if (best < LOW_SCORE) return handOver(input, "low_confidence");
  const confidence = best >= CONFIDENT_SCORE ? "high" : "medium";
  return { kind: "answer", confidence, text: say[confidence][input.lang], articles };
}

/**
 * What the bot says after the customer marks one of its answers. `unhelpfulAnswers` counts
 * this one. The second "not helpful" brings in a person; a "helpful" needs no reply.
 */
export function replyToFeedback(input: Omit<BotInput, "text"> & { helpful: boolean }): BotReply | null {
  if (input.helpful || input.unhelpfulAnswers < UNHELPFUL_LIMIT) return null;
  return handOver({ ...input, text: "" }, "unhelpful");
}
