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

export function renderMailbox(rows: Row[], filter: string): string {
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
</style>
</head>
<body>
<main>
<h1>开发邮箱 Dev mailbox</h1>
<p>短信和邮件在开发环境中不会真正发出，而是显示在这里。SMS and email are kept here in development.</p>
<form method="get" action="/dev/mailbox">
  <label for="to">收件人 Recipient</label>
  <input id="to" name="to" value="${escapeHtml(filter)}" placeholder="13800138000 / name@example.com">
  <button type="submit">筛选 Filter</button>
</form>
${rows.length ? `<ul>${items}</ul>` : "<p>暂无消息。No messages yet.</p>"}
</main>
</body>
</html>`;
}
