// A local stand-in for Alipay's open platform, for tests and development: a small HTTP server
// that speaks the same format — it checks the app's RSA2 request signature, answers with
// RSA2-signed JSON, signs form-encoded async notifications with its own key, and serves a daily
// trade bill. It holds trades in memory and never touches the wallet's tables.
//
// Handled at POST/GET /gateway.do (method=…): alipay.trade.page.pay, alipay.trade.precreate,
// alipay.trade.query, alipay.data.dataservice.bill.downloadurl.query. The bill's download URL
// serves what Alipay serves: a zip of GBK CSV files (bill-file.ts), with the day's paid trades and
// refunds.
import { generateKeyPairSync, randomInt } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type BillRow, tradeBillZip } from "./bill-file.js";
import { chinaTime, fenToYuan, rsa2Sign, rsa2Verify, signString, yuanToFen } from "./protocol.js";

export type StandInTradeStatus = "WAIT_BUYER_PAY" | "TRADE_SUCCESS" | "TRADE_CLOSED";

export type StandInTrade = {
  tradeNo: string;
  outTradeNo: string;
  /** Yuan, as Alipay writes it: "88.50". */
  totalAmount: string;
  subject: string;
  status: StandInTradeStatus;
  notifyUrl: string | null;
  createdAt: Date;
  paidAt: Date | null;
};

export type StandInRequest = { method: string; signatureValid: boolean };

export type StandInRefund = { outTradeNo: string; refundNo: string; amount: string; at: Date };

/** The stand-in's Alipay account (the "PID" that names bill files). */
export const STAND_IN_PID = "2088000000000001";

export function rsaKeyPair(): { privateKey: string; publicKey: string } {
  return generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });
}

export class AlipayStandIn {
  /** Alipay's own key pair: the app is configured with the public half. */
  readonly keys = rsaKeyPair();
  readonly trades = new Map<string, StandInTrade>();
  readonly requests: StandInRequest[] = [];
  readonly refunds: StandInRefund[] = [];
  /** When set, the bill download serves this instead of the day's bill (tests: a damaged bill). */
  billOverride: ((date: string) => Buffer) | undefined;
  private server: Server | undefined;
  private base = "";

  constructor(private readonly opts: { appId: string; appPublicKey: string; now?: () => Date }) {}

  private now(): Date {
    return this.opts.now?.() ?? new Date();
  }

  /** Starts listening on a free local port; resolves to the gateway URL to configure. */
  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        res.statusCode = 500;
        res.end(err instanceof Error ? err.message : "error");
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    const { port } = this.server.address() as AddressInfo;
    this.base = `http://127.0.0.1:${port}`;
    return `${this.base}/gateway.do`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The buyer pays: the trade succeeds (optionally for another amount than asked, to test mismatches). */
  pay(outTradeNo: string, opts: { totalAmount?: string } = {}): StandInTrade {
    const trade = this.trades.get(outTradeNo);
    if (!trade) throw new Error(`no stand-in trade ${outTradeNo}`);
    trade.status = "TRADE_SUCCESS";
    trade.paidAt = this.now();
    if (opts.totalAmount) trade.totalAmount = opts.totalAmount;
    return trade;
  }

  /** A trade the stand-in took outside any request of ours (e.g. for a bill with a stranger in it). */
  addPaidTrade(t: { outTradeNo: string; totalAmount: string }): StandInTrade {
    const now = this.now();
    const trade: StandInTrade = {
      tradeNo: tradeNo(now),
      outTradeNo: t.outTradeNo,
      totalAmount: t.totalAmount,
      subject: "stand-in",
      status: "TRADE_SUCCESS",
      notifyUrl: null,
      createdAt: now,
      paidAt: now,
    };
    this.trades.set(t.outTradeNo, trade);
    return trade;
  }

