// The sandbox's pay page: plain server-rendered HTML, zh-CN first, usable without JavaScript.
import type { SandboxPaymentView } from "./service.js";

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function yuan(amount: number): string {
  return `${Math.trunc(amount / 100)}.${String(amount % 100).padStart(2, "0")}`;
}

const STATUS_TEXT = {
  created: "待支付 · Awaiting payment",
  paid: "已支付 · Paid",
  failed: "支付失败 · Failed",
} as const;

export function renderPayPage(p: SandboxPaymentView, formToken: string): string {
  const amount = `${p.currency === "CNY" ? "¥" : `${escapeHtml(p.currency)} `}${yuan(p.amount)}`;
  const open = p.status === "created";
  const action = `/sandbox-gateway/pay/${escapeHtml(p.paymentId)}`;
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>沙箱支付 · Sandbox payment</title>
<style>
  body { font-family: system-ui, sans-serif; max-width: 32rem; margin: 2rem auto; padding: 0 1rem; color: #1f1f1f; }
  .amount { font-size: 2.5rem; font-weight: 700; margin: 1rem 0; }
  .note { color: #555; }
  form { display: flex; gap: 1rem; margin-top: 1.5rem; }
  button { flex: 1; font-size: 1.25rem; padding: 1rem; border-radius: 0.5rem; border: 2px solid #1f1f1f; cursor: pointer; }
  button:focus-visible { outline: 3px solid #0b57d0; outline-offset: 2px; }
  .pay { background: #0b57d0; color: #fff; border-color: #0b57d0; }
  .fail { background: #fff; color: #a50e0e; border-color: #a50e0e; }
</style>
</head>
<body>
<main>
<h1>沙箱支付 <span lang="en">Sandbox payment</span></h1>
<p class="note">这是开发用的模拟支付网关，不会产生真实扣款。<span lang="en">A development stand-in: no real money moves.</span></p>
<p>订单号 <span lang="en">Order</span>: <code>${escapeHtml(p.merchantOrderId)}</code></p>
<p class="amount">金额 <span lang="en">Amount</span>: ${amount}</p>
<p role="status">状态 <span lang="en">Status</span>: ${STATUS_TEXT[p.status]}</p>
${
  open
    ? `<form method="post" action="${action}">
<input type="hidden" name="formToken" value="${escapeHtml(formToken)}">
<button type="submit" name="outcome" value="paid" class="pay" aria-label="支付 Pay">支付 <span lang="en">Pay</span></button>
<button type="submit" name="outcome" value="failed" class="fail" aria-label="失败 Fail">失败 <span lang="en">Fail</span></button>
</form>`
    : `<p>您可以关闭此页面。<span lang="en">You may close this page.</span></p>`
}
</main>
</body>
</html>
`;
}
