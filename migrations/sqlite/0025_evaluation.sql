-- 课程评估: the indicators organisers edit, the anonymous answers, who answered (kept apart
-- from what, so the two cannot be joined), and the wishes ("what I want to learn next"),
-- which an organiser may tie to a new session; those who wished are then told.
-- migrations/postgres/0025_evaluation.sql is the twin.
create table evaluation_indicators (
    id integer primary key,
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
    id integer primary key,
    session_id integer not null references sessions (id) on delete cascade,
    day text not null
);
create index evaluations_session on evaluations (session_id);
create table evaluation_scores (
    evaluation_id integer not null references evaluations (id) on delete cascade,
    indicator_id integer not null references evaluation_indicators (id),
    score bigint not null check (score between 1 and 4),
    primary key (evaluation_id, indicator_id)
);
-- Who answered, to refuse a second card: no link to the card, no time, no row order.
create table evaluation_receipts (
    session_id integer not null references sessions (id) on delete cascade,
    person_id integer not null references people (id) on delete cascade,
    primary key (session_id, person_id)
) without rowid;

-- A wish keeps its writer only to tell them when a session answers it; pages never show it.
create table wishes (
    id integer primary key,
    session_id integer not null references sessions (id) on delete cascade,
    person_id integer references people (id) on delete set null,
    body text not null,
    answered_by_session integer references sessions (id) on delete set null,
    created_at bigint not null
);
create index wishes_open on wishes (answered_by_session, created_at);

create trigger evaluations_page_insert after insert on evaluations begin update page_changes set n = n + 1 where id = 1; end;
create trigger wishes_page_insert after insert on wishes begin update page_changes set n = n + 1 where id = 1; end;
create trigger wishes_page_update after update on wishes begin update page_changes set n = n + 1 where id = 1; end;
create trigger evaluation_indicators_page_insert after insert on evaluation_indicators begin update page_changes set n = n + 1 where id = 1; end;
create trigger evaluation_indicators_page_update after update on evaluation_indicators begin update page_changes set n = n + 1 where id = 1; end;
