-- Materials and review: a session's Markdown material with every saved version, its
-- attachments (content-addressed, in the database so every app server sees them), who read
-- it, cadres' reflections with comments, and a trigram search index.
-- migrations/sqlite/0005_materials.sql is the twin.

-- The current material of a session. body_html is the sanitised rendering, body_text the
-- plain text that search looks in.
create table materials (
    session_id bigint primary key references sessions (id) on delete cascade,
    body_md text not null,
    body_html text not null,
    body_text text not null,
    publication text not null default 'draft'
        check (publication in ('draft', 'published', 'after_session')),
    version bigint not null,
    updated_by bigint references people (id),
    updated_at bigint not null,
    created_at bigint not null
);

-- Every save, the current one included; restoring saves an old text as a new version.
create table material_versions (
    id bigint generated always as identity primary key,
    session_id bigint not null references sessions (id) on delete cascade,
    version bigint not null,
    body_md text not null,
    publication text not null,
    saved_by bigint references people (id),
    saved_at bigint not null,
    restored_from bigint,
    unique (session_id, version)
);

-- File contents by SHA-256: the same file attached twice is stored once.
create table blobs (
    sha256 text primary key,
    bytes bytea not null,
    size bigint not null,
    created_at bigint not null
);

create table attachments (
    id bigint generated always as identity primary key,
    session_id bigint not null references sessions (id) on delete cascade,
    name text not null,
    content_type text not null,
    size bigint not null,
    sha256 text not null references blobs (sha256),
    uploaded_by bigint references people (id),
    created_at bigint not null
);
create index attachments_session on attachments (session_id, id);
create index attachments_sha256 on attachments (sha256);

-- "Mark as read" (已读): once per cadre and session.
create table material_reads (
    session_id bigint not null references sessions (id) on delete cascade,
    person_id bigint not null references people (id),
    read_at bigint not null,
    primary key (session_id, person_id)
);

-- 心得体会: one per cadre and session, tagged with the three outlooks ('thinking', 'work',
-- 'ability', comma-separated). accepted_at is set when an organiser accepts it as make-up.
create table reflections (
    id bigint generated always as identity primary key,
    session_id bigint not null references sessions (id) on delete cascade,
    person_id bigint not null references people (id),
    body text not null,
    outlooks text not null,
    accepted_at bigint,
    created_at bigint not null,
    updated_at bigint not null,
    unique (session_id, person_id)
);
create index reflections_person on reflections (person_id);

create table reflection_comments (
    id bigint generated always as identity primary key,
    reflection_id bigint not null references reflections (id) on delete cascade,
    author_person_id bigint not null references people (id),
    body text not null,
    created_at bigint not null
);
create index reflection_comments_reflection on reflection_comments (reflection_id, id);

-- A reflection's earlier texts: rewriting one keeps what it said before.
create table reflection_versions (
    id bigint generated always as identity primary key,
    reflection_id bigint not null references reflections (id) on delete cascade,
    body text not null,
    outlooks text not null,
    saved_at bigint not null
);
create index reflection_versions_reflection on reflection_versions (reflection_id, id);

-- Search: trigram indexes (pg_trgm) let `ilike '%term%'` find Chinese substrings without
-- word segmentation; the query unions the three sources.
create extension if not exists pg_trgm;
create index sessions_title_trgm on sessions using gin (title gin_trgm_ops);
create index sessions_description_trgm on sessions using gin (description_md gin_trgm_ops);
create index materials_text_trgm on materials using gin (body_text gin_trgm_ops);
create index reflections_body_trgm on reflections using gin (body gin_trgm_ops);
