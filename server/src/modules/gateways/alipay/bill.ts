// Alipay's daily trade bill as Alipay ships it: alipay.data.dataservice.bill.downloadurl.query
// answers a URL to a **zip** holding GBK-encoded CSV files — the detail file
// `<pid>_<yyyymmdd>_业务明细.csv` and a summary `…_业务明细(汇总).csv`. Both open and close with
// `#` comment lines; values carry trailing tabs (so spreadsheets keep long numbers as text).
//
// Read here in full before anything is returned: an unreadable zip, a missing column, a row that
// does not parse or counts that disagree with the summary throw one error naming the place, and
// no line of the bill is used — reconciliation never acts on half a bill.
import { crc32, inflateRawSync } from "node:zlib";
import { DomainError } from "../../../http/errors.js";
import type { GatewayPaymentReport } from "../gateway.js";

/** Larger than any day's bill of ours; a zip claiming more is refused rather than inflated. */
const MAX_ENTRY_BYTES = 64 * 1024 * 1024;

export type ZipEntry = { name: string; data: Buffer };

function billError(detail: string): DomainError {
  return new DomainError("validation_failed", { detail: `Alipay bill: ${detail}` });
}

const gbk = new TextDecoder("gbk", { fatal: true });

/** GBK to text; a byte sequence GBK does not have is an error, not a replacement character. */
export function decodeGbk(bytes: Uint8Array, what: string): string {
  try {
    return gbk.decode(bytes);
  } catch {
    throw billError(`${what} is not GBK text`);
  }
}

/**
 * The entries of a zip archive (stored or deflated, no encryption, no zip64), read through its
 * central directory; each entry's size and CRC-32 are checked. Names are UTF-8 when the entry's
 * flag says so, GBK otherwise (as Alipay writes them).
 */
export function readZip(zip: Buffer): ZipEntry[] {
  const eocd = findEndOfCentralDirectory(zip);
  const count = zip.readUInt16LE(eocd + 10);
  const dirSize = zip.readUInt32LE(eocd + 12);
  const dirOffset = zip.readUInt32LE(eocd + 16);
  if (zip.readUInt16LE(eocd + 4) !== 0 || zip.readUInt16LE(eocd + 8) !== count)
    throw billError("multi-part zip archives are not read");
  if (dirOffset + dirSize > eocd) throw billError("the zip's central directory lies outside the file");
  const entries: ZipEntry[] = [];
  let at = dirOffset;
  for (let i = 0; i < count; i++) {
    if (at + 46 > zip.length || zip.readUInt32LE(at) !== 0x02014b50)
      throw billError("the zip's central directory is damaged");
    const flags = zip.readUInt16LE(at + 8);
    const method = zip.readUInt16LE(at + 10);
    const crc = zip.readUInt32LE(at + 16);
    const packed = zip.readUInt32LE(at + 20);
    const size = zip.readUInt32LE(at + 24);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const local = zip.readUInt32LE(at + 42);
    const nameBytes = zip.subarray(at + 46, at + 46 + nameLength);
    const name = flags & 0x800 ? nameBytes.toString("utf8") : decodeGbk(nameBytes, "a file name in the zip");
    at += 46 + nameLength + extraLength + commentLength;
    if (name.endsWith("/")) continue;
    if (flags & 0x1) throw billError(`${name} is encrypted`);
    if (size > MAX_ENTRY_BYTES || packed === 0xffffffff) throw billError(`${name} is too large`);
    if (local + 30 > zip.length || zip.readUInt32LE(local) !== 0x04034b50)
      throw billError(`${name}: no local header where the directory says`);
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    if (start + packed > zip.length) throw billError(`${name} is cut short`);
    const raw = zip.subarray(start, start + packed);
    let data: Buffer;
    if (method === 0) data = Buffer.from(raw);
    else if (method === 8) {
      try {
        data = inflateRawSync(raw, { maxOutputLength: MAX_ENTRY_BYTES });
      } catch {
        throw billError(`${name} does not inflate`);
      }
    } else throw billError(`${name} uses compression method ${method}, not stored or deflate`);
    if (data.length !== size || crc32(data) !== crc) throw billError(`${name} fails its size or CRC check`);
    entries.push({ name, data });
  }
  return entries;
}

function findEndOfCentralDirectory(zip: Buffer): number {
  const earliest = Math.max(0, zip.length - 22 - 0xffff);
  for (let at = zip.length - 22; at >= earliest; at--) {
    if (zip.readUInt32LE(at) === 0x06054b50) return at;
  }
  throw billError("the download is not a zip archive");
}

