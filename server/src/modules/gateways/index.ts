// The gateways the wallet can top up through, by method name.
import type { AppContext } from "../../context.js";
import type { TopupMethod } from "../../db/schema.js";
import { DomainError } from "../../http/errors.js";
import { alipayGateway } from "./alipay/adapter.js";
import type { PaymentGateway } from "./gateway.js";
import { sandboxGateway } from "./sandbox/adapter.js";

export type { GatewayPaymentReport, GatewayPaymentStatus, PaymentGateway } from "./gateway.js";
export { deliverDueNotifications, httpSender, type NotificationSender } from "./sandbox/service.js";

type GatewayDeps = Pick<AppContext, "db" | "clock" | "crypto" | "config">;

export function gatewayFor(ctx: GatewayDeps, method: TopupMethod): PaymentGateway {
  switch (method) {
    case "sandbox":
      // The sandbox is a development stand-in: a production wallet never trusts it.
      if (ctx.config.env === "production")
        throw new DomainError("not_available", { detail: "no sandbox in production" });
      return sandboxGateway(ctx);
    case "alipay":
      // Only when ALIPAY_* are set; otherwise not_available.
      return alipayGateway(ctx);
    default: {
      const unexpected: never = method;
      throw new Error(`unknown top-up method ${String(unexpected)}`);
    }
  }
}
