-- Messages (issue 16). A notice is one thing said (a session moved or cancelled, a request
-- decided, ...), stored as a code with its values (`domain::messages::Notice` as JSON) and
-- worded when shown. The inbox (站内消息) holds one line per person it is for, with the read
-- receipt; the outbox one line per push through a channel (SMS, e-mail, a community's group
-- robot), written in the same transaction as the event and delivered by `ssr::outbox`:
-- claimed for a while by one worker (`for update skip locked`, so that several app servers
-- never take the same line), tried again later after a failure, each try recorded.
-- migrations/sqlite/0020_messages.sql is the twin.
create table notices (
    id bigint generated always as identity primary key,
    body text not null,
    mandatory boolean not null,
    session_id bigint references sessions (id) on delete set null,
    created_at bigint not null
);

create table inbox (
    person_id bigint not null references people (id) on delete cascade,
    notice_id bigint not null references notices (id) on delete cascade,
    read_at bigint,
    primary key (person_id, notice_id)
);
create index inbox_notice on inbox (notice_id);
create index inbox_unread on inbox (person_id) where read_at is null;

create table outbox (
    id bigint generated always as identity primary key,
    notice_id bigint not null references notices (id) on delete cascade,
    -- A person's own channel, or a community's group robot.
    person_id bigint references people (id) on delete cascade,
    community_id bigint references communities (id) on delete cascade,
    channel text not null check (channel in ('sms', 'email', 'dingtalk', 'wecom')),
    -- The idempotency key the channel sees: the same on every try.
    key text not null unique,
    state text not null default 'pending' check (state in ('pending', 'sent', 'failed', 'held')),
    attempts bigint not null default 0,
    due_at bigint not null,
    claimed_by text,
    claimed_until bigint,
    sent_at bigint,
    last_error text,
    check ((person_id is null) <> (community_id is null))
);
create index outbox_due on outbox (due_at) where state = 'pending';
create index outbox_person_sent on outbox (person_id, sent_at) where state = 'sent';
create index outbox_notice on outbox (notice_id);

create table outbox_attempts (
    id bigint generated always as identity primary key,
    outbox_id bigint not null references outbox (id) on delete cascade,
    at bigint not null,
    worker text not null,
    ok boolean not null,
    detail text not null
);
create index outbox_attempts_outbox on outbox_attempts (outbox_id);

-- A person's message settings: no row is the defaults (pushes on, no e-mail address).
create table message_prefs (
    person_id bigint primary key references people (id) on delete cascade,
    opt_out boolean not null default false,
    email text not null default ''
);

-- Reminders sent about a session, each once: the key refuses a second, also from another
-- app server at the same moment.
create table session_reminders (
    session_id bigint not null references sessions (id) on delete cascade,
    kind text not null check (kind in ('tomorrow', 'not_checked_in')),
    notice_id bigint references notices (id) on delete set null,
    sent_at bigint not null,
    primary key (session_id, kind)
);

-- Sessions whose organiser asked that those not checked in a quarter of an hour after the
-- start be reminded (off unless asked, session by session).
create table late_reminders (
    session_id bigint primary key references sessions (id) on delete cascade,
    asked_by bigint references people (id) on delete set null,
    asked_at bigint not null
);

-- Announcements (通知公告): to the cadres of a subdistrict (or the district), everyone or
-- chosen tiers and communities; the inbox lines of its notice are the read receipts.
create table announcements (
    id bigint generated always as identity primary key,
    title text not null,
    body_md text not null,
    subdistrict_id bigint references subdistricts (id) on delete cascade,
    audience text not null check (audience in ('everyone', 'chosen')),
    pinned boolean not null default false,
    expires_at bigint,
    notice_id bigint references notices (id) on delete set null,
    posted_by bigint references people (id) on delete set null,
    posted_at bigint not null,
    reminded_at bigint,
    reminder_notice_id bigint references notices (id) on delete set null
);
create index announcements_posted on announcements (posted_at);
create table announcement_audience (
    announcement_id bigint not null references announcements (id) on delete cascade,
    kind text not null check (kind in ('tier', 'community')),
    ref_id bigint not null,
    primary key (announcement_id, kind, ref_id)
);

create trigger inbox_page_changed after insert or update or delete or truncate on inbox
    for each statement execute function page_changed();
create trigger message_prefs_page_changed after insert or update or delete or truncate on message_prefs
    for each statement execute function page_changed();
create trigger late_reminders_page_changed after insert or update or delete or truncate on late_reminders
    for each statement execute function page_changed();
create trigger announcements_page_changed after insert or update or delete or truncate on announcements
    for each statement execute function page_changed();