  /**
   * The form-encoded async notification Alipay would post for this trade, signed with the
   * stand-in's key over every field but sign and sign_type. `overrides` changes fields after
   * signing when `signAfterOverrides` is false (a forgery), before it otherwise.
   */
  notification(
    outTradeNo: string,
    overrides: Record<string, string> = {},
    opts: { signAfterOverrides?: boolean; signingKey?: string } = {},
  ): string {
    const trade = this.trades.get(outTradeNo);
    if (!trade) throw new Error(`no stand-in trade ${outTradeNo}`);
    const now = this.now();
    const fields: Record<string, string> = {
      notify_time: chinaTime(now),
      notify_type: "trade_status_sync",
      notify_id: `${now.getTime()}${randomInt(1e9)}`,
      app_id: this.opts.appId,
      auth_app_id: this.opts.appId,
      charset: "utf-8",
      version: "1.0",
      trade_no: trade.tradeNo,
      out_trade_no: trade.outTradeNo,
      subject: trade.subject,
      total_amount: trade.totalAmount,
      receipt_amount: trade.totalAmount,
      buyer_pay_amount: trade.totalAmount,
      trade_status: trade.status,
      gmt_create: chinaTime(trade.createdAt),
      ...(trade.paidAt ? { gmt_payment: chinaTime(trade.paidAt) } : {}),
    };
    const signAfter = opts.signAfterOverrides ?? true;
    if (signAfter) Object.assign(fields, overrides);
    const sign = rsa2Sign(signString(fields, ["sign", "sign_type"]), opts.signingKey ?? this.keys.privateKey);
    if (!signAfter) Object.assign(fields, overrides);
    return new URLSearchParams({ ...fields, sign_type: "RSA2", sign }).toString();
  }

