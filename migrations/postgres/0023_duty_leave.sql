-- Leave that knows duty: the kind of leave (personal, sick, official duty), an optional
-- attachment (a sick note, a duty roster), leave filed after the fact for emergencies, an
-- organiser's excusal of a whole community at once ("社区X今晚防汛值班"), the make-up that
-- duty leave opens with its deadline, and the 1/7 cap applied per series (专题班).
-- migrations/sqlite/0023_duty_leave.sql is the twin.

-- One reason for a whole community at one session; the leave it wrote is approved at once.
create table group_excusals (
    id bigint generated always as identity primary key,
    session_id bigint not null references sessions (id) on delete cascade,
    community_id bigint not null references communities (id),
    kind text not null check (kind in ('personal', 'sick', 'duty')),
    reason text not null,
    excused bigint not null,
    created_by bigint references people (id) on delete set null,
    created_at bigint not null
);
create index group_excusals_session on group_excusals (session_id);

alter table leave_requests add column kind text not null default 'personal'
    check (kind in ('personal', 'sick', 'duty'));
-- Filed after the session had started (an emergency), within the configured days.
alter table leave_requests add column after_the_fact boolean not null default false;
alter table leave_requests add column file_name text;
alter table leave_requests add column file_type text;
alter table leave_requests add column file_sha256 text references blobs (sha256);
alter table leave_requests add column excusal_id bigint references group_excusals (id)
    on delete set null;
-- Approved duty leave opens the make-up until then.
alter table leave_requests add column make_up_due bigint;
create index leave_requests_person on leave_requests (person_id, decision);

-- A series (by its name) run as a special class (专题班): leave past the cap there means
-- withdrawal from that series.
create table series_caps (
    series text primary key,
    created_by bigint references people (id) on delete set null,
    created_at bigint not null
);
create table series_withdrawals (
    series text not null,
    person_id bigint not null references people (id) on delete cascade,
    leave_id bigint references leave_requests (id) on delete set null,
    withdrawn_at bigint not null,
    primary key (series, person_id)
);

create trigger group_excusals_page_changed after insert or update or delete or truncate
    on group_excusals for each statement execute function page_changed();
create trigger series_caps_page_changed after insert or update or delete or truncate
    on series_caps for each statement execute function page_changed();
create trigger series_withdrawals_page_changed after insert or update or delete or truncate
    on series_withdrawals for each statement execute function page_changed();
create trigger series_withdrawals_changed after insert or update or delete or truncate
    on series_withdrawals for each statement execute function data_changed();