/** One CSV line into trimmed fields (double quotes honoured; Alipay's trailing tabs dropped). */
export function csvFields(line: string): string[] {
  const fields: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field.trim() === "") {
      quoted = true;
      field = "";
    } else if (ch === ",") {
      fields.push(field.trim());
      field = "";
    } else field += ch;
  }
  fields.push(field.trim());
  return fields;
}

const SIGNED_YUAN = /^(-?)(0|[1-9]\d{0,11})(?:\.(\d{1,2}))?$/;

/** "-10.50" → -1050n: exact, no floating point; anything else is refused. */
export function signedYuanToFen(value: string): bigint | null {
  const m = SIGNED_YUAN.exec(value);
  if (!m) return null;
  const fen = BigInt(m[2] ?? "0") * 100n + BigInt((m[3] ?? "").padEnd(2, "0"));
  return m[1] === "-" ? -fen : fen;
}

const TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

/** Headers as Alipay writes them, full-width brackets and all; half-width ones are accepted too. */
const normaliseHeader = (h: string) => h.replace(/\(/g, "（").replace(/\)/g, "）").replace(/\s+/g, "");

const COLUMNS = {
  tradeNo: "支付宝交易号",
  outTradeNo: "商户订单号",
  type: "业务类型",
  orderAmount: "订单金额（元）",
  received: "商家实收（元）",
  completedAt: "完成时间",
} as const;
/** Optional: a refund's own number. */
const REFUND_NO = "退款批次号/请求号";

export type AlipayBillTrade = {
  kind: "trade";
  tradeNo: string;
  outTradeNo: string;
  /** 订单金额 in fen: what the buyer was charged, the amount the top-up asked. */
  amount: bigint;
  /** 商家实收 in fen: what reached the merchant after discounts Alipay paid. */
  received: bigint;
  completedAt: string;
};

export type AlipayBillRefund = {
  kind: "refund";
  tradeNo: string;
  outTradeNo: string;
  refundNo: string | null;
  /** The amount given back, in fen (the bill writes 商家实收 negative for a refund). */
  amount: bigint;
  completedAt: string;
};

export type AlipayBill = {
  trades: AlipayBillTrade[];
  refunds: AlipayBillRefund[];
  /** The detail file's name inside the zip. */
  file: string;
};

/** The detail file (业务明细) of a bill: comment lines skipped, columns found by their names. */
export function parseBillDetail(text: string, file = "业务明细.csv"): Omit<AlipayBill, "file"> {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  let header: string[] | undefined;
  let headerLine = 0;
  const trades: AlipayBillTrade[] = [];
  const refunds: AlipayBillRefund[] = [];
  const footer: { trades?: number; refunds?: number } = {};
  let index: Record<keyof typeof COLUMNS, number> | undefined;
  let refundNoAt = -1;

  for (let n = 0; n < lines.length; n++) {
    const line = (lines[n] ?? "").trim();
    const where = `${file} line ${n + 1}`;
    if (line.startsWith("#")) {
      // "#交易合计：2笔，商家实收：…" / "#退款合计：1笔，…": counts to check the rows against.
      const total = /^#(交易|退款)合计[：:]\s*(\d+)\s*笔/.exec(line);
      if (total) footer[total[1] === "交易" ? "trades" : "refunds"] = Number(total[2]);
      continue;
    }
    if (line === "") continue;
    const fields = csvFields(line);
    if (!header || !index) {
      header = fields.map(normaliseHeader);
      headerLine = n + 1;
      const found = {} as Record<keyof typeof COLUMNS, number>;
      for (const [key, name] of Object.entries(COLUMNS) as [keyof typeof COLUMNS, string][]) {
        const at = header.indexOf(name);
        if (at < 0) throw billError(`${file} has no column ${name} (header on line ${headerLine})`);
        found[key] = at;
      }
      index = found;
      refundNoAt = header.indexOf(normaliseHeader(REFUND_NO));
      continue;
    }
    if (fields.length !== header.length)
      throw billError(`${where} has ${fields.length} fields, the header ${header.length}`);
    const get = (key: keyof typeof COLUMNS) => fields[index?.[key] ?? -1] ?? "";
    const money = (key: "orderAmount" | "received") => {
      const fen = signedYuanToFen(get(key));
      if (fen === null) throw billError(`${where}: ${COLUMNS[key]} "${get(key)}" is not an amount in yuan`);
      return fen;
    };
    const tradeNo = get("tradeNo");
    const outTradeNo = get("outTradeNo");
    const completedAt = get("completedAt");
    if (!tradeNo) throw billError(`${where}: no ${COLUMNS.tradeNo}`);
    if (!outTradeNo || outTradeNo.length > 64) throw billError(`${where}: no usable ${COLUMNS.outTradeNo}`);
    if (!TIME.test(completedAt))
      throw billError(`${where}: ${COLUMNS.completedAt} "${completedAt}" is not a time`);
    const orderAmount = money("orderAmount");
    const received = money("received");
    switch (get("type")) {
      case "交易":
        if (orderAmount <= 0n) throw billError(`${where}: a trade of ${get("orderAmount")} yuan`);
        trades.push({ kind: "trade", tradeNo, outTradeNo, amount: orderAmount, received, completedAt });
        break;
      case "退款": {
        const amount = received < 0n ? -received : received;
        if (amount === 0n) throw billError(`${where}: a refund of nothing`);
        const refundNo = refundNoAt >= 0 ? fields[refundNoAt] || null : null;
        refunds.push({ kind: "refund", tradeNo, outTradeNo, refundNo, amount, completedAt });
        break;
      }
      default:
        throw billError(`${where}: ${COLUMNS.type} "${get("type")}" is neither 交易 nor 退款`);
    }
  }
  if (!header) throw billError(`${file} has no header line`);
  if (footer.trades !== undefined && footer.trades !== trades.length)
    throw billError(`${file} says ${footer.trades} trades but lists ${trades.length}`);
  if (footer.refunds !== undefined && footer.refunds !== refunds.length)
    throw billError(`${file} says ${footer.refunds} refunds but lists ${refunds.length}`);
  return { trades, refunds };
}

