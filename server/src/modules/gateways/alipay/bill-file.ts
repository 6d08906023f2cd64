// Writes a trade bill the way Alipay ships one — a zip of GBK CSV files with `#` comment lines and
// tab-padded values — for the local stand-in and the tests. Production only reads bills (bill.ts).
import { crc32, deflateRawSync } from "node:zlib";

let gbkTable: Map<string, number> | undefined;

/** Unicode → GBK double-byte code, built once from Node's own GBK decoder (full ICU). */
function gbkCodes(): Map<string, number> {
  if (gbkTable) return gbkTable;
  const table = new Map<string, number>();
  const decoder = new TextDecoder("gbk", { fatal: true });
  const pair = new Uint8Array(2);
  for (let lead = 0x81; lead <= 0xfe; lead++) {
    for (let trail = 0x40; trail <= 0xfe; trail++) {
      if (trail === 0x7f) continue;
      pair[0] = lead;
      pair[1] = trail;
      let ch: string;
      try {
        ch = decoder.decode(pair);
      } catch {
        continue;
      }
      if (ch.length === 1 && !table.has(ch)) table.set(ch, (lead << 8) | trail);
    }
  }
  gbkTable = table;
  return table;
}

/** Text to GBK bytes; a character GBK lacks is an error (a bill never holds one). */
export function encodeGbk(text: string): Buffer {
  const codes = gbkCodes();
  const out: number[] = [];
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp < 0x80) {
      out.push(cp);
      continue;
    }
    const code = codes.get(ch);
    if (code === undefined) throw new Error(`no GBK code for ${JSON.stringify(ch)}`);
    out.push(code >> 8, code & 0xff);
  }
  return Buffer.from(out);
}

export type ZipInput = { name: string; data: Buffer; method?: "deflate" | "store" };

