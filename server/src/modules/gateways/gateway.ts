// What the wallet needs from a payment gateway. Each provider (the sandbox now, Alipay later)
// is an adapter behind this shape, so top-ups never depend on one provider's protocol.

export type GatewayPaymentStatus = "pending" | "paid" | "failed";

/** A gateway's word on one payment, after its signature has been checked. */
export type GatewayPaymentReport = {
  paymentId: string;
  /** Our top-up id, as we gave it to the gateway. */
  merchantOrderId: string;
  amount: bigint;
  currency: string;
  status: GatewayPaymentStatus;
};

export type TopupForGateway = { id: string; amount: bigint; currency: string };

export type PaymentGateway = {
  /** Opens (or, for the same top-up, finds again) the gateway's payment and where to pay it. */
  createPayment(topup: TopupForGateway): Promise<{ paymentId: string; payUrl: string }>;
  /** The notification's content if its signature holds; throws invalid_signature otherwise. */
  verifyNotification(
    rawBody: Buffer,
    headers: Record<string, string | string[] | undefined>,
  ): GatewayPaymentReport;
  /** Asks the gateway directly, for notifications that never came. */
  queryPayment(paymentId: string): Promise<GatewayPaymentReport | null>;
  /**
   * Closes a payment the customer never paid, so it can no longer be paid; answers the gateway's
   * final word (`paid` if the customer paid in the meantime). Optional: a gateway without it
   * keeps being asked until it closes the payment itself.
   */
  closePayment?(paymentId: string): Promise<GatewayPaymentReport | null>;
};