/**
 * The summary file (汇总): its 合计 row's trade and refund counts, when it has them. A summary
 * in another shape is not an error (the detail file is what is used); counts that disagree are.
 */
export function summaryCounts(text: string): { trades: number; refunds: number } | null {
  const rows = text
    .replace(/^\uFEFF/, "")
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"))
    .map(csvFields);
  const header = rows[0]?.map(normaliseHeader);
  const total = rows.find((r) => r[0] === "合计");
  if (!header || !total) return null;
  const tradesAt = header.indexOf("交易订单总笔数");
  const refundsAt = header.indexOf("退款订单总笔数");
  const trades = Number(total[tradesAt] ?? Number.NaN);
  const refunds = Number(total[refundsAt] ?? Number.NaN);
  if (tradesAt < 0 || refundsAt < 0 || !Number.isInteger(trades) || !Number.isInteger(refunds)) return null;
  return { trades, refunds };
}

/** The whole downloaded bill: unzip, decode GBK, parse the detail file, check it against the summary. */
export function parseTradeBillZip(zip: Buffer): AlipayBill {
  const entries = readZip(zip);
  const base = (name: string) => name.slice(name.lastIndexOf("/") + 1);
  const detail = entries.filter((e) => /业务明细\.csv$/.test(base(e.name)));
  const summary = entries.find((e) => /业务明细\s*[(（]汇总[)）]\.csv$/.test(base(e.name)));
  if (detail.length !== 1 || !detail[0])
    throw billError(`expected one …_业务明细.csv in the zip, found ${detail.length}`);
  const file = base(detail[0].name);
  const parsed = parseBillDetail(decodeGbk(detail[0].data, file), file);
  const counts = summary ? summaryCounts(decodeGbk(summary.data, base(summary.name))) : null;
  if (counts && (counts.trades !== parsed.trades.length || counts.refunds !== parsed.refunds.length)) {
    throw billError(
      `the summary counts ${counts.trades} trades and ${counts.refunds} refunds, ${file} lists ${parsed.trades.length} and ${parsed.refunds.length}`,
    );
  }
  return { ...parsed, file };
}

/** The bill's trades as the wallet's payment reports (payment id = out_trade_no, as everywhere for Alipay). */
export function billTradesAsReports(bill: AlipayBill): GatewayPaymentReport[] {
  return bill.trades.map((t) => ({
    paymentId: t.outTradeNo,
    merchantOrderId: t.outTradeNo,
    amount: t.amount,
    currency: "CNY",
    status: "paid",
  }));
}
