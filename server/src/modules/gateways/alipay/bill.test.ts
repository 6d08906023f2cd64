// Reading Alipay's trade bill as Alipay ships it: a zip of GBK CSV files. The zips here are
// generated (bill-file.ts) in Alipay's layout; the reader is checked on what it must refuse too.
import { describe, expect, it } from "vitest";
import { parseTradeBillZip, readZip, signedYuanToFen } from "./bill.js";
import { type BillRow, billDetailLine, encodeGbk, tradeBillZip, writeZip } from "./bill-file.js";

const PID = "2088123412341234";
const DAY = "2026-11-22";

const trade: BillRow = {
  tradeNo: "2026112222001456789012345678",
  outTradeNo: "6f1c2a0e-0000-4000-8000-000000000001",
  type: "交易",
  subject: "OpenCounter 钱包充值",
  createdAt: "2026-11-22 10:00:00",
  completedAt: "2026-11-22 10:00:05",
  orderAmount: "88.50",
  received: "88.50",
};
const refund: BillRow = {
  ...trade,
  type: "退款",
  completedAt: "2026-11-22 15:30:00",
  received: "-10.05",
  refundNo: "2026112200001",
};
const second: BillRow = {
  ...trade,
  tradeNo: "2026112222001456789012345679",
  outTradeNo: "6f1c2a0e-0000-4000-8000-000000000002",
  orderAmount: "0.01",
  received: "0.01",
};

function detailOf(zip: Buffer): Buffer {
  const entry = readZip(zip).find((e) => e.name.endsWith("_业务明细.csv"));
  if (!entry) throw new Error("no detail file");
  return entry.data;
}

