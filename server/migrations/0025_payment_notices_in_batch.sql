-- A payment's 付款成功 notice to its payer is written by the payment's own batch, in the same
-- statement as its entries (ledger/batch.ts), instead of by the balance-notice loop reading the
-- entry back a moment later: the payment already has everything the notice says, and the loop's
-- read of each entry with its account, transfer, owner and merchant was about a tenth of a
-- payment's cost, in bursts that held up the payments around it.
--
-- 1. The entry says so: `noticed` is true when no notice is left to write for it — the
--    transaction that wrote the entry wrote its notice too, or the entry is on an account that
--    gets none (a merchant's; the loop reads customers' accounts only) — and the loop leaves such
--    entries out. Other writers leave it false, as do the batches for payers who take balance
--    notices by SMS or e-mail (the loop sends those).
alter table ledger_entries add column noticed boolean not null default false;

-- 2. A new cursor row, for loops that know about `noticed`. A server process from before this
--    migration, still running during a rolling upgrade, looks for the row named 'balance', finds
--    none and leaves the notices to the new processes (its run reports "busy"): it would otherwise
--    notify an entry whose notice a new batch had written, a second time. The new row starts where
--    the old one stood, so no entry is skipped.
update money_notification_cursor set name = 'balance-v2', updated_at = now() where name = 'balance';
