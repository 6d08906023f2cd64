// Table types for Kysely. Keep in step with server/migrations.
import type { ColumnType, Generated, JSONColumnType } from "kysely";

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;

export type UserKind = "customer" | "staff";
export type UserStatus = "active" | "frozen" | "disabled";

export type Preferences = {
  language?: "zh-CN" | "en";
  theme?: "light" | "dark" | "high-contrast";
  fontSize?: "standard" | "large" | "extra-large";
  elderMode?: boolean;
  homeModules?: string[];
  /** Per topic SMS/email choices (notify/subscriptions.ts); the in-app inbox is always on. */
  notifications?: Record<string, { sms?: boolean; email?: boolean }>;
};

export type UsersTable = {
  id: Generated<string>;
  kind: UserKind;
  phone: string | null;
  email: string | null;
  email_verified_at: NullableTimestamp;
  name: string | null;
  id_number_enc: Buffer | null;
  id_number_masked: string | null;
  id_number_hash: string | null;
  password_hash: string;
  payment_password_hash: string | null;
  payment_failed_count: Generated<number>;
  payment_lock_level: Generated<number>;
  payment_locked_until: NullableTimestamp;
  totp_secret_enc: Buffer | null;
  totp_enabled_at: NullableTimestamp;
  totp_last_step: ColumnType<bigint | null, bigint | number | null | undefined, bigint | number | null>;
  roles: ColumnType<string[], string[] | undefined, string[]>;
  status: ColumnType<UserStatus, UserStatus | undefined, UserStatus>;
  frozen_at: NullableTimestamp;
  verification_level: Generated<number>;
  preferences: JSONColumnType<Preferences, string | undefined, string>;
  password_changed_at: Generated<Date>;
  created_at: CreatedAt;
  updated_at: Timestamp;
};

export type TotpBackupCodesTable = {
  id: Generated<string>;
  user_id: string;
  code_hash: string;
  used_at: NullableTimestamp;
};

export type SessionsTable = {
  id: string;
  user_id: string;
  stage: ColumnType<"full" | "mfa_enroll", "full" | "mfa_enroll" | undefined, "full" | "mfa_enroll">;
  ip: string | null;
  user_agent: string | null;
  device: string | null;
  created_at: CreatedAt;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
  revoked_at: NullableTimestamp;
  revoked_reason: string | null;
};

export type OneTimeCodesTable = {
  id: Generated<string>;
  channel: "sms" | "email";
  destination: string;
  purpose: string;
  code_hash: string;
  attempts: Generated<number>;
  created_at: CreatedAt;
  expires_at: Timestamp;
  consumed_at: NullableTimestamp;
};

export type CaptchasTable = {
  id: Generated<string>;
  answer_hash: string;
  created_at: CreatedAt;
  expires_at: Timestamp;
  used_at: NullableTimestamp;
};

export type LoginThrottleTable = {
  key: string;
  failures: Generated<number>;
  lock_level: Generated<number>;
  locked_until: NullableTimestamp;
  updated_at: Timestamp;
};

export type LoginEventsTable = {
  id: Generated<string>;
  user_id: string | null;
  ip: string | null;
  user_agent: string | null;
  device: string | null;
  result: string;
  created_at: CreatedAt;
};

export type RateCountersTable = {
  key: string;
  window_start: Date | string;
  count: Generated<number>;
};

export type BankCardsTable = {
  id: Generated<string>;
  user_id: string;
  card_enc: Buffer;
  card_hash: string;
  last4: string;
  holder_name: string;
  bank_name: string | null;
  created_at: CreatedAt;
  removed_at: NullableTimestamp;
};

export type FilesTable = {
  id: Generated<string>;
  owner_user_id: string | null;
  content_type: string;
  size: number;
  sha256: string;
  data: Buffer;
  created_at: CreatedAt;
};

export type ReviewStatus = "pending" | "approved" | "rejected" | "cancelled";

