-- A counter that moves with every write to what a cadre's standing is built from (people,
-- communities, tiers and their plans, sessions, attendance, reflections, settings), so that
-- each app server can keep the year's standings in memory and know, by one read, when they
-- are stale: also across several app servers on one database. Restores move it too.
-- migrations/sqlite/0013_data_changes.sql is the twin.
create table data_changes (
    id integer primary key check (id = 1),
    n bigint not null
);
insert into data_changes (id, n) values (1, 0);

create function data_changed() returns trigger language plpgsql as $$
begin
    update data_changes set n = n + 1 where id = 1;
    return null;
end $$;

create trigger people_changed after insert or update or delete or truncate on people
for each statement execute function data_changed();
create trigger communities_changed after insert or update or delete or truncate on communities
for each statement execute function data_changed();
create trigger tiers_changed after insert or update or delete or truncate on tiers
for each statement execute function data_changed();
create trigger tier_required_themes_changed after insert or update or delete or truncate on tier_required_themes
for each statement execute function data_changed();
create trigger tier_history_changed after insert or update or delete or truncate on tier_history
for each statement execute function data_changed();
create trigger sessions_changed after insert or update or delete or truncate on sessions
for each statement execute function data_changed();
create trigger session_audience_changed after insert or update or delete or truncate on session_audience
for each statement execute function data_changed();
create trigger session_lecturers_changed after insert or update or delete or truncate on session_lecturers
for each statement execute function data_changed();
create trigger attendance_changed after insert or update or delete or truncate on attendance
for each statement execute function data_changed();
create trigger reflections_changed after insert or update or delete or truncate on reflections
for each statement execute function data_changed();
create trigger settings_changed after insert or update or delete or truncate on settings
for each statement execute function data_changed();
create trigger subdistrict_settings_changed after insert or update or delete or truncate on subdistrict_settings
for each statement execute function data_changed();
create trigger subdistrict_tier_plans_changed after insert or update or delete or truncate on subdistrict_tier_plans
for each statement execute function data_changed();
create trigger subdistrict_tier_themes_changed after insert or update or delete or truncate on subdistrict_tier_themes
for each statement execute function data_changed();