  /** Posts the notification to the notify_url the app gave; resolves to Alipay's reading of the answer. */
  async notify(outTradeNo: string): Promise<{ status: number; body: string }> {
    const trade = this.trades.get(outTradeNo);
    if (!trade?.notifyUrl) throw new Error(`no notify_url for ${outTradeNo}`);
    const res = await fetch(trade.notifyUrl, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
      body: this.notification(outTradeNo),
      signal: AbortSignal.timeout(10_000),
    });
    return { status: res.status, body: await res.text() };
  }

  /** Gives back part or all of a paid trade (as the merchant could in Alipay's own console). */
  refund(outTradeNo: string, amount: string): StandInRefund {
    const trade = this.trades.get(outTradeNo);
    if (trade?.status !== "TRADE_SUCCESS") throw new Error(`no paid stand-in trade ${outTradeNo}`);
    const refund = { outTradeNo, refundNo: `R${this.refunds.length + 1}`, amount, at: this.now() };
    this.refunds.push(refund);
    return refund;
  }

  /** The rows of one day's bill (China time): trades paid that day and refunds made that day. */
  billRows(date: string): BillRow[] {
    const trades = [...this.trades.values()]
      .filter((t) => t.status === "TRADE_SUCCESS" && t.paidAt && chinaTime(t.paidAt).startsWith(date))
      .map(
        (t): BillRow => ({
          tradeNo: t.tradeNo,
          outTradeNo: t.outTradeNo,
          type: "交易",
          subject: t.subject,
          createdAt: chinaTime(t.createdAt),
          completedAt: chinaTime(t.paidAt as Date),
          orderAmount: t.totalAmount,
          received: t.totalAmount,
        }),
      );
    const refunds = this.refunds
      .filter((r) => chinaTime(r.at).startsWith(date))
      .map((r): BillRow => {
        const trade = this.trades.get(r.outTradeNo);
        if (!trade) throw new Error(`refund of unknown trade ${r.outTradeNo}`);
        return {
          tradeNo: trade.tradeNo,
          outTradeNo: trade.outTradeNo,
          type: "退款",
          subject: trade.subject,
          createdAt: chinaTime(trade.createdAt),
          completedAt: chinaTime(r.at),
          orderAmount: trade.totalAmount,
          received: `-${fenToYuan(yuanToFen(r.amount))}`,
          refundNo: r.refundNo,
        };
      });
    return [...trades, ...refunds];
  }

  /** The day's bill as Alipay serves it: a zip of GBK CSV files. */
  bill(date: string): Buffer {
    return this.billOverride?.(date) ?? tradeBillZip(STAND_IN_PID, date, this.billRows(date));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", this.base);
    const bill = /^\/bills\/trade\/(\d{4}-\d{2}-\d{2})\.zip$/.exec(url.pathname);
    if (req.method === "GET" && bill?.[1]) {
      const date = bill[1];
      res.setHeader("content-type", "application/octet-stream");
      res.setHeader(
        "content-disposition",
        `attachment; filename="${STAND_IN_PID}_${date.replaceAll("-", "")}.csv.zip"`,
      );
      res.end(this.bill(date));
      return;
    }
    if (url.pathname !== "/gateway.do") {
      res.statusCode = 404;
      res.end("not found");
      return;
    }
    const params: Record<string, string> = Object.fromEntries(url.searchParams);
    if (req.method === "POST") {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      Object.assign(params, Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString("utf8"))));
    }
    const method = params.method ?? "";
    const signatureValid =
      params.app_id === this.opts.appId &&
      params.sign_type === "RSA2" &&
      typeof params.sign === "string" &&
      rsa2Verify(signString(params, ["sign"]), params.sign, this.opts.appPublicKey);
    this.requests.push({ method, signatureValid });
    let biz: Record<string, unknown> = {};
    try {
      biz = JSON.parse(params.biz_content ?? "{}") as Record<string, unknown>;
    } catch {
      // answered below as invalid arguments
    }

    if (method === "alipay.trade.page.pay") {
      res.setHeader("content-type", "text/html; charset=utf-8");
      if (!signatureValid) {
        res.statusCode = 400;
        res.end("<!doctype html><title>Alipay stand-in</title><p>invalid signature</p>");
        return;
      }
      const trade = this.open(biz, params.notify_url ?? null);
      res.end(
        `<!doctype html><html lang="zh-CN"><title>Alipay stand-in</title><main><h1>支付宝（本地替身）</h1>` +
          `<p>订单 ${escapeHtml(trade.outTradeNo)}：¥${escapeHtml(trade.totalAmount)}</p></main></html>`,
      );
      return;
    }

    const key = `${method.replaceAll(".", "_")}_response`;
    if (!signatureValid) {
      return this.answer(res, key, {
        code: "40002",
        msg: "Invalid Arguments",
        sub_code: "isv.invalid-signature",
        sub_msg: "验签出错",
      });
    }
    switch (method) {
      case "alipay.trade.precreate": {
        const trade = this.open(biz, params.notify_url ?? null);
        return this.answer(res, key, {
          code: "10000",
          msg: "Success",
          out_trade_no: trade.outTradeNo,
          qr_code: `${this.base}/qr/${encodeURIComponent(trade.outTradeNo)}`,
        });
      }
      case "alipay.trade.query": {
        const trade = this.trades.get(String(biz.out_trade_no ?? ""));
        if (!trade) {
          return this.answer(res, key, {
            code: "40004",
            msg: "Business Failed",
            sub_code: "ACQ.TRADE_NOT_EXIST",
            sub_msg: "交易不存在",
          });
        }
        return this.answer(res, key, {
          code: "10000",
          msg: "Success",
          trade_no: trade.tradeNo,
          out_trade_no: trade.outTradeNo,
          trade_status: trade.status,
          total_amount: trade.totalAmount,
          ...(trade.paidAt ? { send_pay_date: chinaTime(trade.paidAt) } : {}),
        });
      }
      case "alipay.data.dataservice.bill.downloadurl.query": {
        const date = String(biz.bill_date ?? "");
        if (biz.bill_type !== "trade" || !/^\d{4}-\d{2}-\d{2}$/.test(date)) {
          return this.answer(res, key, {
            code: "40004",
            msg: "Business Failed",
            sub_code: "isp.bill_not_exist",
          });
        }
        return this.answer(res, key, {
          code: "10000",
          msg: "Success",
          bill_download_url: `${this.base}/bills/trade/${date}.zip`,
        });
      }
      default:
        return this.answer(res, key, {
          code: "40004",
          msg: "Business Failed",
          sub_code: "isv.invalid-method",
        });
    }
  }

  /** Opens a trade for out_trade_no, or finds the one already open (Alipay keys on it too). */
  private open(biz: Record<string, unknown>, notifyUrl: string | null): StandInTrade {
    const outTradeNo = String(biz.out_trade_no ?? "");
    const existing = this.trades.get(outTradeNo);
    if (existing) return existing;
    const now = this.now();
    const trade: StandInTrade = {
      tradeNo: tradeNo(now),
      outTradeNo,
      totalAmount: String(biz.total_amount ?? ""),
      subject: String(biz.subject ?? ""),
      status: "WAIT_BUYER_PAY",
      notifyUrl,
      createdAt: now,
      paidAt: null,
    };
    this.trades.set(outTradeNo, trade);
    return trade;
  }

  /** Alipay's answer: {"<method>_response": {...}, "sign": RSA2 over the exact inner JSON}. */
  private answer(res: ServerResponse, key: string, value: Record<string, unknown>): void {
    const inner = JSON.stringify(value);
    res.setHeader("content-type", "application/json; charset=utf-8");
    res.end(`{"${key}":${inner},"sign":"${rsa2Sign(inner, this.keys.privateKey)}"}`);
  }
}

function tradeNo(at: Date): string {
  return `${chinaTime(at).replace(/\D/g, "").slice(0, 8)}2200${String(randomInt(1e9)).padStart(10, "0")}`;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