export type ReviewItemsTable = {
  id: Generated<string>;
  kind: string;
  subject_user_id: string | null;
  payload: JSONColumnType<Record<string, unknown>, string | undefined, string>;
  status: ColumnType<ReviewStatus, ReviewStatus | undefined, ReviewStatus>;
  created_by: string | null;
  created_at: CreatedAt;
  decided_by: string | null;
  decided_at: NullableTimestamp;
  decision_reason: string | null;
  required_approvals: ColumnType<number, number | undefined, never>;
};

export type ReviewApprovalsTable = {
  review_item_id: string;
  approver_id: string;
  reason: string | null;
  created_at: ColumnType<Date, Date, never>;
};

export type WithdrawalStatus = "under_review" | "processing" | "succeeded" | "failed" | "rejected";

export type WithdrawalsTable = {
  id: Generated<string>;
  user_id: string;
  bank_card_id: string;
  amount: ColumnType<bigint, bigint, never>;
  fee: ColumnType<bigint, bigint, never>;
  currency: string;
  status: WithdrawalStatus;
  failure_reason: string | null;
  idempotency_key: string;
  hold_id: string;
  review_item_id: string | null;
  bank_payout_id: string | null;
  submitted_at: NullableTimestamp;
  created_at: CreatedAt;
  updated_at: Timestamp;
};

export type SandboxBankPayoutStatus = "accepted" | "succeeded" | "failed";

export type SandboxBankPayoutsTable = {
  id: Generated<string>;
  merchant_order_id: string;
  amount: ColumnType<bigint, bigint, never>;
  currency: string;
  card_last4: string;
  status: ColumnType<SandboxBankPayoutStatus, SandboxBankPayoutStatus | undefined, SandboxBankPayoutStatus>;
  failure_reason: string | null;
  settle_after: Timestamp;
  created_at: CreatedAt;
  settled_at: NullableTimestamp;
};

export type NotificationsTable = {
  id: Generated<string>;
  user_id: string;
  kind: string;
  title: string;
  body: string;
  created_at: CreatedAt;
  read_at: NullableTimestamp;
};

export type OutboundMessagesTable = {
  id: Generated<string>;
  channel: "sms" | "email";
  destination: string;
  subject: string | null;
  body: string;
  created_at: CreatedAt;
  sent_at: NullableTimestamp;
  error: string | null;
};

export type AuditLogTable = {
  id: Generated<string>;
  at: ColumnType<Date, Date | string, never>;
  actor_id: string | null;
  actor_kind: string;
  action: string;
  target_type: string | null;
  target_id: string | null;
  ip: string | null;
  details: JSONColumnType<Record<string, unknown>, string | undefined, never>;
  prev_hash: string;
  hash: string;
};

export type HelpCategoriesTable = {
  slug: string;
  name_zh: string;
  name_en: ColumnType<string, string | undefined, string>;
  position: ColumnType<number, number | undefined, number>;
};

export type HelpArticleStatus = "draft" | "published";

export type HelpArticlesTable = {
  id: Generated<string>;
  slug: string;
  category: string;
  status: ColumnType<HelpArticleStatus, HelpArticleStatus | undefined, HelpArticleStatus>;
  title_zh: string;
  body_zh: string;
  title_en: ColumnType<string, string | undefined, string>;
  body_en: ColumnType<string, string | undefined, string>;
  keywords: ColumnType<string[], string[] | undefined, string[]>;
  position: ColumnType<number, number | undefined, number>;
  source: ColumnType<"import" | "staff", "import" | "staff" | undefined, "import" | "staff">;
  import_hash: string | null;
  helpful_count: Generated<number>;
  unhelpful_count: Generated<number>;
  created_at: CreatedAt;
  updated_at: Timestamp;
  /** Moved on by a trigger whenever what a reader sees changes (migration 0018). */
  version: Generated<number>;
  updated_by: string | null;
};

export type HelpSearchTermsTable = { term: string; article_id: string; weight: number };

export type HelpSearchDfTable = { term: string; df: number };

