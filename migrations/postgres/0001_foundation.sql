-- Foundation: communities, tiers, people, accounts and roles, login sessions, themes,
-- sessions and attendance.
-- Instants are Unix seconds (UTC) in both backends so that one SQL text serves both; the
-- app shows them in Asia/Shanghai. migrations/sqlite/0001_foundation.sql is the twin.

create table communities (
    id bigint generated always as identity primary key,
    name text not null,
    created_at bigint not null
);
create unique index communities_name_key on communities (lower(name));

-- Tier names, order and target head-counts are data an organiser edits (the "535" of the
-- programme's name is not spelled out anywhere, so nothing reads meaning into it).
create table tiers (
    id bigint generated always as identity primary key,
    name_zh text not null,
    name_en text not null,
    rank bigint not null,
    target_count bigint not null default 0 check (target_count >= 0),
    description text not null default '',
    created_at bigint not null
);
create unique index tiers_name_zh_key on tiers (lower(name_zh));

-- Everyone the school knows: cadres (with a tier), lecturers and organisers.
create table people (
    id bigint generated always as identity primary key,
    name text not null,
    community_id bigint references communities (id),
    tier_id bigint references tiers (id),
    position text,
    phone text not null default '',
    created_at bigint not null
);
create index people_community on people (community_id);
create index people_tier on people (tier_id);

create table accounts (
    id bigint generated always as identity primary key,
    username text not null,
    person_id bigint not null references people (id),
    password_hash text not null,
    disabled boolean not null default false,
    created_at bigint not null
);
create unique index accounts_username_key on accounts (lower(username));

create table account_roles (
    account_id bigint not null references accounts (id) on delete cascade,
    role text not null check (role in ('cadre', 'lecturer', 'organiser', 'admin')),
    primary key (account_id, role)
);

-- Login sessions live in the database so that several app servers share them. Only a
-- SHA-256 of the cookie's token is stored: a leaked backup cannot be replayed.
create table auth_sessions (
    token_hash text primary key,
    account_id bigint not null references accounts (id) on delete cascade,
    created_at bigint not null,
    last_seen_at bigint not null,
    idle_secs bigint not null,
    expires_at bigint not null
);
create index auth_sessions_account on auth_sessions (account_id);

create table login_failures (
    id bigint generated always as identity primary key,
    account_id bigint not null references accounts (id) on delete cascade,
    at bigint not null
);
create index login_failures_account_at on login_failures (account_id, at);

create table themes (
    id bigint generated always as identity primary key,
    name_zh text not null,
    name_en text not null,
    created_at bigint not null
);
create unique index themes_name_zh_key on themes (lower(name_zh));

create table sessions (
    id bigint generated always as identity primary key,
    series text not null,
    title text not null,
    theme_id bigint not null references themes (id),
    format text not null check (format in ('lecture', 'self_study', 'scenario', 'forum')),
    starts_at bigint not null,
    ends_at bigint not null,
    place text not null default '',
    description_md text not null default '',
    cancelled boolean not null default false,
    created_at bigint not null,
    check (ends_at > starts_at)
);
create index sessions_starts_at on sessions (starts_at);

create table session_lecturers (
    session_id bigint not null references sessions (id) on delete cascade,
    person_id bigint not null references people (id),
    position bigint not null default 0,
    primary key (session_id, person_id)
);
create index session_lecturers_person on session_lecturers (person_id);

-- One row per cadre and session: a repeated check-in updates, never duplicates.
create table attendance (
    session_id bigint not null references sessions (id) on delete cascade,
    person_id bigint not null references people (id),
    status text not null check (status in ('present', 'late', 'excused', 'absent', 'made_up')),
    checked_in_at bigint,
    created_at bigint not null,
    primary key (session_id, person_id)
);
create index attendance_person on attendance (person_id);
