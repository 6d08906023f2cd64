import { randomUUID } from "node:crypto";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { logIn } from "../../../test/factories.js";
import { createTestApp, type TestApp } from "../../../test/harness.js";
import { openAccount, postTransfer } from "../ledger/index.js";
import { EXPORTS_PER_HOUR, exportTransactions } from "./exports.js";
import { type Customer, fundedCustomer } from "./test-support.js";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

/** A transfer between two customers straight through the ledger, with a memo of our choosing. */
async function move(from: Customer, to: Customer, fen: bigint, memo?: string) {
  const a = await openAccount(t.ctx, { ownerUserId: from.user.id, currency: "CNY" });
  const b = await openAccount(t.ctx, { ownerUserId: to.user.id, currency: "CNY" });
  t.clock.advance(1000);
  await postTransfer(t.ctx, {
    idempotencyKey: `test-move:${randomUUID()}`,
    type: "transfer",
    debitAccountId: a.id,
    creditAccountId: b.id,
    amount: fen,
    currency: "CNY",
    ...(memo ? { memo } : {}),
  });
}

/** RFC 4180 reader, strict enough to fail on a quoting mistake. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
      } else if (ch === '"') {
        quoted = false;
        i++;
      } else {
        field += ch;
        i++;
      }
    } else if (ch === '"') {
      if (field !== "") throw new Error(`quote inside an unquoted field at ${i}`);
      quoted = true;
      i++;
    } else if (ch === ",") {
      row.push(field);
      field = "";
      i++;
    } else if (ch === "\r" && text[i + 1] === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      i += 2;
    } else if (ch === "\n" || ch === "\r") {
      throw new Error(`bare line break at ${i}`);
    } else {
      field += ch;
      i++;
    }
  }
  if (quoted) throw new Error("unterminated quote");
  if (field !== "" || row.length > 0) throw new Error("last line has no CRLF");
  return rows;
}

type History = { items: { id: string; amount: number; direction: "in" | "out"; type: string }[] };

async function historyOf(c: Customer, query = ""): Promise<History["items"]> {
  const res = await c.client.get(`/api/v1/wallet/transactions?limit=100${query}`);
  expect(res.statusCode, res.body).toBe(200);
  return (res.json() as History).items;
}

async function csvOf(c: Customer, query = "") {
  const res = await c.client.get(`/api/v1/wallet/transactions/export?format=csv${query}`);
  expect(res.statusCode, res.body).toBe(200);
  const text = res.rawPayload.toString("utf8");
  const [header = [], ...rows] = parseCsv(text.replace(/^\uFEFF/, ""));
  return { res, text, header, rows };
}

describe("CSV export", () => {
  it("holds the same rows as the history, amounts that add up, and Chinese headers behind a BOM", async () => {
    const alice = await fundedCustomer(t, 100_000n, { name: "王小明" });
    const bob = await fundedCustomer(t, 50_000n, { name: "李四" });
    await move(alice, bob, 2_550n, '午饭, 含"饮料"');
    await move(bob, alice, 1_001n, "第一行\n第二行");
    await move(alice, bob, 99n);

    const { res, text, header, rows } = await csvOf(alice);
    expect(res.headers["content-type"]).toBe("text/csv; charset=utf-8");
    expect(res.headers["content-disposition"]).toMatch(
      /^attachment; filename="opencounter-transactions-\d{4}-\d{2}-\d{2}_\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    expect(res.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(text.startsWith("\uFEFF交易时间（北京时间）,")).toBe(true);
    expect(header).toEqual([
      "交易时间（北京时间）",
      "交易时间（ISO 8601 UTC）",
      "交易号",
      "类型",
      "收/支",
      "对方",
      "金额（元，支出为负）",
      "金额（分）",
      "币种",
      "状态",
      "备注",
    ]);

    const history = await historyOf(alice);
    expect(rows).toHaveLength(history.length);
    expect(rows.map((r) => r[2])).toEqual(history.map((h) => h.id));
    // Signed fen sum to the balance (alice's account started at zero); yuan is fen / 100.
    const fen = rows.map((r) => Number(r[7]));
    expect(fen.reduce((a, b) => a + b, 0)).toBe(100_000 - 2_550 + 1_001 - 99);
    expect(rows.map((r) => r[6])).toEqual(["-0.99", "10.01", "-25.50", "1000.00"]);
    expect(rows.map((r) => [r[3], r[4], r[5], r[9]])).toEqual([
      ["转账", "支出", "李*", "成功"],
      ["转账", "收入", "李*", "成功"],
      ["转账", "支出", "李*", "成功"],
      ["调整", "收入", "系统调整", "成功"],
    ]);
    expect(rows.map((r) => r[10])).toEqual(["", "第一行\n第二行", '午饭, 含"饮料"', ""]);
    // China time is the ISO instant plus eight hours.
    for (const r of rows) {
      const iso = new Date(r[1] ?? "");
      expect(r[0]).toBe(new Date(iso.getTime() + 8 * 3600_000).toISOString().slice(0, 19).replace("T", " "));
    }
  });

  it("defuses memos a spreadsheet would run as formulas", async () => {
    const alice = await fundedCustomer(t, 10_000n);
    const bob = await fundedCustomer(t);
    const memos = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "普通备注"];
    for (const memo of memos) await move(alice, bob, 1n, memo);

    const { rows } = await csvOf(bob);
    const seen = rows.map((r) => r[10]).reverse();
    expect(seen).toEqual([`'=HYPERLINK("http://x")`, "'+1+1", "'-2+3", "'@SUM(A1)", "'\tTAB", "普通备注"]);
    // Amounts are numbers, never apostrophed, even when negative.
    const { rows: aliceRows } = await csvOf(alice);
    expect(aliceRows[0]?.[6]).toBe("-0.01");
  });

  it("applies the history's filters: type, direction and time range", async () => {
    const alice = await fundedCustomer(t, 10_000n);
    const bob = await fundedCustomer(t, 10_000n);
    await move(alice, bob, 100n);
    // Just after the first transfer: `from` is inclusive, `to` exclusive.
    const between = new Date(t.clock.now().getTime() + 1);
    await move(bob, alice, 200n);
    await move(alice, bob, 300n);

    const out = await csvOf(alice, "&type=transfer&direction=out");
    expect(out.rows.map((r) => r[7])).toEqual(["-300", "-100"]);
    const since = await csvOf(alice, `&from=${between.toISOString()}`);
    expect(since.rows.map((r) => r[7])).toEqual(["-300", "200"]);
    expect(since.rows).toHaveLength((await historyOf(alice, `&from=${between.toISOString()}`)).length);
    const before = await csvOf(alice, `&to=${between.toISOString()}`);
    expect(before.rows.map((r) => r[7])).toEqual(["-100", "10000"]);
    const topups = await csvOf(alice, "&type=topup");
    expect(topups.rows).toEqual([]);
    expect(topups.header).toHaveLength(11);
  });

  it("never includes another customer's transactions", async () => {
    const alice = await fundedCustomer(t, 5_000n);
    const bob = await fundedCustomer(t, 5_000n);
    const carol = await fundedCustomer(t);
    await move(bob, carol, 1_234n, "bob-to-carol");

    const { rows } = await csvOf(alice);
    expect(rows).toHaveLength(1);
    expect(rows.map((r) => r[10])).not.toContain("bob-to-carol");
  });

  it("writes English headers and labels when the customer chose English", async () => {
    const alice = await fundedCustomer(t, 5_000n);
    await t.db
      .updateTable("users")
      .set({ preferences: JSON.stringify({ language: "en" }) })
      .where("id", "=", alice.user.id)
      .execute();
    const { header, rows } = await csvOf(alice);
    expect(header[0]).toBe("Time (China, UTC+8)");
    expect(header[6]).toBe("Amount (yuan, out is negative)");
    expect(rows[0]?.slice(3, 5)).toEqual(["Adjustment", "In"]);
  });
});

describe("XLSX export", () => {
  it("has typed cells: yuan as numbers in ¥ format, China time as dates, a frozen header and set widths", async () => {
    const alice = await fundedCustomer(t, 123_456n, { name: "王小明" });
    const bob = await fundedCustomer(t);
    await move(alice, bob, 2_550n, "=1+1");

    const res = await alice.client.get("/api/v1/wallet/transactions/export?format=xlsx");
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers["content-type"]).toBe(
      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    );
    expect(res.headers["content-disposition"]).toMatch(/\.xlsx"$/);

    const book = new ExcelJS.Workbook();
    await book.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const sheet = book.getWorksheet("交易明细");
    if (!sheet) throw new Error("no sheet named 交易明细");
    expect(sheet.rowCount).toBe(3);
    expect(sheet.getRow(1).getCell(1).value).toBe("交易时间（北京时间）");
    expect(sheet.views[0]).toMatchObject({ state: "frozen", ySplit: 1 });
    expect(sheet.getColumn(3).width).toBe(38);

    const out = sheet.getRow(2);
    expect(out.getCell(7).type).toBe(ExcelJS.ValueType.Number);
    expect(out.getCell(7).value).toBe(-25.5);
    expect(out.getCell(7).numFmt).toContain('"¥"#,##0.00');
    expect(out.getCell(8).value).toBe(-2550);
    expect(out.getCell(11).value).toBe("'=1+1");
    const when = out.getCell(1);
    expect(when.type).toBe(ExcelJS.ValueType.Date);
    const iso = new Date(String(out.getCell(2).value));
    expect((when.value as Date).getTime()).toBe(iso.getTime() + 8 * 3600_000);
    expect(sheet.getRow(3).getCell(7).value).toBe(1234.56);
  });
});

describe("limits", () => {
  it("refuses a range longer than a year, and from after to, as problem+json", async () => {
    const alice = await fundedCustomer(t, 1_000n);
    const long = await alice.client.get(
      "/api/v1/wallet/transactions/export?format=csv&from=2024-01-01T00:00:00Z&to=2025-06-01T00:00:00Z",
    );
    expect(long.statusCode).toBe(400);
    expect(long.headers["content-type"]).toContain("application/problem+json");
    expect(long.json()).toMatchObject({ code: "validation_failed", reason: "range_too_long" });

    const backwards = await alice.client.get(
      "/api/v1/wallet/transactions/export?format=csv&from=2025-06-01T00:00:00Z&to=2025-01-01T00:00:00Z",
    );
    expect(backwards.statusCode).toBe(400);
    expect(backwards.json()).toMatchObject({ code: "validation_failed", field: "from" });

    const badFormat = await alice.client.get("/api/v1/wallet/transactions/export?format=pdf");
    expect(badFormat.statusCode).toBe(400);
    expect(badFormat.json().code).toBe("validation_failed");
  });

  it("refuses more rows than an export holds before writing anything", async () => {
    const alice = await fundedCustomer(t, 1_000n);
    const bob = await fundedCustomer(t);
    await move(alice, bob, 1n);
    await move(alice, bob, 1n);
    await expect(
      exportTransactions(t.ctx, alice.user.id, { format: "csv" }, { maxRows: 2 }),
    ).rejects.toMatchObject({ code: "validation_failed", details: { reason: "too_many_rows", rows: 3 } });
    const file = await exportTransactions(t.ctx, alice.user.id, { format: "csv" }, { maxRows: 3 });
    expect(file.rows).toBe(3);
    file.body.destroy();
  });

  it(`allows ${EXPORTS_PER_HOUR} files an hour per customer, then answers 429 with Retry-After`, async () => {
    const alice = await fundedCustomer(t, 1_000n);
    const other = await fundedCustomer(t, 1_000n);
    // Start at the top of an hour, so the window cannot roll over mid-test.
    const now = t.clock.now().getTime();
    t.clock.set(new Date(now - (now % 3_600_000) + 3_600_000));
    const aliceClient = await logIn(t, alice.user.id);
    for (let i = 0; i < EXPORTS_PER_HOUR; i++) {
      const res = await aliceClient.get("/api/v1/wallet/transactions/export?format=csv");
      expect(res.statusCode).toBe(200);
    }
    const refused = await aliceClient.get("/api/v1/wallet/transactions/export?format=xlsx");
    expect(refused.statusCode).toBe(429);
    expect(refused.json().code).toBe("rate_limited");
    expect(Number(refused.headers["retry-after"])).toBeGreaterThan(0);
    // Another customer has a window of their own.
    const otherClient = await logIn(t, other.user.id);
    expect((await otherClient.get("/api/v1/wallet/transactions/export?format=csv")).statusCode).toBe(200);
  });

  it("is for customers only", async () => {
    const anonymous = t.client();
    expect((await anonymous.get("/api/v1/wallet/transactions/export?format=csv")).statusCode).toBe(401);
  });
});