export type LedgerAccountKind =
  | "customer"
  | "gateway_clearing"
  | "withdrawal_clearing"
  | "fees"
  | "merchant"
  | "adjustments"
  | "settlement";
export type LedgerTransferType =
  | "topup"
  | "payment"
  | "transfer"
  | "withdrawal"
  | "refund"
  | "fee"
  | "adjustment"
  | "reversal";
export type LedgerTransferStatus = "posted" | "pending";
export type LedgerHoldOutcome = "posted" | "voided" | "expired";
type Money = ColumnType<bigint, bigint | undefined, bigint>;

export type LedgerAccountsTable = {
  id: Generated<string>;
  code: string | null;
  owner_user_id: string | null;
  currency: string;
  kind: LedgerAccountKind;
  allow_negative: Generated<boolean>;
  balance: Money;
  pending_debits: Money;
  pending_credits: Money;
  head_hash: Generated<string>;
  version: Money;
  created_at: CreatedAt;
};

export type LedgerTransfersTable = {
  id: string;
  seq: ColumnType<bigint, never, never>;
  idempotency_key: string | null;
  request_hash: string | null;
  type: LedgerTransferType;
  currency: string;
  amount: ColumnType<bigint, bigint, never>;
  debit_account_id: string;
  credit_account_id: string;
  status: LedgerTransferStatus;
  expires_at: ColumnType<Date | null, Date | null, never>;
  hold_id: string | null;
  reverses_transfer_id: string | null;
  memo: string | null;
  metadata: JSONColumnType<Record<string, unknown>, string, never>;
  debit_prev_hash: string;
  credit_prev_hash: string;
  hash: string;
  created_at: ColumnType<Date, Date, never>;
};

export type LedgerEntriesTable = {
  id: ColumnType<bigint, never, never>;
  transfer_id: string;
  account_id: string;
  amount: ColumnType<bigint, bigint, never>;
  balance_after: ColumnType<bigint, bigint, never>;
  created_at: ColumnType<Date, Date, never>;
  /** No balance notice left to write for it: its writer wrote it, or the account gets none (migration 0025). */
  noticed: ColumnType<boolean, boolean | undefined, never>;
};

export type LedgerHoldEventsTable = {
  hold_id: string;
  outcome: LedgerHoldOutcome;
  posted_amount: ColumnType<bigint, bigint, never>;
  posting_transfer_id: string | null;
  reason: string | null;
  hash: string;
  created_at: ColumnType<Date, Date, never>;
};

export type IdempotencyKeysTable = {
  scope: string;
  key: string;
  request_hash: string;
  result_id: string | null;
  response: JSONColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
  created_at: ColumnType<Date, Date, never>;
};

export type TopupStatus = "pending" | "succeeded" | "failed";
export type TopupMethod = "sandbox" | "alipay";

export type TopupsTable = {
  id: Generated<string>;
  user_id: string;
  amount: ColumnType<bigint, bigint, never>;
  currency: string;
  method: TopupMethod;
  gateway_payment_id: string | null;
  status: ColumnType<TopupStatus, TopupStatus | undefined, TopupStatus>;
  idempotency_key: string;
  ledger_transfer_id: string | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
};

export type SandboxPaymentStatus = "created" | "paid" | "failed";

export type MerchantCategory = "shop" | "phone_topup" | "utility";

export type MerchantsTable = {
  id: Generated<string>;
  code: string;
  name: string;
  category: MerchantCategory;
  status: ColumnType<"active" | "disabled", "active" | "disabled" | undefined, "active" | "disabled">;
  account_id: string;
  created_at: CreatedAt;
};

export type SandboxGatewayPaymentsTable = {
  id: Generated<string>;
  merchant_order_id: string;
  amount: ColumnType<bigint, bigint, never>;
  currency: string;
  status: ColumnType<SandboxPaymentStatus, SandboxPaymentStatus | undefined, SandboxPaymentStatus>;
  created_at: CreatedAt;
  updated_at: Timestamp;
  paid_at: NullableTimestamp;
};

