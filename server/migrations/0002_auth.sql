-- TOTP replay protection: the last 30-second step whose code a user has spent.
alter table users add column totp_last_step bigint;