/** A zip archive; names are written in GBK without the UTF-8 flag, as Alipay's archives are. */
export function writeZip(files: ZipInput[], at = new Date()): Buffer {
  const time = (at.getHours() << 11) | (at.getMinutes() << 5) | Math.floor(at.getSeconds() / 2);
  const date = ((at.getFullYear() - 1980) << 9) | ((at.getMonth() + 1) << 5) | at.getDate();
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const f of files) {
    const name = encodeGbk(f.name);
    const method = f.method === "store" ? 0 : 8;
    const packed = method === 8 ? deflateRawSync(f.data) : f.data;
    const crc = crc32(f.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(time, 10);
    local.writeUInt16LE(date, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(f.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const dir = Buffer.alloc(46);
    dir.writeUInt32LE(0x02014b50, 0);
    dir.writeUInt16LE(20, 4);
    dir.writeUInt16LE(20, 6);
    dir.writeUInt16LE(0, 8);
    dir.writeUInt16LE(method, 10);
    dir.writeUInt16LE(time, 12);
    dir.writeUInt16LE(date, 14);
    dir.writeUInt32LE(crc, 16);
    dir.writeUInt32LE(packed.length, 20);
    dir.writeUInt32LE(f.data.length, 24);
    dir.writeUInt16LE(name.length, 28);
    dir.writeUInt32LE(offset, 42);
    locals.push(local, name, packed);
    central.push(dir, name);
    offset += local.length + name.length + packed.length;
  }
  const dirBytes = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(dirBytes.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, dirBytes, end]);
}

export type BillRow = {
  tradeNo: string;
  outTradeNo: string;
  type: "交易" | "退款";
  subject: string;
  createdAt: string;
  completedAt: string;
  /** Yuan as Alipay writes it: "88.50"; a refund's 商家实收 is negative: "-10.00". */
  orderAmount: string;
  received: string;
  refundNo?: string;
};

export const BILL_DETAIL_HEADER = [
  "支付宝交易号",
  "商户订单号",
  "业务类型",
  "商品名称",
  "创建时间",
  "完成时间",
  "门店编号",
  "门店名称",
  "操作员",
  "终端号",
  "对方账户",
  "订单金额（元）",
  "商家实收（元）",
  "支付宝红包（元）",
  "集分宝（元）",
  "支付宝优惠（元）",
  "商家优惠（元）",
  "券核销金额（元）",
  "券名称",
  "商家红包消费金额（元）",
  "卡消费金额（元）",
  "退款批次号/请求号",
  "服务费（元）",
  "分润（元）",
  "备注",
];

/** One detail row in Alipay's column order; values end in a tab as in Alipay's files. */
export function billDetailLine(r: BillRow): string {
  const values = [
    r.tradeNo,
    r.outTradeNo,
    r.type,
    r.subject,
    r.createdAt,
    r.completedAt,
    "",
    "",
    "",
    "",
    "buy***@example.com",
    r.orderAmount,
    r.received,
    "0.00",
    "0.00",
    "0.00",
    "0.00",
    "0.00",
    "",
    "0.00",
    "0.00",
    r.refundNo ?? "",
    "0.00",
    "0.00",
    "",
  ];
  return values.map((v) => `${v}\t`).join(",");
}

const fen = (yuan: string) => {
  const [w = "0", f = ""] = yuan.replace("-", "").split(".");
  return (yuan.startsWith("-") ? -1n : 1n) * (BigInt(w) * 100n + BigInt(f.padEnd(2, "0")));
};
const yuan = (v: bigint) =>
  `${v < 0n ? "-" : ""}${(v < 0n ? -v : v) / 100n}.${String((v < 0n ? -v : v) % 100n).padStart(2, "0")}`;

/**
 * The zip Alipay would serve for one day (`date` YYYY-MM-DD): the detail file with its comment
 * header and footer, and the summary. `extraLines` go into the detail file as they are (tests put
 * a malformed row there); the footer and summary count only `rows`.
 */
export function tradeBillZip(
  account: string,
  date: string,
  rows: BillRow[],
  opts: { extraLines?: string[]; exportedAt?: string } = {},
): Buffer {
  const compact = date.replaceAll("-", "");
  const trades = rows.filter((r) => r.type === "交易");
  const refunds = rows.filter((r) => r.type === "退款");
  const sum = (rs: BillRow[]) => yuan(rs.reduce((s, r) => s + fen(r.received), 0n));
  const exported = opts.exportedAt ?? `${date} 09:00:00`;
  const detail = [
    "#支付宝业务明细查询",
    `#账号：[${account}]`,
    `#起始日期：[${date} 00:00:00]   终止日期：[${date} 23:59:59]`,
    "#-----------------------------------------业务明细列表----------------------------------------",
    BILL_DETAIL_HEADER.join(","),
    ...rows.map(billDetailLine),
    ...(opts.extraLines ?? []),
    "#-----------------------------------------业务明细列表结束------------------------------------",
    `#交易合计：${trades.length}笔，商家实收：${sum(trades)}元，商家优惠：0.00元`,
    `#退款合计：${refunds.length}笔，商家实收：${sum(refunds)}元，商家优惠：0.00元`,
    `#导出时间：[${exported}]`,
  ].join("\r\n");
  const summary = [
    "#支付宝业务汇总查询",
    `#账号：[${account}]`,
    `#起始日期：[${date} 00:00:00]   终止日期：[${date} 23:59:59]`,
    "#-----------------------------------------业务汇总列表----------------------------------------",
    "门店编号,门店名称,交易订单总笔数,退款订单总笔数,已收入金额（元）,支付宝红包（元）,集分宝（元）,支付宝优惠（元）,商家优惠（元）,卡消费金额（元）,服务费（元）,分润（元）,实收净额（元）",
    `合计,,${trades.length},${refunds.length},${sum(rows)},0.00,0.00,0.00,0.00,0.00,0.00,0.00,${sum(rows)}`,
    "#-----------------------------------------业务汇总列表结束------------------------------------",
    `#导出时间：[${exported}]`,
  ].join("\r\n");
  return writeZip([
    { name: `${account}_${compact}_业务明细.csv`, data: encodeGbk(`${detail}\r\n`) },
    { name: `${account}_${compact}_业务明细(汇总).csv`, data: encodeGbk(`${summary}\r\n`) },
  ]);
}