export type SandboxGatewayNotificationsTable = {
  id: Generated<string>;
  payment_id: string;
  body: string;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: Timestamp;
  delivered_at: NullableTimestamp;
  last_error: string | null;
  created_at: CreatedAt;
};

/** One row per customer: what they used in the current China day and year, and ever. */
export type LimitUsageTable = {
  user_id: string;
  day_start: Timestamp;
  day_all: ColumnType<bigint, bigint | undefined, bigint>;
  day_one_factor: ColumnType<bigint, bigint | undefined, bigint>;
  day_transfer: ColumnType<bigint, bigint | undefined, bigint>;
  day_phone_topup: ColumnType<bigint, bigint | undefined, bigint>;
  year_start: Timestamp;
  year_all: ColumnType<bigint, bigint | undefined, bigint>;
  lifetime_all: ColumnType<bigint, bigint | undefined, bigint>;
};

export type LimitSettingsTable = {
  user_id: string;
  transfer_daily_limit: bigint | null;
  password_free_enabled: ColumnType<boolean, boolean | undefined, boolean>;
  password_free_per_payment: bigint;
  password_free_daily: bigint;
  updated_at: Timestamp;
};

export type ReconciliationRunStatus = "running" | "completed" | "failed";

export type ReconciliationRunsTable = {
  id: Generated<string>;
  statement_date: ColumnType<string, string, never>;
  status: ColumnType<ReconciliationRunStatus, ReconciliationRunStatus | undefined, ReconciliationRunStatus>;
  started_by: string | null;
  gateways: ColumnType<string[], string[] | undefined, string[]>;
  matched: ColumnType<number, number | undefined, number>;
  auto_credited: ColumnType<number, number | undefined, number>;
  exceptions: ColumnType<number, number | undefined, number>;
  error: string | null;
  started_at: CreatedAt;
  finished_at: NullableTimestamp;
};

export type ReconciliationMatchOutcome = "matched" | "auto_credited";

export type ReconciliationMatchesTable = {
  id: Generated<string>;
  run_id: string;
  gateway: string;
  payment_id: string;
  topup_id: string;
  amount: ColumnType<bigint, bigint, never>;
  currency: string;
  outcome: ReconciliationMatchOutcome;
  ledger_transfer_id: string | null;
  created_at: CreatedAt;
};

export type ReconciliationExceptionKind =
  | "ledger_only"
  | "amount_mismatch"
  | "currency_mismatch"
  | "unknown_payment"
  | "status_mismatch"
  /** The gateway's bill shows a refund of a payment; OpenCounter never refunds through a gateway. */
  | "gateway_refund";

export type ReconciliationExceptionsTable = {
  id: Generated<string>;
  run_id: string;
  gateway: string;
  kind: ReconciliationExceptionKind;
  payment_id: string | null;
  topup_id: string | null;
  gateway_amount: ColumnType<bigint | null, bigint | null | undefined, never>;
  ledger_amount: ColumnType<bigint | null, bigint | null | undefined, never>;
  detail: string;
  status: ColumnType<"open" | "resolved", "open" | "resolved" | undefined, "open" | "resolved">;
  resolved_by: string | null;
  resolved_at: NullableTimestamp;
  note: string | null;
  created_at: CreatedAt;
};

/** Balance-change notices: how far the notifier has read ledger_entries (migration 0012). */
export type MoneyNotificationCursorTable = {
  name: string;
  last_entry_id: bigint;
  updated_at: Timestamp;
};

