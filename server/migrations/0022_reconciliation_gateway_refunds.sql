-- A refund in a gateway's bill: OpenCounter never refunds a top-up through the gateway, so a
-- refund there (made in the gateway's own console, or a dispute) means the payer got money back
-- while the wallet still holds the credit. Each becomes an exception for finance.
alter table reconciliation_exceptions drop constraint reconciliation_exceptions_kind_check;
alter table reconciliation_exceptions add constraint reconciliation_exceptions_kind_check check (
  kind in ('ledger_only', 'amount_mismatch', 'currency_mismatch', 'unknown_payment', 'status_mismatch',
    'gateway_refund')
);
