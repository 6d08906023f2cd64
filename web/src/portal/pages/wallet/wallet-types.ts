// Shapes of the wallet API's answers (docs/api.md, wallet sections). Amounts are integer fen.
export type WalletAccount = { currency: string; available: number; pending: number };
export type WalletBalance = { accounts: WalletAccount[] };

export const transactionTypes = [
  "topup",
  "payment",
  "transfer",
  "withdrawal",
  "refund",
  "fee",
  "adjustment",
] as const;
export type TransactionType = (typeof transactionTypes)[number];

export type WalletTransaction = {
  id: string;
  type: TransactionType;
  amount: number;
  currency: string;
  direction: "in" | "out";
  counterparty: string;
  status: string;
  createdAt: string;
};
export type WalletTransactionDetail = WalletTransaction & { memo: string | null };
export type TransactionPage = { items: WalletTransaction[]; nextCursor: string | null };

export type Topup = {
  id: string;
  status: "pending" | "succeeded" | "failed";
  amount: number;
  currency: string;
  method: string;
  createdAt: string;
  updatedAt: string;
};

export type Payee = { maskedName: string | null; maskedPhone: string };

export type WithdrawalStatus = "under_review" | "processing" | "succeeded" | "failed" | "rejected";
export type Withdrawal = {
  id: string;
  amount: number;
  fee: number;
  currency: string;
  bankCard: { id: string; masked: string; bankName: string | null };
  status: WithdrawalStatus;
  failureReason: string | null;
  createdAt: string;
  updatedAt: string;
};
export type WithdrawalPage = { items: Withdrawal[]; nextCursor: string | null };
/** The most the available balance pays for, fee included (全部提现). */
export type WithdrawalMax = {
  available: number;
  amount: number;
  fee: number;
  total: number;
  currency: string;
};

export type WithdrawalQuote = {
  amount: number;
  fee: number;
  total: number;
  currency: string;
  reviewRequired: boolean;
  /** Different staff who must approve (2 above the second threshold). */
  approvalsRequired?: number;
};

export type Merchant = { id: string; name: string; category: string };
export type Payment = { id: string; status: string; passwordFree: boolean };

export type Limit = {
  code: string;
  scope: string;
  period: string;
  limit: number;
  used: number;
  remaining: number;
};
export type Limits = { class: "I" | "II" | "III"; items: Limit[] };
export type PasswordFree = {
  enabled: boolean;
  perPaymentLimit: number;
  dailyLimit: number;
  usedToday: number;
};
