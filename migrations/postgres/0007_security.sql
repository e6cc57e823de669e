-- Trustworthy records: attempts at a secret counted before the secret is checked, devices
-- that signed in before, passwords an admin set, where each check-in came from, walk-ins
-- waiting for an organiser, and one audit log. migrations/sqlite/0007_security.sql is
-- the twin.

-- One row per try at a secret (a password at login or when changing it, a door code),
-- written before the secret is checked, so parallel tries all count. A bucket names what
-- is throttled: 'login-user:<name>', 'login-addr:<address>', 'login-device:<name>:<device>',
-- 'password:<account>', 'door-account:<account>', 'door-addr:<address>'. Pruned hourly.
create table auth_attempts (
    id bigint generated always as identity primary key,
    bucket text not null,
    at bigint not null
);
create index auth_attempts_bucket on auth_attempts (bucket, at);
create index auth_attempts_at on auth_attempts (at);
-- One row per bucket, locked (in name order) by every try before it counts: on PostgreSQL
-- parallel tries at one bucket then wait for each other instead of all counting alike.
create table auth_buckets (
    bucket text primary key,
    touched_at bigint not null
);
-- Replaced by auth_attempts, which also counts tries at names that do not exist.
drop table login_failures;

-- Devices (the SHA-256 of their long-lived cookie) that signed in to an account: a login
-- from one of them is not held up by guesses that others make at the account.
create table known_devices (
    account_id bigint not null references accounts (id) on delete cascade,
    device_hash text not null,
    last_seen_at bigint not null,
    primary key (account_id, device_hash)
);

-- A password an admin set (new account, reset) must be changed at the next sign-in.
alter table accounts add column must_change_password boolean not null default false;

-- Where a check-in came from: the address, the browser's user agent and the SHA-256 of the
-- device cookie. Kept for the session's sheet, which flags shared devices and addresses.
alter table attendance add column checkin_address text;
alter table attendance add column checkin_user_agent text;
alter table attendance add column checkin_device text;

-- Someone outside the session's audience who checked in while walk-ins need confirming:
-- no attendance (and no hours) until an organiser confirms it.
create table walk_in_claims (
    session_id bigint not null references sessions (id) on delete cascade,
    person_id bigint not null references people (id),
    status text not null check (status in ('present', 'late')),
    source text not null,
    at bigint not null,
    address text not null default '',
    user_agent text not null default '',
    device text not null default '',
    primary key (session_id, person_id)
);

-- The audit log of security and record events. kind and outcome are codes the admin page
-- translates; detail holds arguments (JSON), never a sentence.
create table audit_log (
    id bigint generated always as identity primary key,
    at bigint not null,
    actor_account_id bigint,
    kind text not null,
    target text not null default '',
    address text not null default '',
    user_agent text not null default '',
    outcome text not null check (outcome in ('ok', 'refused', 'failed')),
    detail text not null default ''
);
create index audit_log_at on audit_log (at);
create index audit_log_actor on audit_log (actor_account_id, at);
create index audit_log_kind on audit_log (kind, target, at);
