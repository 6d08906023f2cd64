import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { logIn } from "../../test/factories.js";
import { createTestApp, type TestApp } from "../../test/harness.js";
import { verifyLedger } from "../modules/ledger/index.js";
import {
  DEMO_CUSTOMER_PASSWORD,
  DEMO_STAFF_PASSWORD,
  type DemoLogin,
  demoTotp,
  seedDemoData,
} from "./seed.js";
import { DEMO_PAYMENT_PASSWORD } from "./wallet-seed.js";

let t: TestApp;
let dataDir: string;
beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), "oc-demo-"));
  t = await createTestApp({ dataDir });
});
afterAll(async () => {
  await t.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const loginsFile = () => path.join(dataDir, "demo-logins.json");
const readLogins = () => (JSON.parse(readFileSync(loginsFile(), "utf8")) as { logins: DemoLogin[] }).logins;
type Counted = "users" | "audit_log" | "ledger_transfers" | "topups" | "notifications" | "limit_usage";
const rowCount = async (table: Counted) =>
  Number(
    (
      await t.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<string>().as("n"))
        .executeTakeFirstOrThrow()
    ).n,
  );

describe("demo data", () => {
  it("creates two customers and four staff with two-step verification, and prints how to log in", async () => {
    const { lines } = await seedDemoData(t.ctx);

    const users = await t.db
      .selectFrom("users")
      .select([
        "kind",
        "phone",
        "email",
        "name",
        "roles",
        "password_hash",
        "totp_secret_enc",
        "totp_enabled_at",
      ])
      .orderBy("created_at")
      .execute();
    const zhang = users.find((u) => u.phone === "13800138000");
    expect(zhang).toMatchObject({
      kind: "customer",
      name: "张三",
      roles: ["customer"],
      totp_enabled_at: null,
    });
    expect(await t.ctx.crypto.verifyPassword(zhang?.password_hash ?? "", DEMO_CUSTOMER_PASSWORD)).toBe(true);
    expect(users.find((u) => u.phone === "13900139000")).toMatchObject({ kind: "customer", name: "李四" });

    const logins = readLogins();
    for (const role of ["agent", "reviewer", "admin", "supervisor"]) {
      const email = `${role}@opencounter.local`;
      const staff = users.find((u) => u.email === email);
      expect(staff).toMatchObject({ kind: "staff", roles: [role], totp_enabled_at: expect.any(Date) });
      expect(await t.ctx.crypto.verifyPassword(staff?.password_hash ?? "", DEMO_STAFF_PASSWORD)).toBe(true);
      const login = logins.find((l) => l.role === role);
      const secret = t.ctx.crypto.decrypt(staff?.totp_secret_enc ?? Buffer.alloc(0));
      expect(secret).toMatch(/^[A-Z2-7]{32}$/);
      expect(login).toMatchObject({ login: email, password: DEMO_STAFF_PASSWORD, totpSecret: secret });
      expect(login?.otpauthUrl).toMatch(/^otpauth:\/\/totp\/OpenCounter:.+\?.*secret=/);
      expect(
        lines.some((l) => l.startsWith(role) && l.includes(email) && l.includes(`TOTP secret ${secret}`)),
      ).toBe(true);
    }
    expect(lines).toContainEqual(expect.stringMatching(/^customer\s+13800138000 \/ Demo-Counter-2026/));
    expect(statSync(loginsFile()).mode & 0o777).toBe(0o600);
  });

  it("changes nothing on a second start and prints the same lines", async () => {
    const first = await seedDemoData(t.ctx);
    const before = {
      users: await rowCount("users"),
      audit: await rowCount("audit_log"),
      mtime: statSync(loginsFile()).mtimeMs,
    };
    const fileBefore = readFileSync(loginsFile(), "utf8");

    const second = await seedDemoData(t.ctx);
    expect(second.lines).toEqual(first.lines);
    expect(await rowCount("users")).toBe(before.users);
    expect(await rowCount("audit_log")).toBe(before.audit);
    expect(readFileSync(loginsFile(), "utf8")).toBe(fileBefore);
    expect(statSync(loginsFile()).mtimeMs).toBe(before.mtime);
  });

  it("opens three demo tickets for the support desk once — none for 张三, whom the browser tests call in about", async () => {
    await seedDemoData(t.ctx);
    await seedDemoData(t.ctx);
    const tickets = await t.db
      .selectFrom("support_tickets as k")
      .leftJoin("users as u", "u.id", "k.customer_id")
      .select(["k.channel", "k.category", "k.status", "k.requester_email", "u.phone"])
      .orderBy("k.channel")
      .execute();
    expect(tickets).toEqual([
      expect.objectContaining({ channel: "chat", phone: "13900139000", status: "new" }),
      expect.objectContaining({ channel: "email", phone: null, requester_email: "wang.fang@example.com" }),
      expect.objectContaining({ channel: "phone", phone: "13900139000" }),
    ]);
    // Categories come from the text, as for any ticket.
    expect(tickets.map((x) => x.category).sort()).toEqual(["account_locked", "dispute_failed", "question"]);
  });

  it("lets the demo reviewer log in to the console with the code the dev mailbox shows", async () => {
    await seedDemoData(t.ctx);
    const page = await t.client().get("/dev/mailbox", { headers: { accept: "text/html" } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("Demo staff two-step codes");
    const reviewer = readLogins().find((l) => l.role === "reviewer");
    const expected = demoTotp(reviewer?.totpSecret ?? "", "x").generate({
      timestamp: t.clock.now().getTime(),
    });
    const row =
      /<th scope="row">reviewer<\/th>\s*<td>reviewer@opencounter\.local<\/td>\s*<td><span class="code">(\d{6})<\/span>/.exec(
        page.body,
      );
    expect(row?.[1]).toBe(expected);

    const c = t.client();
    const res = await c.post("/api/v1/auth/login", {
      login: "reviewer@opencounter.local",
      password: DEMO_STAFF_PASSWORD,
      totp: row?.[1],
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ next: null });
    expect((await c.get("/api/v1/console/reviews")).statusCode).toBe(200);
  });

  it("keeps secrets out of the audit trail", async () => {
    await seedDemoData(t.ctx);
    const audit = await t.db.selectFrom("audit_log").select(["action", "details"]).execute();
    const text = JSON.stringify(audit);
    for (const l of readLogins()) {
      expect(text).not.toContain(l.password);
      if (l.totpSecret) expect(text).not.toContain(l.totpSecret);
    }
    expect(audit.filter((a) => a.action === "demo.seeded")).toHaveLength(1);
  });

  it("makes the demo customers real-name verified (Class II) with a card in their own name", async () => {
    await seedDemoData(t.ctx);
    const zhang = await t.db
      .selectFrom("users")
      .select(["id", "id_number_masked"])
      .where("phone", "=", "13800138000")
      .executeTakeFirstOrThrow();
    const client = await logIn(t, zhang.id);
    const limits = await client.get("/api/v1/wallet/limits");
    expect(limits.statusCode).toBe(200);
    expect(limits.json().class).toBe("II");
    const cards = await client.get("/api/v1/me/bank-cards");
    expect(cards.json().items).toHaveLength(1);
    expect(JSON.stringify(cards.json())).not.toMatch(/\d{12,}/);
    expect(zhang.id_number_masked).not.toMatch(/\d{6,}/);
  });

  it("gives the demo customers money and a history through the real money paths, once", async () => {
    await seedDemoData(t.ctx);
    const customers = await t.db
      .selectFrom("users")
      .select(["id", "phone", "payment_password_hash"])
      .where("phone", "in", ["13800138000", "13900139000"])
      .execute();
    const wallet = async (phone: string) => {
      const user = customers.find((c) => c.phone === phone);
      if (!user) throw new Error(`no demo customer ${phone}`);
      expect(await t.ctx.crypto.verifyPassword(user.payment_password_hash ?? "", DEMO_PAYMENT_PASSWORD)).toBe(
        true,
      );
      const client = await logIn(t, user.id);
      const balance = (await client.get("/api/v1/wallet")).json().accounts;
      const history = (await client.get("/api/v1/wallet/transactions")).json().items as {
        type: string;
        direction: string;
        amount: number;
      }[];
      return { balance, history: history.map((h) => `${h.type} ${h.direction} ${h.amount}`) };
    };
    // 张三: ¥2,000 topped up, ¥50 phone bill, ¥23.50 shop, ¥186.20 electricity, ¥200 to 李四.
    expect(await wallet("13800138000")).toEqual({
      balance: [{ currency: "CNY", available: 154_030, pending: 0 }],
      history: [
        "transfer out 20000",
        "payment out 18620",
        "payment out 2350",
        "payment out 5000",
        "topup in 200000",
      ],
    });
    expect(await wallet("13900139000")).toEqual({
      balance: [{ currency: "CNY", available: 68_200, pending: 0 }],
      history: ["payment out 1800", "transfer in 20000", "topup in 50000"],
    });
    const topups = await t.db.selectFrom("topups").select(["status", "method"]).execute();
    expect(topups).toEqual([
      { status: "succeeded", method: "sandbox" },
      { status: "succeeded", method: "sandbox" },
    ]);
    expect((await verifyLedger(t.db)).problems).toEqual([]);

    // A second start moves nothing and writes nothing.
    const count = () =>
      Promise.all(
        (["ledger_transfers", "topups", "notifications", "audit_log", "limit_usage"] as const).map(rowCount),
      );
    const before = await count();
    const usage = await t.db.selectFrom("limit_usage").selectAll().execute();
    await seedDemoData(t.ctx);
    expect(await count()).toEqual(before);
    expect(await t.db.selectFrom("limit_usage").selectAll().execute()).toEqual(usage);
  });
});
