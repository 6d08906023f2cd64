// The wallet's view of Alipay, through the same PaymentGateway shape as the sandbox, built on
// alipay-sdk: page pay (a signed GET URL to Alipay's cashier), QR pay (alipay.trade.precreate),
// RSA2 notifications checked with checkNotifySignV2, alipay.trade.query for the pending-query
// job, and the daily trade bill for reconciliation.
//
// Payment ids: Alipay keys trades on our out_trade_no (the top-up id) and only assigns its own
// trade_no once the buyer pays, so the wallet's gateway_payment_id for Alipay is out_trade_no.
import { AlipayRequestError, AlipaySdk, type AlipaySdkCommonResult } from "alipay-sdk";
import type { AlipayConfig } from "../../../config.js";
import type { AppContext } from "../../../context.js";
import { DomainError } from "../../../http/errors.js";
import type { GatewayPaymentReport, PaymentGateway, TopupForGateway } from "../gateway.js";
import { type AlipayBill, billTradesAsReports, parseTradeBillZip } from "./bill.js";
import { fenToYuan, NOTIFY_PATH, privateKeyPem, publicKeyPem, statusOf, yuanToFen } from "./protocol.js";

type Deps = Pick<AppContext, "config">;

export type AlipayGateway = PaymentGateway & {
  /** alipay.trade.precreate: a QR code (its content, a URL) the buyer scans with the Alipay app. */
  createQrPayment(topup: TopupForGateway): Promise<{ paymentId: string; qrCode: string }>;
  /** The successful trades of one day (China time), from the downloaded trade bill. */
  dailyStatement(date: string): Promise<GatewayPaymentReport[]>;
  /** The whole downloaded trade bill of one day: its trades and its refunds (bill.ts). */
  dailyBill(date: string): Promise<AlipayBill>;
};

const SUBJECT = "OpenCounter 钱包充值";
const sdks = new WeakMap<AlipayConfig, AlipaySdk>();

function sdkFor(config: AlipayConfig): AlipaySdk {
  let sdk = sdks.get(config);
  if (!sdk) {
    sdk = new AlipaySdk({
      appId: config.appId,
      privateKey: privateKeyPem(config.privateKey),
      keyType: "PKCS8",
      alipayPublicKey: publicKeyPem(config.alipayPublicKey),
      gateway: config.gatewayUrl,
      signType: "RSA2",
      timeout: 10_000,
    });
    sdks.set(config, sdk);
  }
  return sdk;
}

function configured(ctx: Deps): AlipayConfig {
  if (!ctx.config.alipay) throw new DomainError("not_available", { detail: "Alipay is not set up" });
  return ctx.config.alipay;
}

function order(topup: TopupForGateway) {
  if (topup.currency !== "CNY")
    throw new DomainError("validation_failed", { detail: "Alipay takes CNY only" });
  return { outTradeNo: topup.id, totalAmount: fenToYuan(topup.amount), subject: SUBJECT };
}

/** Calls an Alipay API with the answer's signature checked; SDK failures become stable codes. */
async function call(
  sdk: AlipaySdk,
  method: string,
  params: Record<string, unknown>,
): Promise<AlipaySdkCommonResult> {
  try {
    return await sdk.exec(method, params, { validateSign: true });
  } catch (err) {
    if (err instanceof AlipayRequestError && err.message.startsWith("验签失败"))
      throw new DomainError("invalid_signature", { detail: "Alipay's answer is not signed by Alipay" });
    throw new DomainError("not_available", { detail: `Alipay did not answer ${method}` });
  }
}

function refused(method: string, r: AlipaySdkCommonResult): DomainError {
  const code = r.subCode === "isv.invalid-signature" ? "invalid_signature" : "not_available";
  return new DomainError(code, { detail: `Alipay refused ${method}: ${String(r.subCode ?? r.code)}` });
}

export function alipayGateway(ctx: Deps): AlipayGateway {
  const config = configured(ctx);
  const sdk = sdkFor(config);
  const notifyUrl = new URL(NOTIFY_PATH, ctx.config.publicUrl).toString();

  async function dailyBill(date: string): Promise<AlipayBill> {
    const method = "alipay.data.dataservice.bill.downloadurl.query";
    const r = await call(sdk, method, { bizContent: { billType: "trade", billDate: date } });
    if (r.code !== "10000" || typeof r.billDownloadUrl !== "string") throw refused(method, r);
    let zip: Buffer;
    try {
      const res = await fetch(r.billDownloadUrl, { signal: AbortSignal.timeout(30_000) });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      zip = Buffer.from(await res.arrayBuffer());
    } catch {
      throw new DomainError("not_available", { detail: "Alipay's bill could not be downloaded" });
    }
    // Parsed whole before anything is used: a bad bill is one error, never half a statement.
    return parseTradeBillZip(zip);
  }

  return {
    async createPayment(topup) {
      const payUrl = sdk.pageExecute("alipay.trade.page.pay", "GET", {
        bizContent: { ...order(topup), productCode: "FAST_INSTANT_TRADE_PAY" },
        notifyUrl,
        returnUrl: new URL("/", ctx.config.publicUrl).toString(),
      });
      return { paymentId: topup.id, payUrl };
    },

    async createQrPayment(topup) {
      const r = await call(sdk, "alipay.trade.precreate", { bizContent: order(topup), notifyUrl });
      if (r.code !== "10000" || typeof r.qrCode !== "string") throw refused("alipay.trade.precreate", r);
      return { paymentId: topup.id, qrCode: r.qrCode };
    },

    verifyNotification(rawBody) {
      const fields = Object.fromEntries(new URLSearchParams(rawBody.toString("utf8")));
      // checkNotifySignV2: values as received (already form-decoded), sign and sign_type left out.
      if (fields.sign_type !== "RSA2" || !sdk.checkNotifySignV2(fields))
        throw new DomainError("invalid_signature");
      if (fields.app_id !== config.appId)
        throw new DomainError("invalid_signature", { detail: "the notification is for another app" });
      const outTradeNo = fields.out_trade_no;
      if (!outTradeNo || outTradeNo.length > 64)
        throw new DomainError("validation_failed", { detail: "no out_trade_no" });
      return {
        paymentId: outTradeNo,
        merchantOrderId: outTradeNo,
        amount: yuanToFen(fields.total_amount),
        currency: "CNY",
        status: statusOf(fields.trade_status),
      };
    },

    async queryPayment(paymentId) {
      const r = await call(sdk, "alipay.trade.query", { bizContent: { outTradeNo: paymentId } });
      if (r.code === "40004" && r.subCode === "ACQ.TRADE_NOT_EXIST") return null;
      if (r.code !== "10000") throw refused("alipay.trade.query", r);
      return {
        paymentId: String(r.outTradeNo),
        merchantOrderId: String(r.outTradeNo),
        amount: yuanToFen(r.totalAmount),
        currency: "CNY",
        status: statusOf(r.tradeStatus),
      };
    },

    dailyBill,

    async dailyStatement(date) {
      return billTradesAsReports(await dailyBill(date));
    },
  };
}
