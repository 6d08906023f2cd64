// A plain, accessible HTML page for the dev mailbox (no auto-refresh: axe forbids a timed meta refresh).
type Row = {
  destination: string;
  channel: "sms" | "email";
  subject: string | null;
  body: string;
  created_at: Date;
};

const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c,
  );

/** The current two-step code of a seeded demo staff member, so a visitor can try the console. */
export type DemoStaffCode = { role: string; login: string; code: string | null; secondsLeft: number };

function renderDemoCodes(codes: DemoStaffCode[]): string {
  if (codes.length === 0) return "";
  const rows = codes
    .map(
      (c) => `<tr>
  <th scope="row">${escapeHtml(c.role)}</th>
  <td>${escapeHtml(c.login)}</td>
  <td>${c.code ? `<span class="code">${escapeHtml(c.code)}</span>` : "—"}</td>
</tr>`,
    )
    .join("\n");
  const left = codes[0]?.secondsLeft ?? 30;
  return `<section aria-labelledby="demo-codes">
<h2 id="demo-codes">演示员工两步验证码 Demo staff two-step codes</h2>
<p>演示员工账号的当前动态码（每 30 秒更新，还剩 ${left} 秒）。Current codes of the demo staff accounts; they change every 30 s (${left} s left).</p>
<table>
<caption>登录控制台时输入 Enter at the console login</caption>
<thead><tr><th scope="col">角色 Role</th><th scope="col">登录名 Login</th><th scope="col">验证码 Code</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
</section>`;
}

export function renderMailbox(rows: Row[], filter: string, demoCodes: DemoStaffCode[] = []): string {
  const items = rows
    .map(
      (r) => `<li>
  <p class="meta"><span class="ch">${r.channel === "sms" ? "短信 SMS" : "邮件 Email"}</span>
  → <strong>${escapeHtml(r.destination)}</strong> · <time datetime="${r.created_at.toISOString()}">${r.created_at.toISOString()}</time></p>
  ${r.subject ? `<p class="subject">${escapeHtml(r.subject)}</p>` : ""}
  <p class="body">${escapeHtml(r.body)}</p>
</li>`,
    )
    .join("\n");
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>开发邮箱 Dev mailbox · OpenCounter</title>
<style>
body { font: 16px/1.5 system-ui, sans-serif; margin: 0 auto; max-width: 860px; padding: 16px; color: #1f1f1f; }
h1 { font-size: 1.5rem; }
form { display: flex; gap: 8px; margin-bottom: 16px; }
input { flex: 1; font-size: 1rem; padding: 8px; }
button { font-size: 1rem; padding: 8px 16px; }
ul { list-style: none; padding: 0; }
li { border: 1px solid #d0d0d0; border-radius: 8px; padding: 12px; margin-bottom: 12px; }
.meta { margin: 0; color: #4a4a4a; font-size: .9rem; }
.ch { font-weight: 600; }
.subject { font-weight: 600; margin: 4px 0; }
.body { margin: 4px 0 0; white-space: pre-wrap; }
h2 { font-size: 1.2rem; margin-top: 24px; }
table { border-collapse: collapse; width: 100%; margin-bottom: 16px; }
caption { text-align: left; color: #4a4a4a; padding-bottom: 4px; }
th, td { border: 1px solid #d0d0d0; padding: 6px 8px; text-align: left; }
.code { font: 600 1.25rem/1.2 ui-monospace, monospace; letter-spacing: .1em; }
</style>
</head>
<body>
<main>
<h1>开发邮箱 Dev mailbox</h1>
<p>短信和邮件在开发环境中不会真正发出，而是显示在这里。SMS and email are kept here in development.</p>
${renderDemoCodes(demoCodes)}
<section aria-labelledby="messages">
<h2 id="messages">消息 Messages</h2>
<form method="get" action="/dev/mailbox">
  <label for="to">收件人 Recipient</label>
  <input id="to" name="to" value="${escapeHtml(filter)}" placeholder="13800138000 / name@example.com">
  <button type="submit">筛选 Filter</button>
</form>
${rows.length ? `<ul>${items}</ul>` : "<p>暂无消息。No messages yet.</p>"}
</section>
</main>
</body>
</html>`;
}
