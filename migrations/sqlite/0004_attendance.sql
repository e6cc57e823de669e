-- Attendance: check-in rules per session, walk-ins, the audit trail of every change, leave
-- requests and make-up study. migrations/postgres/0004_attendance.sql is the twin.

-- Check-in opens this many minutes before the start; arriving more than late_after_minutes
-- after the start is late.
alter table sessions add column checkin_opens_minutes bigint not null default 30;
alter table sessions add column late_after_minutes bigint not null default 10;

-- Someone outside the session's audience who checked in anyway.
alter table attendance add column walk_in boolean not null default false;
-- How the record was made: 'qr', 'code' (typed at the door), 'organiser', 'leave', 'make_up'.
alter table attendance add column source text not null default 'organiser';
alter table attendance add column updated_at bigint not null default 0;

-- Every change of an attendance record, oldest first. from_status is null for a new record.
create table attendance_audit (
    id integer primary key,
    session_id integer not null references sessions (id) on delete cascade,
    person_id integer not null references people (id),
    from_status text,
    to_status text not null,
    actor_person_id integer references people (id),
    reason text not null default '',
    at bigint not null
);
create index attendance_audit_session on attendance_audit (session_id, id);

-- 请假: one request per cadre and session; approving it makes the cadre excused.
create table leave_requests (
    id integer primary key,
    session_id integer not null references sessions (id) on delete cascade,
    person_id integer not null references people (id),
    reason text not null,
    decision text not null default 'pending' check (decision in ('pending', 'approved', 'declined')),
    decided_by integer references people (id),
    decided_at bigint,
    created_at bigint not null,
    unique (session_id, person_id)
);
create index leave_requests_pending on leave_requests (decision, created_at);

-- 补学: a reflection written after missing a session; accepting it makes the cadre made-up.
create table make_ups (
    id integer primary key,
    session_id integer not null references sessions (id) on delete cascade,
    person_id integer not null references people (id),
    reflection text not null,
    decision text not null default 'pending' check (decision in ('pending', 'approved', 'declined')),
    decided_by integer references people (id),
    decided_at bigint,
    created_at bigint not null,
    unique (session_id, person_id)
);
create index make_ups_pending on make_ups (decision, created_at);
