// The category rules on messages written the way customers write them: colloquial, with
// typos (登陆), without the words the help centre uses. The accuracy is reported in
// docs/support-tickets.md; the floor here stops a rule change from quietly making it worse.
import { describe, expect, it } from "vitest";
import type { SupportTicketCategory } from "../../db/schema.js";
import { needsVerification, priorityFor, suggestCategory } from "./tickets-classify.js";

const LABELLED: ReadonlyArray<readonly [string, SupportTicketCategory]> = [
  ["我的账户被锁定了，输错了几次密码现在登不进去", "account_locked"],
  ["账号被冻结了怎么办，急用钱", "account_locked"],
  ["为什么我的账户被锁了？我什么都没做", "account_locked"],
  ["昨天挂失了，现在想解冻", "account_locked"],
  ["提示账户已锁定，请稍后再试，要等多久", "account_locked"],
  ["登陆不上去，一直提示失败", "account_login"],
  ["收不到短信验证码，没法登录", "account_login"],
  ["换了手机以后登录进不去了", "account_login"],
  ["两步验证的验证码输了不对，登不上", "account_login"],
  ["登录的时候验证码图片看不清", "account_login"],
  ["忘记密码了，怎么重置", "account_password"],
  ["支付密码忘了怎么找回", "account_password"],
  ["想改一下登录密码", "account_password"],
  ["密码老是提示太简单，设置不了", "account_password"],
  ["转账显示失败但是钱扣了", "dispute_failed"],
  ["充值了100块一直没到账", "dispute_failed"],
  ["提现失败了，钱去哪了", "dispute_failed"],
  ["给我妈转的钱对方没收到", "dispute_failed"],
  ["付款不成功但银行卡扣款了，能退款吗", "dispute_failed"],
  ["交水费显示交易失败，余额却少了", "dispute_failed"],
  ["同一笔钱扣了两次", "dispute_duplicate"],
  ["买东西被重复扣款，请帮我退一笔", "dispute_duplicate"],
  ["话费充值扣了两笔，只到账一笔", "dispute_duplicate"],
  ["刚才付款点了一下却多扣了一次钱", "dispute_duplicate"],
  ["一次消费出现了两笔一样的记录，重复支付了", "dispute_duplicate"],
  ["有人盗刷了我的账户，有一笔不是我操作的转账", "security_alert"],
  ["收到短信说异常登录，可我没登录过", "security_alert"],
  ["我被骗了，对方冒充客服让我转账", "security_alert"],
  ["账号好像被盗了，余额少了五百", "security_alert"],
  ["登录记录里有陌生设备，是不是被别人登录了", "security_alert"],
  ["有一笔我不认识的交易，我没有操作过", "security_alert"],
  ["打开app就闪退", "system_fault"],
  ["网页一直转圈加载不出来", "system_fault"],
  ["点提交按钮报错，显示系统错误", "system_fault"],
  ["页面空白什么都没有", "system_fault"],
  ["自助机卡死了，屏幕没反应", "system_fault"],
  ["提示错误代码500", "system_fault"],
  ["提现手续费是多少", "question"],
  ["每天转账限额是多少", "question"],
  ["营业时间是几点到几点", "question"],
  ["怎么开通长辈模式", "question"],
  ["积分可以兑换什么", "question"],
  ["可以绑定几张银行卡", "question"],
  ["你们的客服电话是多少", "question"],
  ["提现一般多久到账", "question"],
  ["能不能修改我的名字", "question"],
];

function accuracy(): { correct: number; total: number; misses: string[] } {
  const misses: string[] = [];
  for (const [text, want] of LABELLED) {
    const got = suggestCategory(text).category;
    if (got !== want) misses.push(`${text} → ${got} (want ${want})`);
  }
  return { correct: LABELLED.length - misses.length, total: LABELLED.length, misses };
}

describe("category suggestion", () => {
  it("puts at least 85% of realistic Chinese messages in the category a person would", () => {
    const { correct, total, misses } = accuracy();
    console.info(`ticket category accuracy: ${correct}/${total} = ${((100 * correct) / total).toFixed(1)}%`);
    for (const m of misses) console.info(`  miss: ${m}`);
    expect(correct / total).toBeGreaterThanOrEqual(0.85);
  });

  it("says which words decided it, and falls back to a question when nothing matches", () => {
    const s = suggestCategory("账户被冻结了");
    expect(s.category).toBe("account_locked");
    expect(s.matched).toContain("冻结");
    expect(suggestCategory("你好")).toEqual({ category: "question", score: 0, matched: [] });
  });

  it("makes a possible theft or a frozen account urgent, a plain question low", () => {
    expect(priorityFor("security_alert", { status: "active" })).toBe("urgent");
    expect(priorityFor("question", { status: "frozen" })).toBe("urgent");
    expect(priorityFor("dispute_duplicate", { status: "active" })).toBe("high");
    expect(priorityFor("question", null)).toBe("low");
  });

  it("asks for the customer's identity before account and money requests, not for questions", () => {
    expect(needsVerification("account_password")).toBe(true);
    expect(needsVerification("dispute_failed")).toBe(true);
    expect(needsVerification("question")).toBe(false);
  });
});
