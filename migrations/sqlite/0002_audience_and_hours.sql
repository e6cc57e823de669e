-- Scheduling, part one: who a session is for and what it is worth.
-- migrations/postgres/0002_audience_and_hours.sql is the twin.

-- 'everyone', or 'chosen' with rows in session_audience (any match admits a cadre).
alter table sessions add column audience text not null default 'everyone'
    check (audience in ('everyone', 'chosen'));
-- Study hours in tenths (25 = 2.5 学时); defaulted from the duration by the hours rule
-- unless an organiser overrode them for this session.
alter table sessions add column study_hours bigint not null default 0;
alter table sessions add column hours_overridden boolean not null default false;
alter table sessions add column capacity bigint;
alter table sessions add column cancel_reason text;
-- Why an organiser booked a lecturer or a place twice on purpose.
alter table sessions add column clash_override_reason text;
alter table sessions add column updated_at bigint not null default 0;

-- Existing sessions keep counting: the default rule, 1 学时 per 45 minutes, in halves.
update sessions set study_hours = ((ends_at - starts_at) / 60 * 2 / 45) * 5, updated_at = created_at;

create table session_audience (
    session_id integer not null references sessions (id) on delete cascade,
    kind text not null check (kind in ('tier', 'community', 'person')),
    ref_id integer not null,
    primary key (session_id, kind, ref_id)
);
create index session_audience_ref on session_audience (kind, ref_id);
