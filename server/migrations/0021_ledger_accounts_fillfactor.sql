-- Every transfer rewrites both of its accounts' rows (balance, chain head, version): room on each
-- page lets those be HOT updates, which write no new index entries and are pruned in place.
-- (None of the updated columns is indexed.) Applies to pages written from now on; a busy
-- existing table gets it page by page, or at once with `vacuum full ledger_accounts`.
alter table ledger_accounts set (fillfactor = 70);
