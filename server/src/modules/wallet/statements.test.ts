import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { getDocument } from "pdfjs-dist/legacy/build/pdf.mjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { logIn } from "../../../test/factories.js";
import { createTestApp, type TestApp } from "../../../test/harness.js";
import { openAccount, postTransfer } from "../ledger/index.js";
import { buildStatement } from "./statements.js";
import { STATEMENT_FONT_PATH, statementFont, woffToSfnt } from "./statements-font.js";
import { type Customer, fund, fundedCustomer } from "./test-support.js";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

/** Moves the shared clock to a China-time wall-clock moment ("2027-01-10 09:00"), never backwards. */
function atChinaTime(wall: string) {
  const at = new Date(`${wall.replace(" ", "T")}:00+08:00`);
  if (at < t.clock.now()) throw new Error(`the clock would go back to ${wall}`);
  t.clock.set(at);
}

async function move(from: Customer, to: Customer, fen: bigint, memo?: string) {
  const a = await openAccount(t.ctx, { ownerUserId: from.user.id, currency: "CNY" });
  const b = await openAccount(t.ctx, { ownerUserId: to.user.id, currency: "CNY" });
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

/** The text of each page, as a PDF reader extracts it (through the embedded font's ToUnicode map). */
async function pdfText(bytes: Buffer): Promise<string[]> {
  const doc = await getDocument({ data: new Uint8Array(bytes), useSystemFonts: false }).promise;
  const pages: string[] = [];
  for (let i = 1; i <= doc.numPages; i++) {
    const content = await (await doc.getPage(i)).getTextContent();
    pages.push(content.items.map((item) => ("str" in item ? item.str : "")).join(" "));
  }
  await doc.destroy();
  return pages;
}

async function statementOf(c: Customer, month: string) {
  // A fresh session: the tests move the clock by weeks, past any idle timeout.
  const client = await logIn(t, c.user.id);
  return client.get(`/api/v1/wallet/statements/${month}`);
}

describe("monthly statement", () => {
  it("shows the masked holder, opening and closing balance, every transaction and the totals, in Chinese", async () => {
    atChinaTime("2027-01-05 10:00");
    const alice = await fundedCustomer(t, 100_000n, { name: "王小明" });
    const bob = await fundedCustomer(t, 0n, { name: "李四" });
    atChinaTime("2027-02-03 09:00");
    await move(alice, bob, 2_550n, "房租分摊");
    atChinaTime("2027-02-14 20:00");
    await move(bob, alice, 1_000n, "红包");
    // 00:30 on 1 March in China is still 28 February in UTC: it belongs to March.
    atChinaTime("2027-03-01 00:30");
    await move(alice, bob, 700n, "三月");
    atChinaTime("2027-03-05 12:00");

    const res = await statementOf(alice, "2027-02");
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers["content-type"]).toBe("application/pdf");
    expect(res.headers["content-disposition"]).toBe(
      'attachment; filename="opencounter-statement-2027-02.pdf"',
    );
    expect(res.rawPayload.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    // The CJK font is embedded (as a subset), not referenced.
    expect(res.rawPayload.toString("latin1")).toMatch(/\/FontFile2?\b/);

    const [page, ...more] = await pdfText(res.rawPayload);
    expect(more).toEqual([]);
    expect(page).toContain("OpenCounter 电子对账单");
    expect(page).toContain("王*明");
    expect(page).not.toContain("王小明");
    expect(page).toContain("2027-02-01 至 2027-02-28（北京时间）");
    expect(page).toMatch(/期初余额：\s*¥1,000\.00/);
    expect(page).toMatch(/收入合计（1 笔）：\s*¥10\.00/);
    expect(page).toMatch(/支出合计（1 笔）：\s*¥25\.50/);
    expect(page).toMatch(/期末余额：\s*¥984\.50/);
    expect(page).toContain("房租分摊");
    expect(page).toContain("红包");
    expect(page).not.toContain("三月");
    expect(page).toContain("2027-02-03 09:00:00");
    expect(page).toContain("生成时间：2027-03-05 12:00:00（北京时间）");
    expect(page).toContain("第 1 页 / 共 1 页");
  });

  it("carries one month's closing balance into the next month's opening balance", async () => {
    atChinaTime("2027-04-02 10:00");
    const alice = await fundedCustomer(t, 50_000n);
    const bob = await fundedCustomer(t);
    atChinaTime("2027-04-30 23:59");
    await move(alice, bob, 1_000n);
    atChinaTime("2027-05-01 00:00");
    await move(alice, bob, 2_000n);
    atChinaTime("2027-06-01 08:00");

    const april = await buildStatement(t.ctx, alice.user.id, "2027-04");
    const may = await buildStatement(t.ctx, alice.user.id, "2027-05");
    expect([april.openingBalance, april.totalIn, april.totalOut, april.closingBalance]).toEqual([
      0n,
      50_000n,
      1_000n,
      49_000n,
    ]);
    expect(may.openingBalance).toBe(april.closingBalance);
    expect([may.totalOut, may.closingBalance]).toEqual([2_000n, 47_000n]);
    expect(may.transactions.map((x) => x.amount)).toEqual([2_000n]);
  });

  it("numbers its pages when the month runs over several", async () => {
    atChinaTime("2027-07-01 09:00");
    const alice = await fundedCustomer(t, 0n, { name: "赵六" });
    for (let i = 0; i < 90; i++) {
      t.clock.advance(60_000);
      await fund(t, alice.user.id, BigInt(100 + i));
    }
    atChinaTime("2027-08-02 09:00");
    const res = await statementOf(alice, "2027-07");
    expect(res.statusCode).toBe(200);
    const pages = await pdfText(res.rawPayload);
    expect(pages.length).toBeGreaterThanOrEqual(3);
    pages.forEach((text, i) => {
      expect(text).toContain(`第 ${i + 1} 页 / 共 ${pages.length} 页`);
      // The table's header repeats on every page.
      expect(text).toContain("交易时间");
    });
    // 100 + 101 + … + 189 fen.
    expect(pages[0]).toMatch(/收入合计（90 笔）：\s*¥130\.05/);
  });

  it("gives a statement with zero activity for a month before the account existed", async () => {
    atChinaTime("2027-08-10 09:00");
    const alice = await fundedCustomer(t, 5_000n, { name: "王小明" });
    const res = await statementOf(alice, "2026-01");
    expect(res.statusCode).toBe(200);
    const [page] = await pdfText(res.rawPayload);
    expect(page).toMatch(/期初余额：\s*¥0\.00/);
    expect(page).toMatch(/期末余额：\s*¥0\.00/);
    expect(page).toContain("本期无交易。");
  });

  it("never shows another customer's transactions", async () => {
    atChinaTime("2027-08-11 09:00");
    const alice = await fundedCustomer(t, 5_000n);
    const bob = await fundedCustomer(t, 5_000n);
    const carol = await fundedCustomer(t);
    await move(bob, carol, 300n, "只属于鲍勃");
    const statement = await buildStatement(t.ctx, alice.user.id, "2027-08");
    expect(statement.transactions.map((x) => x.amount)).toEqual([5_000n]);
    const [page] = await pdfText((await statementOf(alice, "2027-08")).rawPayload);
    expect(page).not.toContain("只属于鲍勃");
  });

  it("is in English for a customer who chose English, with the Chinese name still rendered", async () => {
    atChinaTime("2027-08-12 09:00");
    const alice = await fundedCustomer(t, 12_345n, { name: "欧阳娜娜" });
    await t.db
      .updateTable("users")
      .set({ preferences: JSON.stringify({ language: "en" }) })
      .where("id", "=", alice.user.id)
      .execute();
    const [page] = await pdfText((await statementOf(alice, "2027-08")).rawPayload);
    expect(page).toContain("OpenCounter account statement");
    expect(page).toContain("欧**娜");
    expect(page).toMatch(/Total in \(1\):\s*¥123\.45/);
    expect(page).toContain("Page 1 of 1");
  });

  it("refuses a month that has not begun, a malformed month and an oversized month", async () => {
    atChinaTime("2027-08-20 09:00");
    const alice = await fundedCustomer(t, 1_000n);
    const future = await statementOf(alice, "2027-09");
    expect(future.statusCode).toBe(400);
    expect(future.headers["content-type"]).toContain("application/problem+json");
    expect(future.json()).toMatchObject({ code: "validation_failed", reason: "future_month" });
    // The current month, though partial, has a statement.
    expect((await statementOf(alice, "2027-08")).statusCode).toBe(200);

    for (const bad of ["2027-13", "2027-8", "202708", "2027-00"]) {
      const res = await statementOf(alice, bad);
      expect(res.statusCode, bad).toBe(400);
      expect(res.json().code).toBe("validation_failed");
    }
    await expect(buildStatement(t.ctx, alice.user.id, "2027-08", { maxRows: 0 })).rejects.toMatchObject({
      code: "validation_failed",
      details: { reason: "too_many_rows", rows: 1 },
    });
  });
});

describe("statement font", () => {
  it("unwraps the packaged WOFF into the OpenType font inside it, table for table", () => {
    const woff = readFileSync(STATEMENT_FONT_PATH);
    const font = statementFont();
    // Same flavour (version tag) and the same number of tables, now uncompressed and larger.
    expect(font.readUInt32BE(0)).toBe(woff.readUInt32BE(4));
    expect(font.readUInt16BE(4)).toBe(woff.readUInt16BE(12));
    expect(font.length).toBe(woff.readUInt32BE(16));
    const tags = Array.from({ length: font.readUInt16BE(4) }, (_, i) =>
      font.toString("latin1", 12 + i * 16, 16 + i * 16),
    );
    expect(tags).toContain("glyf");
    expect(tags).toContain("cmap");
  });

  it("refuses a file that is not WOFF", () => {
    expect(() => woffToSfnt(Buffer.from("%PDF-1.7 not a font"))).toThrow("not a WOFF font");
  });
});
