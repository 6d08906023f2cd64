-- Fewer and cheaper index entries per transfer (every payment writes a transfer, two entries
-- and an idempotency key; each index on them is one more insert under the accounts' locks).
--
-- 1. ledger_transfers (debit_account_id, seq) and (credit_account_id, seq): no query reads
--    posted transfers by account — an account's history is its entries (ledger_entries_account_id),
--    and verification walks transfers in seq order. Only holds are listed by account (the console's
--    ledger explorer), so the two indexes now cover pending transfers only.
drop index ledger_transfers_debit;
drop index ledger_transfers_credit;
create index ledger_transfers_pending_debit on ledger_transfers (debit_account_id, seq) where status = 'pending';
create index ledger_transfers_pending_credit on ledger_transfers (credit_account_id, seq) where status = 'pending';

-- 2. The transfer hash needs no unique index: it covers the transfer's own id, so two transfers
--    cannot share one, and nothing looks a transfer up by its hash (ledger:verify recomputes every
--    hash in seq order). The index was a random-order insert of 64 hex characters per transfer.
alter table ledger_transfers drop constraint ledger_transfers_hash_key;

-- 3. Idempotency keys compare byte by byte: they are opaque client strings, whose order means
--    nothing, and the database's locale collation (strcoll) is several times the cost of memcmp
--    on every comparison of the primary key's inserts and lookups.
alter table idempotency_keys
  alter column scope type text collate "C",
  alter column key type text collate "C";