// --- support: live chat (0014) ---
export type SupportConversationStatus = "bot" | "queued" | "assigned" | "closed";
export type SupportChannel = "chat" | "email" | "phone";
export type SupportConversationsTable = {
  id: Generated<string>;
  customer_id: string;
  channel: ColumnType<SupportChannel, SupportChannel | undefined, SupportChannel>;
  status: ColumnType<
    SupportConversationStatus,
    SupportConversationStatus | undefined,
    SupportConversationStatus
  >;
  team: Generated<string>;
  assigned_agent_id: string | null;
  bot_unhelpful: Generated<number>;
  handover_reason: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  queued_at: Date | null;
  assigned_at: Date | null;
  first_agent_reply_at: Date | null;
  closed_at: Date | null;
};
export type SupportAuthorKind = "customer" | "agent" | "bot" | "system";
export type SupportMessagesTable = {
  id: Generated<bigint>;
  conversation_id: string;
  author_kind: SupportAuthorKind;
  author_id: string | null;
  client_id: string | null;
  body: Generated<string>;
  attachment_file_id: string | null;
  payload: ColumnType<unknown, string | null | undefined, string | null>;
  helpful: boolean | null;
  created_at: Generated<Date>;
};
export type SupportReadMarksTable = {
  conversation_id: string;
  reader_id: string;
  delivered_up_to: Generated<bigint>;
  read_up_to: Generated<bigint>;
};
export type SupportAgentStatus = "online" | "away" | "offline";
export type SupportAgentsTable = {
  agent_id: string;
  status: ColumnType<SupportAgentStatus, SupportAgentStatus | undefined, SupportAgentStatus>;
  teams: ColumnType<string[], string[] | undefined, string[]>;
  max_chats: Generated<number>;
  updated_at: Generated<Date>;
};

// --- support: tickets and SLA (0015) ---
export type SupportTicketCategory =
  | "account_locked"
  | "account_login"
  | "account_password"
  | "dispute_failed"
  | "dispute_duplicate"
  | "question"
  | "system_fault"
  | "security_alert";
export type SupportTicketPriority = "low" | "normal" | "high" | "urgent";
export type SupportTicketStatus = "new" | "open" | "pending" | "resolved" | "closed";
export type SupportTicketsTable = {
  id: Generated<string>;
  number: Generated<bigint>;
  customer_id: string | null;
  requester_email: string | null;
  requester_name: string | null;
  channel: SupportChannel;
  subject: string;
  category: SupportTicketCategory;
  suggested_category: SupportTicketCategory | null;
  priority: SupportTicketPriority;
  status: ColumnType<SupportTicketStatus, SupportTicketStatus | undefined, SupportTicketStatus>;
  team: Generated<string>;
  assignee_id: string | null;
  conversation_id: string | null;
  merged_into_id: string | null;
  verified_at: Date | null;
  verified_by: string | null;
  escalated_at: Date | null;
  created_at: Date;
  updated_at: Date;
  first_response_at: Date | null;
  resolved_at: Date | null;
  closed_at: Date | null;
  survey_sent_at: Date | null;
};
export type SupportTicketMessageKind = "customer" | "agent" | "note" | "system";
export type SupportTicketMessageChannel = SupportChannel | "portal" | "console";
export type SupportTicketMessagesTable = {
  id: Generated<bigint>;
  ticket_id: string;
  original_ticket_id: string | null;
  kind: SupportTicketMessageKind;
  author_id: string | null;
  channel: SupportTicketMessageChannel;
  body: string;
  mentions: ColumnType<string[], string[] | undefined, string[]>;
  email_message_id: string | null;
  email_in_reply_to: string | null;
  email_references: string | null;
  email_to: string | null;
  email_status: "queued" | "sent" | "failed" | null;
  email_attempts: Generated<number>;
  email_error: string | null;
  created_at: Date;
};
export type SupportTicketLinksTable = {
  ticket_a: string;
  ticket_b: string;
  created_by: string;
  created_at: Date;
};
export type SupportCannedResponsesTable = {
  id: Generated<string>;
  title: string;
  body: string;
  created_by: string;
  created_at: Date;
  updated_at: Date;
};
export type SupportSlaPoliciesTable = {
  priority: SupportTicketPriority;
  first_response_minutes: number;
  next_response_minutes: number;
  resolution_minutes: number;
  warn_at_percent: Generated<number>;
};
export type SupportSlaTarget = "first_response" | "next_response" | "resolution";
export type SupportSlaTimersTable = {
  id: Generated<bigint>;
  ticket_id: string;
  target: SupportSlaTarget;
  priority: SupportTicketPriority;
  started_at: Date;
  warn_at: Date;
  due_at: Date;
  stopped_at: Date | null;
  warned_at: Date | null;
  breached_at: Date | null;
  escalated_to: "supervisor" | "technical" | null;
};
export type SupportSurveysTable = {
  ticket_id: string;
  customer_id: string;
  sent_at: Date;
  rating: number | null;
  comment: string | null;
  answered_at: Date | null;
};

