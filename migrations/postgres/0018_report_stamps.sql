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
--
-- Statement triggers over transition tables: one upsert per statement, none for a
-- statement that changed no row. Their names sort after the `*_changed` triggers of
-- migration 0013, so a transaction always locks the `data_changes` row before a stamp's
-- row, and two transactions never wait on each other's stamps in opposite orders.
-- migrations/sqlite/0018_report_stamps.sql is the twin.
create table session_changes (
    session_id bigint not null,
    community_id bigint not null,
    n bigint not null,
    primary key (session_id, community_id)
);
create table community_changes (
    community_id bigint primary key,
    n bigint not null
);

-- Pairs of (session, community) given as two arrays of the same length.
create function stamp_sessions(sessions bigint[], communities bigint[]) returns void
language sql as $$
    insert into session_changes (session_id, community_id, n)
    select distinct s, c, 1 from unnest(sessions, communities) as u (s, c)
    on conflict (session_id, community_id) do update set n = session_changes.n + 1;
$$;
-- The sessions themselves (community -1).
create function stamp_whole(sessions bigint[]) returns void language sql as $$
    select stamp_sessions(sessions, array_fill(-1::bigint, array[cardinality(sessions)]));
$$;
create function stamp_communities(ids bigint[]) returns void language sql as $$
    insert into community_changes (community_id, n)
    select distinct id, 1 from unnest(ids) as id
    on conflict (community_id) do update set n = community_changes.n + 1;
$$;

create function attendance_stamped() returns trigger language plpgsql as $$
declare
    v_sessions bigint[];
    v_communities bigint[];
begin
    if tg_op = 'INSERT' then
        select array_agg(n.session_id), array_agg(coalesce(p.community_id, 0))
        into v_sessions, v_communities
        from new_rows n left join people p on p.id = n.person_id;
    elsif tg_op = 'DELETE' then
        select array_agg(o.session_id), array_agg(coalesce(p.community_id, 0))
        into v_sessions, v_communities
        from old_rows o left join people p on p.id = o.person_id;
    else
        select array_agg(c.session_id), array_agg(coalesce(p.community_id, 0))
        into v_sessions, v_communities
        from (
            select o.session_id, o.person_id from old_rows o join new_rows n
                on n.session_id = o.session_id and n.person_id = o.person_id
            where n.status is distinct from o.status or n.walk_in is distinct from o.walk_in
            union all
            select n.session_id, n.person_id from new_rows n where not exists (select 1
                from old_rows o where o.session_id = n.session_id and o.person_id = n.person_id)
            union all
            select o.session_id, o.person_id from old_rows o where not exists (select 1
                from new_rows n where o.session_id = n.session_id and o.person_id = n.person_id)
        ) c left join people p on p.id = c.person_id;
    end if;
    if v_sessions is not null then
        perform stamp_sessions(v_sessions, v_communities);
    end if;
    return null;
end $$;
create trigger attendance_stamped_insert after insert on attendance
referencing new table as new_rows for each statement execute function attendance_stamped();
create trigger attendance_stamped_update after update on attendance
referencing old table as old_rows new table as new_rows
for each statement execute function attendance_stamped();
create trigger attendance_stamped_delete after delete on attendance
referencing old table as old_rows for each statement execute function attendance_stamped();

create function sessions_stamped() returns trigger language plpgsql as $$
begin
    perform stamp_whole(array(select id from new_rows));
    return null;
end $$;
create trigger sessions_stamped_update after update on sessions
referencing new table as new_rows for each statement execute function sessions_stamped();

create function session_audience_stamped() returns trigger language plpgsql as $$
begin
    if tg_op = 'INSERT' then
        perform stamp_whole(array(select session_id from new_rows));
    elsif tg_op = 'DELETE' then
        perform stamp_whole(array(select session_id from old_rows));
    else
        perform stamp_whole(array(select session_id from old_rows
            union all select session_id from new_rows));
    end if;
    return null;
end $$;
create trigger session_audience_stamped_insert after insert on session_audience
referencing new table as new_rows for each statement execute function session_audience_stamped();
create trigger session_audience_stamped_update after update on session_audience
referencing old table as old_rows new table as new_rows
for each statement execute function session_audience_stamped();
create trigger session_audience_stamped_delete after delete on session_audience
referencing old table as old_rows for each statement execute function session_audience_stamped();

create function people_stamped() returns trigger language plpgsql as $$
begin
    if tg_op = 'INSERT' then
        perform stamp_communities(array(select coalesce(community_id, 0) from new_rows));
    elsif tg_op = 'DELETE' then
        perform stamp_communities(array(select coalesce(community_id, 0) from old_rows));
    else
        perform stamp_communities(array(
            select coalesce(c, 0) from old_rows o join new_rows n on n.id = o.id,
                lateral (values (o.community_id), (n.community_id)) as v (c)
            where n.tier_id is distinct from o.tier_id
                or n.community_id is distinct from o.community_id
            union all
            select coalesce(community_id, 0) from new_rows n
            where not exists (select 1 from old_rows o where o.id = n.id)
            union all
            select coalesce(community_id, 0) from old_rows o
            where not exists (select 1 from new_rows n where o.id = n.id)));
    end if;
    return null;
end $$;
create trigger people_stamped_insert after insert on people
referencing new table as new_rows for each statement execute function people_stamped();
create trigger people_stamped_update after update on people
referencing old table as old_rows new table as new_rows
for each statement execute function people_stamped();
create trigger people_stamped_delete after delete on people
referencing old table as old_rows for each statement execute function people_stamped();

create function communities_stamped() returns trigger language plpgsql as $$
begin
    perform stamp_communities(array(select id from old_rows union all select id from new_rows));
    return null;
end $$;
create trigger communities_stamped_update after update on communities
referencing old table as old_rows new table as new_rows
for each statement execute function communities_stamped();
