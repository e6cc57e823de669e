-- The second factor: a TOTP secret per account (RFC 6238, confirmed by a first code),
-- single-use recovery codes (SHA-256 of each), and login sessions that are still waiting
-- for the code ('verify') or for the account to set one up ('enroll').
-- migrations/postgres/0008_second_factor.sql is the twin.
create table totp_secrets (
    account_id integer primary key references accounts (id) on delete cascade,
    -- Base32, as authenticator apps show it.
    secret text not null,
    confirmed_at bigint,
    -- The newest time step a code was accepted for: a code is never accepted twice.
    last_step bigint not null default 0,
    created_at bigint not null
);

create table recovery_codes (
    account_id integer not null references accounts (id) on delete cascade,
    code_hash text not null,
    used_at bigint,
    primary key (account_id, code_hash)
);

alter table auth_sessions add column pending text
    check (pending is null or pending in ('verify', 'enroll'));
