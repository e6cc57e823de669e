-- 课程评估: the indicators organisers edit, the anonymous answers, who answered (kept apart
-- from what, so the two cannot be joined), and the wishes ("what I want to learn next"),
-- which an organiser may tie to a new session; those who wished are then told.
-- migrations/sqlite/0025_evaluation.sql is the twin.
create table evaluation_indicators (
    id bigint generated always as identity primary key,
    name_zh text not null,
    name_en text not null,
    position bigint not null default 0,
    retired boolean not null default false,
    updated_at bigint not null
);
insert into evaluation_indicators (name_zh, name_en, position, updated_at) values
    ('内容针对性', 'Relevance', 1, 0),
    ('内容充实', 'Content', 2, 0),
    ('方法得当', 'Method', 3, 0),
    ('讲授效果', 'Delivery', 4, 0);

-- One row per card, with no person and only the day it came in.
create table evaluations (
    id bigint generated always as identity primary key,
    session_id bigint not null references sessions (id) on delete cascade,
    day text not null
);
create index evaluations_session on evaluations (session_id);
create table evaluation_scores (
    evaluation_id bigint not null references evaluations (id) on delete cascade,
    indicator_id bigint not null references evaluation_indicators (id),
    score bigint not null check (score between 1 and 4),
    primary key (evaluation_id, indicator_id)
);
-- Who answered, to refuse a second card: no link to the card and no time.
create table evaluation_receipts (
    session_id bigint not null references sessions (id) on delete cascade,
    person_id bigint not null references people (id) on delete cascade,
    primary key (session_id, person_id)
);

-- A wish keeps its writer only to tell them when a session answers it; pages never show it.
create table wishes (
    id bigint generated always as identity primary key,
    session_id bigint not null references sessions (id) on delete cascade,
    person_id bigint references people (id) on delete set null,
    body text not null,
    answered_by_session bigint references sessions (id) on delete set null,
    created_at bigint not null
);
create index wishes_open on wishes (answered_by_session, created_at);

create trigger evaluations_page_changed after insert or update or delete or truncate
    on evaluations for each statement execute function page_changed();
create trigger wishes_page_changed after insert or update or delete or truncate
    on wishes for each statement execute function page_changed();
create trigger evaluation_indicators_page_changed after insert or update or delete or truncate
    on evaluation_indicators for each statement execute function page_changed();
