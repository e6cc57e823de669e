-- Materials and review: a session's Markdown material with every saved version, its
-- attachments (content-addressed, in the database so every app server sees them), who read
-- it, cadres' reflections with comments, and a trigram search index.
-- migrations/postgres/0005_materials.sql is the twin.

-- The current material of a session. body_html is the sanitised rendering, body_text the
-- plain text that search looks in.
create table materials (
    session_id integer primary key references sessions (id) on delete cascade,
    body_md text not null,
    body_html text not null,
    body_text text not null,
    publication text not null default 'draft'
        check (publication in ('draft', 'published', 'after_session')),
    version bigint not null,
    updated_by integer references people (id),
    updated_at bigint not null,
    created_at bigint not null
);

-- Every save, the current one included; restoring saves an old text as a new version.
create table material_versions (
    id integer primary key,
    session_id integer not null references sessions (id) on delete cascade,
    version bigint not null,
    body_md text not null,
    publication text not null,
    saved_by integer references people (id),
    saved_at bigint not null,
    restored_from bigint,
    unique (session_id, version)
);

-- File contents by SHA-256: the same file attached twice is stored once.
create table blobs (
    sha256 text primary key,
    bytes blob not null,
    size bigint not null,
    created_at bigint not null
);

create table attachments (
    id integer primary key,
    session_id integer not null references sessions (id) on delete cascade,
    name text not null,
    content_type text not null,
    size bigint not null,
    sha256 text not null references blobs (sha256),
    uploaded_by integer references people (id),
    created_at bigint not null
);
create index attachments_session on attachments (session_id, id);
create index attachments_sha256 on attachments (sha256);

-- "Mark as read" (已读): once per cadre and session.
create table material_reads (
    session_id integer not null references sessions (id) on delete cascade,
    person_id integer not null references people (id),
    read_at bigint not null,
    primary key (session_id, person_id)
);

-- 心得体会: one per cadre and session, tagged with the three outlooks ('thinking', 'work',
-- 'ability', comma-separated). accepted_at is set when an organiser accepts it as make-up.
create table reflections (
    id integer primary key,
    session_id integer not null references sessions (id) on delete cascade,
    person_id integer not null references people (id),
    body text not null,
    outlooks text not null,
    accepted_at bigint,
    created_at bigint not null,
    updated_at bigint not null,
    unique (session_id, person_id)
);
create index reflections_person on reflections (person_id);

create table reflection_comments (
    id integer primary key,
    reflection_id integer not null references reflections (id) on delete cascade,
    author_person_id integer not null references people (id),
    body text not null,
    created_at bigint not null
);
create index reflection_comments_reflection on reflection_comments (reflection_id, id);

-- A reflection's earlier texts: rewriting one keeps what it said before.
create table reflection_versions (
    id integer primary key,
    reflection_id integer not null references reflections (id) on delete cascade,
    body text not null,
    outlooks text not null,
    saved_at bigint not null
);
create index reflection_versions_reflection on reflection_versions (reflection_id, id);

-- Search: one FTS5 table with the trigram tokenizer (substring matches, so Chinese needs no
-- word segmentation). rowid = id * 4 + kind, kind 0 = session (title, description),
-- 1 = material (plain text), 2 = reflection. Triggers keep it in step with the tables.
create virtual table search_index using fts5(
    title, body, session_id unindexed, tokenize = 'trigram'
);

insert into search_index (rowid, title, body, session_id)
    select id * 4, title, description_md, id from sessions;

create trigger sessions_search_insert after insert on sessions begin
    insert into search_index (rowid, title, body, session_id)
        values (new.id * 4, new.title, new.description_md, new.id);
end;
create trigger sessions_search_update after update of title, description_md on sessions begin
    delete from search_index where rowid = old.id * 4;
    insert into search_index (rowid, title, body, session_id)
        values (new.id * 4, new.title, new.description_md, new.id);
end;
create trigger sessions_search_delete after delete on sessions begin
    delete from search_index where rowid = old.id * 4;
end;

create trigger materials_search_insert after insert on materials begin
    insert into search_index (rowid, title, body, session_id)
        values (new.session_id * 4 + 1, '', new.body_text, new.session_id);
end;
create trigger materials_search_update after update of body_text on materials begin
    delete from search_index where rowid = old.session_id * 4 + 1;
    insert into search_index (rowid, title, body, session_id)
        values (new.session_id * 4 + 1, '', new.body_text, new.session_id);
end;
create trigger materials_search_delete after delete on materials begin
    delete from search_index where rowid = old.session_id * 4 + 1;
end;

create trigger reflections_search_insert after insert on reflections begin
    insert into search_index (rowid, title, body, session_id)
        values (new.id * 4 + 2, '', new.body, new.session_id);
end;
create trigger reflections_search_update after update of body on reflections begin
    delete from search_index where rowid = old.id * 4 + 2;
    insert into search_index (rowid, title, body, session_id)
        values (new.id * 4 + 2, '', new.body, new.session_id);
end;
create trigger reflections_search_delete after delete on reflections begin
    delete from search_index where rowid = old.id * 4 + 2;
end;
