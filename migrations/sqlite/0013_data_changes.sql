-- A counter that moves with every write to what a cadre's standing is built from (people,
-- communities, tiers and their plans, sessions, attendance, reflections, settings), so that
-- each app server can keep the year's standings in memory and know, by one read, when they
-- are stale: also across several app servers on one database. Restores move it too.
-- migrations/postgres/0013_data_changes.sql is the twin.
create table data_changes (
    id integer primary key check (id = 1),
    n bigint not null
);
insert into data_changes (id, n) values (1, 0);
create trigger people_changed_insert after insert on people begin update data_changes set n = n + 1 where id = 1; end;
create trigger people_changed_update after update on people begin update data_changes set n = n + 1 where id = 1; end;
create trigger people_changed_delete after delete on people begin update data_changes set n = n + 1 where id = 1; end;
create trigger communities_changed_insert after insert on communities begin update data_changes set n = n + 1 where id = 1; end;
create trigger communities_changed_update after update on communities begin update data_changes set n = n + 1 where id = 1; end;
create trigger communities_changed_delete after delete on communities begin update data_changes set n = n + 1 where id = 1; end;
create trigger tiers_changed_insert after insert on tiers begin update data_changes set n = n + 1 where id = 1; end;
create trigger tiers_changed_update after update on tiers begin update data_changes set n = n + 1 where id = 1; end;
create trigger tiers_changed_delete after delete on tiers begin update data_changes set n = n + 1 where id = 1; end;
create trigger tier_required_themes_changed_insert after insert on tier_required_themes begin update data_changes set n = n + 1 where id = 1; end;
create trigger tier_required_themes_changed_update after update on tier_required_themes begin update data_changes set n = n + 1 where id = 1; end;
create trigger tier_required_themes_changed_delete after delete on tier_required_themes begin update data_changes set n = n + 1 where id = 1; end;
create trigger tier_history_changed_insert after insert on tier_history begin update data_changes set n = n + 1 where id = 1; end;
create trigger tier_history_changed_update after update on tier_history begin update data_changes set n = n + 1 where id = 1; end;
create trigger tier_history_changed_delete after delete on tier_history begin update data_changes set n = n + 1 where id = 1; end;
create trigger sessions_changed_insert after insert on sessions begin update data_changes set n = n + 1 where id = 1; end;
create trigger sessions_changed_update after update on sessions begin update data_changes set n = n + 1 where id = 1; end;
create trigger sessions_changed_delete after delete on sessions begin update data_changes set n = n + 1 where id = 1; end;
create trigger session_audience_changed_insert after insert on session_audience begin update data_changes set n = n + 1 where id = 1; end;
create trigger session_audience_changed_update after update on session_audience begin update data_changes set n = n + 1 where id = 1; end;
create trigger session_audience_changed_delete after delete on session_audience begin update data_changes set n = n + 1 where id = 1; end;
create trigger session_lecturers_changed_insert after insert on session_lecturers begin update data_changes set n = n + 1 where id = 1; end;
create trigger session_lecturers_changed_update after update on session_lecturers begin update data_changes set n = n + 1 where id = 1; end;
create trigger session_lecturers_changed_delete after delete on session_lecturers begin update data_changes set n = n + 1 where id = 1; end;
create trigger attendance_changed_insert after insert on attendance begin update data_changes set n = n + 1 where id = 1; end;
create trigger attendance_changed_update after update on attendance begin update data_changes set n = n + 1 where id = 1; end;
create trigger attendance_changed_delete after delete on attendance begin update data_changes set n = n + 1 where id = 1; end;
create trigger reflections_changed_insert after insert on reflections begin update data_changes set n = n + 1 where id = 1; end;
create trigger reflections_changed_update after update on reflections begin update data_changes set n = n + 1 where id = 1; end;
create trigger reflections_changed_delete after delete on reflections begin update data_changes set n = n + 1 where id = 1; end;
create trigger settings_changed_insert after insert on settings begin update data_changes set n = n + 1 where id = 1; end;
create trigger settings_changed_update after update on settings begin update data_changes set n = n + 1 where id = 1; end;
create trigger settings_changed_delete after delete on settings begin update data_changes set n = n + 1 where id = 1; end;
create trigger subdistrict_settings_changed_insert after insert on subdistrict_settings begin update data_changes set n = n + 1 where id = 1; end;
create trigger subdistrict_settings_changed_update after update on subdistrict_settings begin update data_changes set n = n + 1 where id = 1; end;
create trigger subdistrict_settings_changed_delete after delete on subdistrict_settings begin update data_changes set n = n + 1 where id = 1; end;
create trigger subdistrict_tier_plans_changed_insert after insert on subdistrict_tier_plans begin update data_changes set n = n + 1 where id = 1; end;
create trigger subdistrict_tier_plans_changed_update after update on subdistrict_tier_plans begin update data_changes set n = n + 1 where id = 1; end;
create trigger subdistrict_tier_plans_changed_delete after delete on subdistrict_tier_plans begin update data_changes set n = n + 1 where id = 1; end;
create trigger subdistrict_tier_themes_changed_insert after insert on subdistrict_tier_themes begin update data_changes set n = n + 1 where id = 1; end;
create trigger subdistrict_tier_themes_changed_update after update on subdistrict_tier_themes begin update data_changes set n = n + 1 where id = 1; end;
create trigger subdistrict_tier_themes_changed_delete after delete on subdistrict_tier_themes begin update data_changes set n = n + 1 where id = 1; end;
