// The wallet's view of the sandbox gateway, through the same PaymentGateway shape Alipay will use.
import { z } from "zod";
import type { AppContext } from "../../../context.js";
import { DomainError } from "../../../http/errors.js";
import type { GatewayPaymentReport, PaymentGateway } from "../gateway.js";
import {
  createSandboxPayment,
  finishSandboxPayment,
  getSandboxPayment,
  type SandboxPaymentView,
  viewOf,
} from "./service.js";
import { SIGNATURE_HEADER, signatureHolds, signMessage } from "./signature.js";

const message = z.object({
  paymentId: z.string().max(64),
  merchantOrderId: z.string().max(64),
  amount: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  currency: z.string().regex(/^[A-Z]{3}$/),
  status: z.enum(["created", "paid", "failed"]),
});

function toReport(m: z.infer<typeof message>): GatewayPaymentReport {
  return {
    paymentId: m.paymentId,
    merchantOrderId: m.merchantOrderId,
    amount: BigInt(m.amount),
    currency: m.currency,
    status: m.status === "created" ? "pending" : m.status,
  };
}

function verified(ctx: Pick<AppContext, "crypto">, rawBody: Buffer | string, signature: unknown) {
  if (!signatureHolds(ctx.crypto, rawBody, signature)) throw new DomainError("invalid_signature");
  let parsed: unknown;
  try {
    parsed = JSON.parse(rawBody.toString());
  } catch {
    throw new DomainError("bad_request", { detail: "the body is not JSON" });
  }
  const m = message.safeParse(parsed);
  if (!m.success) throw new DomainError("validation_failed", { detail: "not a sandbox payment message" });
  return toReport(m.data);
}

export function sandboxGateway(ctx: Pick<AppContext, "db" | "clock" | "crypto" | "config">): PaymentGateway {
  return {
    async createPayment(topup) {
      const p = await createSandboxPayment(ctx, {
        merchantOrderId: topup.id,
        amount: topup.amount,
        currency: topup.currency,
      });
      return {
        paymentId: p.id,
        payUrl: new URL(`/sandbox-gateway/pay/${p.id}`, ctx.config.publicUrl).toString(),
      };
    },
    verifyNotification(rawBody, headers) {
      return verified(ctx, rawBody, headers[SIGNATURE_HEADER]);
    },
    // In-process, but through the same signed answer GET /sandbox-gateway/payments/:id gives,
    // so the wallet trusts only what carries the gateway's signature.
    async queryPayment(paymentId) {
      let view: SandboxPaymentView;
      try {
        view = viewOf(await getSandboxPayment(ctx, paymentId));
      } catch (err) {
        if (err instanceof DomainError && err.code === "not_found") return null;
        throw err;
      }
      const body = JSON.stringify(view);
      return verified(ctx, body, signMessage(ctx.crypto, body, ctx.clock.now()));
    },
    async closePayment(paymentId) {
      try {
        await finishSandboxPayment(ctx, paymentId, "failed");
      } catch (err) {
        // Paid in the meantime: the query below says so, and the top-up is credited.
        if (!(err instanceof DomainError && err.code === "conflict")) throw err;
      }
      return this.queryPayment(paymentId);
    },
  };
}
