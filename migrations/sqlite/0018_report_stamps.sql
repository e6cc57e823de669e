-- Change stamps, so that an app server can keep each finished session's head-counts per
-- community (the reports page) and count again only what a write touched:
-- - per session and community, moved by the attendance of that community's people at that
--   session (community 0: people with no community); community -1 is the session itself,
--   moved by its fields and its audience;
-- - per community, moved by the people who join, leave or change tier in it, and by the
--   community itself.
-- A report reads the stamps of the sessions and communities it shows and recounts only the
-- sessions, or a session's communities, whose stamps moved, instead of every session's
-- whole audience after every check-in anywhere in the district. Restores move every
-- session's own stamp on (the rows are not data; see backup::moved_on).
-- migrations/postgres/0018_report_stamps.sql is the twin.
create table session_changes (
    session_id integer not null,
    community_id integer not null,
    n bigint not null,
    primary key (session_id, community_id)
);
create table community_changes (
    community_id integer primary key,
    n bigint not null
);

create trigger attendance_stamp_insert after insert on attendance begin
    insert into session_changes (session_id, community_id, n)
    values (new.session_id, coalesce((select community_id from people where id = new.person_id), 0), 1)
    on conflict (session_id, community_id) do update set n = session_changes.n + 1;
end;
create trigger attendance_stamp_update after update of session_id, person_id, status, walk_in
on attendance begin
    insert into session_changes (session_id, community_id, n)
    values (old.session_id, coalesce((select community_id from people where id = old.person_id), 0), 1)
    on conflict (session_id, community_id) do update set n = session_changes.n + 1;
    insert into session_changes (session_id, community_id, n)
    values (new.session_id, coalesce((select community_id from people where id = new.person_id), 0), 1)
    on conflict (session_id, community_id) do update set n = session_changes.n + 1;
end;
create trigger attendance_stamp_delete after delete on attendance begin
    insert into session_changes (session_id, community_id, n)
    values (old.session_id, coalesce((select community_id from people where id = old.person_id), 0), 1)
    on conflict (session_id, community_id) do update set n = session_changes.n + 1;
end;
create trigger sessions_stamp_update after update on sessions begin
    insert into session_changes (session_id, community_id, n) values (new.id, -1, 1)
    on conflict (session_id, community_id) do update set n = session_changes.n + 1;
end;
create trigger session_audience_stamp_insert after insert on session_audience begin
    insert into session_changes (session_id, community_id, n) values (new.session_id, -1, 1)
    on conflict (session_id, community_id) do update set n = session_changes.n + 1;
end;
create trigger session_audience_stamp_update after update on session_audience begin
    insert into session_changes (session_id, community_id, n) values (old.session_id, -1, 1)
    on conflict (session_id, community_id) do update set n = session_changes.n + 1;
    insert into session_changes (session_id, community_id, n) values (new.session_id, -1, 1)
    on conflict (session_id, community_id) do update set n = session_changes.n + 1;
end;
create trigger session_audience_stamp_delete after delete on session_audience begin
    insert into session_changes (session_id, community_id, n) values (old.session_id, -1, 1)
    on conflict (session_id, community_id) do update set n = session_changes.n + 1;
end;

create trigger people_stamp_insert after insert on people begin
    insert into community_changes (community_id, n) values (coalesce(new.community_id, 0), 1)
    on conflict (community_id) do update set n = community_changes.n + 1;
end;
create trigger people_stamp_update after update of id, tier_id, community_id on people
when old.id <> new.id or old.tier_id is not new.tier_id
    or old.community_id is not new.community_id begin
    insert into community_changes (community_id, n) values (coalesce(old.community_id, 0), 1)
    on conflict (community_id) do update set n = community_changes.n + 1;
    insert into community_changes (community_id, n) values (coalesce(new.community_id, 0), 1)
    on conflict (community_id) do update set n = community_changes.n + 1;
end;
create trigger people_stamp_delete after delete on people begin
    insert into community_changes (community_id, n) values (coalesce(old.community_id, 0), 1)
    on conflict (community_id) do update set n = community_changes.n + 1;
end;
create trigger communities_stamp_update after update on communities begin
    insert into community_changes (community_id, n) values (old.id, 1)
    on conflict (community_id) do update set n = community_changes.n + 1;
    insert into community_changes (community_id, n) values (new.id, 1)
    on conflict (community_id) do update set n = community_changes.n + 1;
end;
