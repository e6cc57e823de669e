-- 补签: a cadre who was there but could not check in ("my phone died") asks within a few days
-- with a reason, optionally naming one of the session's lecturers to confirm it; an
-- organiser decides. A monthly quota per cadre is a setting.
-- migrations/sqlite/0024_corrections.sql is the twin.
create table corrections (
    id bigint generated always as identity primary key,
    session_id bigint not null references sessions (id) on delete cascade,
    person_id bigint not null references people (id) on delete cascade,
    reason text not null,
    -- The lecturer asked to confirm, and when they did.
    lecturer_id bigint references people (id) on delete set null,
    confirmed_at bigint,
    decision text not null default 'pending' check (decision in ('pending', 'approved', 'declined')),
    decided_by bigint references people (id) on delete set null,
    decided_at bigint,
    created_at bigint not null,
    unique (session_id, person_id)
);
create index corrections_person on corrections (person_id, created_at);
create index corrections_pending on corrections (decision, created_at);
create index corrections_lecturer on corrections (lecturer_id) where confirmed_at is null;

create trigger corrections_page_changed after insert or update or delete or truncate
    on corrections for each statement execute function page_changed();