// --- support: consent before account access (0016) ---
export type SupportConsentScope = "profile" | "balance" | "transactions";
export type SupportConsentStatus = "requested" | "granted" | "refused" | "revoked" | "cancelled";
export type SupportConsentsTable = {
  id: Generated<string>;
  conversation_id: string;
  customer_id: string;
  agent_id: string;
  scopes: ColumnType<SupportConsentScope[], SupportConsentScope[], SupportConsentScope[]>;
  minutes: number;
  status: ColumnType<SupportConsentStatus, SupportConsentStatus | undefined, SupportConsentStatus>;
  requested_at: Date;
  decided_at: Date | null;
  granted_via: "portal" | "phone_code" | null;
  expires_at: Date | null;
  revoked_at: Date | null;
  code_hash: string | null;
  code_sent_at: Date | null;
  code_expires_at: Date | null;
  code_attempts: Generated<number>;
};
export type SupportChatRatingsTable = {
  conversation_id: string;
  customer_id: string;
  rating: number;
  comment: string | null;
  created_at: Date;
};

export type Database = {
  users: UsersTable;
  totp_backup_codes: TotpBackupCodesTable;
  sessions: SessionsTable;
  one_time_codes: OneTimeCodesTable;
  captchas: CaptchasTable;
  login_throttle: LoginThrottleTable;
  login_events: LoginEventsTable;
  rate_counters: RateCountersTable;
  bank_cards: BankCardsTable;
  files: FilesTable;
  review_items: ReviewItemsTable;
  review_approvals: ReviewApprovalsTable;
  withdrawals: WithdrawalsTable;
  sandbox_bank_payouts: SandboxBankPayoutsTable;
  notifications: NotificationsTable;
  outbound_messages: OutboundMessagesTable;
  audit_log: AuditLogTable;
  ledger_accounts: LedgerAccountsTable;
  ledger_transfers: LedgerTransfersTable;
  ledger_entries: LedgerEntriesTable;
  ledger_hold_events: LedgerHoldEventsTable;
  idempotency_keys: IdempotencyKeysTable;
  money_notification_cursor: MoneyNotificationCursorTable;
  help_categories: HelpCategoriesTable;
  help_articles: HelpArticlesTable;
  help_search_terms: HelpSearchTermsTable;
  help_search_df: HelpSearchDfTable;
  topups: TopupsTable;
  sandbox_gateway_payments: SandboxGatewayPaymentsTable;
  merchants: MerchantsTable;
  sandbox_gateway_notifications: SandboxGatewayNotificationsTable;
  reconciliation_runs: ReconciliationRunsTable;
  reconciliation_matches: ReconciliationMatchesTable;
  reconciliation_exceptions: ReconciliationExceptionsTable;
  limit_usage: LimitUsageTable;
  limit_settings: LimitSettingsTable;
  support_conversations: SupportConversationsTable;
  support_messages: SupportMessagesTable;
  support_read_marks: SupportReadMarksTable;
  support_agents: SupportAgentsTable;
  support_tickets: SupportTicketsTable;
  support_ticket_messages: SupportTicketMessagesTable;
  support_ticket_links: SupportTicketLinksTable;
  support_canned_responses: SupportCannedResponsesTable;
  support_sla_policies: SupportSlaPoliciesTable;
  support_sla_timers: SupportSlaTimersTable;
  support_surveys: SupportSurveysTable;
  support_consents: SupportConsentsTable;
  support_chat_ratings: SupportChatRatingsTable;
};