describe("Alipay's trade bill", () => {
  it("Node decodes GBK (full ICU), and the generated files really are GBK", () => {
    expect(new TextDecoder("gbk").decode(Buffer.from([0xd6, 0xa7, 0xb8, 0xb6, 0xb1, 0xa6]))).toBe("支付宝");
    expect(encodeGbk("交易")).toEqual(Buffer.from([0xbd, 0xbb, 0xd2, 0xd7]));
    const detail = detailOf(tradeBillZip(PID, DAY, [trade]));
    expect(detail.includes(encodeGbk("支付宝交易号"))).toBe(true);
    // Not UTF-8: read as UTF-8 the header is garbage.
    expect(detail.toString("utf8")).not.toContain("支付宝交易号");
  });

  it("reads a zip with a GBK detail file: comment lines skipped, columns by name, fen exact, refunds apart", () => {
    const zip = tradeBillZip(PID, DAY, [trade, refund, second]);
    const names = readZip(zip).map((e) => e.name);
    expect(names).toEqual([`${PID}_20261122_业务明细.csv`, `${PID}_20261122_业务明细(汇总).csv`]);
    expect(parseTradeBillZip(zip)).toEqual({
      file: `${PID}_20261122_业务明细.csv`,
      trades: [
        {
          kind: "trade",
          tradeNo: trade.tradeNo,
          outTradeNo: trade.outTradeNo,
          amount: 8_850n,
          received: 8_850n,
          completedAt: "2026-11-22 10:00:05",
        },
        {
          kind: "trade",
          tradeNo: second.tradeNo,
          outTradeNo: second.outTradeNo,
          amount: 1n,
          received: 1n,
          completedAt: "2026-11-22 10:00:05",
        },
      ],
      refunds: [
        {
          kind: "refund",
          tradeNo: trade.tradeNo,
          outTradeNo: trade.outTradeNo,
          refundNo: "2026112200001",
          amount: 1_005n,
          completedAt: "2026-11-22 15:30:00",
        },
      ],
    });
  });

  it("finds columns by their names, whatever their order, and reads stored (uncompressed) entries", () => {
    const header = "完成时间,商家实收（元）,订单金额（元）,业务类型,商户订单号,支付宝交易号";
    const row = ["2026-11-22 09:00:00", "1234.50", "1234.50", "交易", "order-1", "T1"].map((v) => `${v}\t`);
    const text = ["#支付宝业务明细查询", header, row.join(","), "#交易合计：1笔"].join("\n");
    const zip = writeZip([{ name: "x_业务明细.csv", data: encodeGbk(text), method: "store" }]);
    expect(parseTradeBillZip(zip).trades).toEqual([
      expect.objectContaining({ outTradeNo: "order-1", tradeNo: "T1", amount: 123_450n }),
    ]);
  });

  it("turns yuan into fen without floating point", () => {
    expect(signedYuanToFen("0.29")).toBe(29n); // 0.29 * 100 = 28.999999999999996 in floating point
    expect(signedYuanToFen("1.1")).toBe(110n);
    expect(signedYuanToFen("-10.05")).toBe(-1_005n);
    expect(signedYuanToFen("999999999999.99")).toBe(99_999_999_999_999n);
    for (const bad of ["", "1.234", "01.00", "1,000.00", "+1.00", "1e3", " 1.00", "NaN"])
      expect(signedYuanToFen(bad)).toBeNull();
  });

  it("refuses a malformed row with its file and line, and gives nothing of the bill", () => {
    const broken = billDetailLine({ ...second, orderAmount: "12.3.4" });
    const zip = tradeBillZip(PID, DAY, [trade, refund], { extraLines: [broken] });
    // Header comments are lines 1-4, the header line 5, the rows 6-7: the broken row is line 8.
    expect(() => parseTradeBillZip(zip)).toThrow(
      `Alipay bill: ${PID}_20261122_业务明细.csv line 8: 订单金额（元） "12.3.4" is not an amount in yuan`,
    );
    const short = tradeBillZip(PID, DAY, [trade], { extraLines: ["T9,order-9,交易"] });
    expect(() => parseTradeBillZip(short)).toThrow(/line 7 has 3 fields, the header 25/);
    const badTime = tradeBillZip(PID, DAY, [{ ...trade, completedAt: "22/11/2026" }]);
    expect(() => parseTradeBillZip(badTime)).toThrow(/完成时间 "22\/11\/2026" is not a time/);
    const unknownType = billDetailLine({ ...trade, type: "冻结" as BillRow["type"] });
    expect(() => parseTradeBillZip(tradeBillZip(PID, DAY, [], { extraLines: [unknownType] }))).toThrow(
      /业务类型 "冻结" is neither 交易 nor 退款/,
    );
  });

  it("refuses a bill whose rows disagree with its own footer or summary counts", () => {
    // A row the footer and the summary do not count (a file cut or spliced).
    const extra = tradeBillZip(PID, DAY, [trade], { extraLines: [billDetailLine(second)] });
    expect(() => parseTradeBillZip(extra)).toThrow(/says 1 trades but lists 2/);
  });

  it("refuses what is not Alipay's bill: not a zip, a damaged zip, no detail file, a missing column", () => {
    expect(() => parseTradeBillZip(Buffer.from("trade_no,out_trade_no\n"))).toThrow(/not a zip archive/);
    const zip = tradeBillZip(PID, DAY, [trade]);
    const damaged = Buffer.from(zip);
    const data = 30 + zip.readUInt16LE(26) + 10; // inside the first entry's compressed data
    damaged[data] = (damaged[data] ?? 0) ^ 0xff;
    expect(() => parseTradeBillZip(damaged)).toThrow(/does not inflate|fails its size or CRC check/);
    const other = writeZip([{ name: "readme.txt", data: Buffer.from("hi") }]);
    expect(() => parseTradeBillZip(other)).toThrow(/expected one …_业务明细.csv in the zip, found 0/);
    const noAmount = writeZip([
      {
        name: "x_业务明细.csv",
        data: encodeGbk("支付宝交易号,商户订单号,业务类型,完成时间\nT1,o1,交易,2026-11-22 09:00:00\n"),
      },
    ]);
    expect(() => parseTradeBillZip(noAmount)).toThrow(/has no column 订单金额（元）/);
    const utf8 = writeZip([
      { name: "x_业务明细.csv", data: Buffer.from("支付宝交易号,商户订单号\n", "utf8").subarray(0, 5) },
    ]);
    expect(() => parseTradeBillZip(utf8)).toThrow(/is not GBK text|has no column/);
  });
});
