-- Warnings raised about a cadre (three sessions missed in a row, under the tier's attendance
-- minimum), each told once: a row is open while the condition lasts, and the notice that
-- tells the cadre and their community's organiser is written with it. Once the condition
-- ends (the cadre came again), the row is closed, and a later fall is a new warning.
-- migrations/sqlite/0021_warnings_suggestions.sql is the twin.
create table warnings (
    id bigint generated always as identity primary key,
    person_id bigint not null references people (id) on delete cascade,
    kind text not null check (kind in ('three_missed', 'under_minimum')),
    -- What the warning said (the dates missed; the rate and the minimum), as JSON.
    detail text not null,
    raised_at bigint not null,
    cleared_at bigint
);
-- One open warning of each kind per person, also with two servers raising at once.
create unique index warnings_open on warnings (person_id, kind) where cleared_at is null;

-- 投诉建议: what any signed-in user writes to the organisers, with their answer. The writer
-- is kept (the answer reaches them in the inbox) but never shown when they chose to be
-- anonymous; the place is the writer's when they wrote, so that the organisers of that place
-- see it.
create table suggestions (
    id bigint generated always as identity primary key,
    author_id bigint not null references people (id) on delete cascade,
    anonymous boolean not null default false,
    kind text not null check (kind in ('suggestion', 'complaint')),
    title text not null,
    body text not null,
    subdistrict_id bigint references subdistricts (id) on delete set null,
    community_id bigint references communities (id) on delete set null,
    created_at bigint not null,
    answer text not null default '',
    answered_by bigint references people (id) on delete set null,
    answered_at bigint,
    closed_at bigint,
    closed_by bigint references people (id) on delete set null
);
create index suggestions_author on suggestions (author_id, created_at);
create index suggestions_place on suggestions (subdistrict_id, created_at);

create trigger suggestions_page_changed after insert or update or delete or truncate on suggestions
    for each statement execute function page_changed();

-- Announcements may also name people (the planner's people picker), whatever their tier.
alter table announcement_audience drop constraint announcement_audience_kind_check;
alter table announcement_audience add constraint announcement_audience_kind_check
    check (kind in ('tier', 'community', 'person'));
