-- Scheduling, part two: editing series, calendar feeds and programme settings.
-- migrations/sqlite/0003_series_feeds_settings.sql is the twin.

-- Sessions created together as a weekly series share the id of the first one, so an edit
-- can reach "this and the following" occurrences. Null for a session on its own.
alter table sessions add column repeat_group bigint;
create index sessions_repeat_group on sessions (repeat_group);
-- Counts edits: calendar apps keep the event with the highest SEQUENCE.
alter table sessions add column revision bigint not null default 0;

-- One private calendar-feed address per account; only a hash of its secret is kept, and
-- renewing or revoking it replaces or deletes the row.
create table calendar_feeds (
    account_id bigint primary key references accounts (id) on delete cascade,
    token_hash text not null unique,
    created_at bigint not null
);

-- Programme-wide settings an organiser edits, such as the study-hours rule.
create table settings (
    key text primary key,
    value text not null,
    updated_at bigint not null
);
