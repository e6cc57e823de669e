-- Programme progress: tier requirements, tier history, and tallies of attendance kept by
-- triggers so that the programme dashboard never has to read every attendance row.
-- migrations/postgres/0006_progress.sql is the twin.

-- What a tier asks of each of its cadres in a year; an organiser edits it. Hours in tenths.
alter table tiers add column req_hours bigint not null default 0 check (req_hours >= 0);
alter table tiers add column req_attendance_percent bigint not null default 0
    check (req_attendance_percent between 0 and 100);
alter table tiers add column req_reflections bigint not null default 0 check (req_reflections >= 0);
alter table tiers add column req_teaching bigint not null default 0 check (req_teaching >= 0);
alter table tiers add column updated_at bigint not null default 0;

-- Themes every cadre of the tier must attend at least once a year.
create table tier_required_themes (
    tier_id integer not null references tiers (id) on delete cascade,
    theme_id integer not null references themes (id),
    primary key (tier_id, theme_id)
);

-- A cadre's way through the tiers: joined, promoted, moved (any other change) or left
-- (tier_id null). people.tier_id stays the current tier, written in the same transaction.
create table tier_history (
    id integer primary key,
    person_id integer not null references people (id),
    tier_id integer references tiers (id),
    change text not null check (change in ('joined', 'promoted', 'moved', 'left')),
    effective_at bigint not null,
    note text not null default '',
    actor_person_id integer references people (id),
    created_at bigint not null
);
create index tier_history_person on tier_history (person_id, effective_at, id);

-- Cadres who hold a tier today joined before anything was recorded: effective at 0 (1970),
-- so every session so far was meant for them, as it was before this migration.
insert into tier_history (person_id, tier_id, change, effective_at, note, created_at)
select id, tier_id, 'joined', 0, '', created_at from people where tier_id is not null;

-- An uploaded cadre sheet waiting for an organiser to confirm it: the rows as read (JSON),
-- checked again when confirmed. Kept in the database so every app server sees it.
create table import_batches (
    id integer primary key,
    created_by integer not null references people (id),
    file_name text not null,
    rows_json text not null,
    created_at bigint not null
);

-- Attendance at sessions that were not cancelled, per cadre and year (Asia/Shanghai), with
-- the study hours of those sessions per status; the shares are applied when read, so a
-- changed share needs no rewrite.
create table attendance_tally (
    person_id integer not null references people (id),
    year bigint not null,
    present bigint not null default 0,
    late bigint not null default 0,
    excused bigint not null default 0,
    absent bigint not null default 0,
    made_up bigint not null default 0,
    present_hours bigint not null default 0,
    late_hours bigint not null default 0,
    made_up_hours bigint not null default 0,
    primary key (person_id, year)
);
create index attendance_tally_year on attendance_tally (year);

-- The same for the whole school per month (yyyymm), for the attendance trend.
create table attendance_months (
    month bigint primary key,
    present bigint not null default 0,
    late bigint not null default 0,
    excused bigint not null default 0,
    absent bigint not null default 0,
    made_up bigint not null default 0
);

-- Sessions attended per cadre and month (yyyymm), for the star of the month.
create table person_months (
    person_id integer not null references people (id),
    month bigint not null,
    present bigint not null default 0,
    late bigint not null default 0,
    made_up bigint not null default 0,
    primary key (person_id, month)
);
create index person_months_month on person_months (month);

-- Sessions attended (present, late or made up) per cadre, year and theme.
create table theme_tally (
    person_id integer not null references people (id),
    year bigint not null,
    theme_id integer not null references themes (id),
    attended bigint not null default 0,
    primary key (person_id, year, theme_id)
);
create index theme_tally_year on theme_tally (year, theme_id);

-- Triggers keep the tallies. Upserts from a select need a where clause in SQLite.
create trigger attendance_tally_insert after insert on attendance begin
    insert into attendance_tally (person_id, year, present, late, excused, absent, made_up, present_hours, late_hours, made_up_hours)
    select new.person_id, cast(strftime('%Y%m', s.starts_at + 28800, 'unixepoch') as integer) / 100, (new.status = 'present'), (new.status = 'late'), (new.status = 'excused'), (new.status = 'absent'), (new.status = 'made_up'), case when new.status = 'present' then s.study_hours else 0 end, case when new.status = 'late' then s.study_hours else 0 end, case when new.status = 'made_up' then s.study_hours else 0 end
    from sessions s where s.id = new.session_id and not s.cancelled
    on conflict (person_id, year) do update set present = attendance_tally.present + excluded.present, late = attendance_tally.late + excluded.late, excused = attendance_tally.excused + excluded.excused, absent = attendance_tally.absent + excluded.absent, made_up = attendance_tally.made_up + excluded.made_up, present_hours = attendance_tally.present_hours + excluded.present_hours, late_hours = attendance_tally.late_hours + excluded.late_hours, made_up_hours = attendance_tally.made_up_hours + excluded.made_up_hours;
    insert into attendance_months (month, present, late, excused, absent, made_up)
    select cast(strftime('%Y%m', s.starts_at + 28800, 'unixepoch') as integer), sum((new.status = 'present')), sum((new.status = 'late')), sum((new.status = 'excused')), sum((new.status = 'absent')), sum((new.status = 'made_up'))
    from sessions s where s.id = new.session_id and not s.cancelled group by 1 having count(*) > 0
    on conflict (month) do update set present = attendance_months.present + excluded.present, late = attendance_months.late + excluded.late, excused = attendance_months.excused + excluded.excused, absent = attendance_months.absent + excluded.absent, made_up = attendance_months.made_up + excluded.made_up;
    insert into theme_tally (person_id, year, theme_id, attended)
    select new.person_id, cast(strftime('%Y%m', s.starts_at + 28800, 'unixepoch') as integer) / 100, s.theme_id, 1
    from sessions s where s.id = new.session_id and not s.cancelled and new.status in ('present', 'late', 'made_up')
    on conflict (person_id, year, theme_id) do update set attended = theme_tally.attended + excluded.attended;
    insert into person_months (person_id, month, present, late, made_up)
    select new.person_id, cast(strftime('%Y%m', s.starts_at + 28800, 'unixepoch') as integer), (new.status = 'present'), (new.status = 'late'), (new.status = 'made_up')
    from sessions s where s.id = new.session_id and not s.cancelled and new.status in ('present', 'late', 'made_up')
    on conflict (person_id, month) do update set present = person_months.present + excluded.present, late = person_months.late + excluded.late, made_up = person_months.made_up + excluded.made_up;
end;

create trigger attendance_tally_delete after delete on attendance begin
    insert into attendance_tally (person_id, year, present, late, excused, absent, made_up, present_hours, late_hours, made_up_hours)
    select old.person_id, cast(strftime('%Y%m', s.starts_at + 28800, 'unixepoch') as integer) / 100, -(old.status = 'present'), -(old.status = 'late'), -(old.status = 'excused'), -(old.status = 'absent'), -(old.status = 'made_up'), -case when old.status = 'present' then s.study_hours else 0 end, -case when old.status = 'late' then s.study_hours else 0 end, -case when old.status = 'made_up' then s.study_hours else 0 end
    from sessions s where s.id = old.session_id and not s.cancelled
    on conflict (person_id, year) do update set present = attendance_tally.present + excluded.present, late = attendance_tally.late + excluded.late, excused = attendance_tally.excused + excluded.excused, absent = attendance_tally.absent + excluded.absent, made_up = attendance_tally.made_up + excluded.made_up, present_hours = attendance_tally.present_hours + excluded.present_hours, late_hours = attendance_tally.late_hours + excluded.late_hours, made_up_hours = attendance_tally.made_up_hours + excluded.made_up_hours;
    insert into attendance_months (month, present, late, excused, absent, made_up)
    select cast(strftime('%Y%m', s.starts_at + 28800, 'unixepoch') as integer), -sum((old.status = 'present')), -sum((old.status = 'late')), -sum((old.status = 'excused')), -sum((old.status = 'absent')), -sum((old.status = 'made_up'))
    from sessions s where s.id = old.session_id and not s.cancelled group by 1 having count(*) > 0
    on conflict (month) do update set present = attendance_months.present + excluded.present, late = attendance_months.late + excluded.late, excused = attendance_months.excused + excluded.excused, absent = attendance_months.absent + excluded.absent, made_up = attendance_months.made_up + excluded.made_up;
    insert into theme_tally (person_id, year, theme_id, attended)
    select old.person_id, cast(strftime('%Y%m', s.starts_at + 28800, 'unixepoch') as integer) / 100, s.theme_id, -1
    from sessions s where s.id = old.session_id and not s.cancelled and old.status in ('present', 'late', 'made_up')
    on conflict (person_id, year, theme_id) do update set attended = theme_tally.attended + excluded.attended;
    insert into person_months (person_id, month, present, late, made_up)
    select old.person_id, cast(strftime('%Y%m', s.starts_at + 28800, 'unixepoch') as integer), -(old.status = 'present'), -(old.status = 'late'), -(old.status = 'made_up')
    from sessions s where s.id = old.session_id and not s.cancelled and old.status in ('present', 'late', 'made_up')
    on conflict (person_id, month) do update set present = person_months.present + excluded.present, late = person_months.late + excluded.late, made_up = person_months.made_up + excluded.made_up;
end;

create trigger attendance_tally_update after update of status on attendance
when old.status <> new.status begin
    insert into attendance_tally (person_id, year, present, late, excused, absent, made_up, present_hours, late_hours, made_up_hours)
    select old.person_id, cast(strftime('%Y%m', s.starts_at + 28800, 'unixepoch') as integer) / 100, -(old.status = 'present'), -(old.status = 'late'), -(old.status = 'excused'), -(old.status = 'absent'), -(old.status = 'made_up'), -case when old.status = 'present' then s.study_hours else 0 end, -case when old.status = 'late' then s.study_hours else 0 end, -case when old.status = 'made_up' then s.study_hours else 0 end
    from sessions s where s.id = old.session_id and not s.cancelled
    on conflict (person_id, year) do update set present = attendance_tally.present + excluded.present, late = attendance_tally.late + excluded.late, excused = attendance_tally.excused + excluded.excused, absent = attendance_tally.absent + excluded.absent, made_up = attendance_tally.made_up + excluded.made_up, present_hours = attendance_tally.present_hours + excluded.present_hours, late_hours = attendance_tally.late_hours + excluded.late_hours, made_up_hours = attendance_tally.made_up_hours + excluded.made_up_hours;
    insert into attendance_months (month, present, late, excused, absent, made_up)
    select cast(strftime('%Y%m', s.starts_at + 28800, 'unixepoch') as integer), -sum((old.status = 'present')), -sum((old.status = 'late')), -sum((old.status = 'excused')), -sum((old.status = 'absent')), -sum((old.status = 'made_up'))
    from sessions s where s.id = old.session_id and not s.cancelled group by 1 having count(*) > 0
    on conflict (month) do update set present = attendance_months.present + excluded.present, late = attendance_months.late + excluded.late, excused = attendance_months.excused + excluded.excused, absent = attendance_months.absent + excluded.absent, made_up = attendance_months.made_up + excluded.made_up;
    insert into theme_tally (person_id, year, theme_id, attended)
    select old.person_id, cast(strftime('%Y%m', s.starts_at + 28800, 'unixepoch') as integer) / 100, s.theme_id, -1
    from sessions s where s.id = old.session_id and not s.cancelled and old.status in ('present', 'late', 'made_up')
    on conflict (person_id, year, theme_id) do update set attended = theme_tally.attended + excluded.attended;
    insert into person_months (person_id, month, present, late, made_up)
    select old.person_id, cast(strftime('%Y%m', s.starts_at + 28800, 'unixepoch') as integer), -(old.status = 'present'), -(old.status = 'late'), -(old.status = 'made_up')
    from sessions s where s.id = old.session_id and not s.cancelled and old.status in ('present', 'late', 'made_up')
    on conflict (person_id, month) do update set present = person_months.present + excluded.present, late = person_months.late + excluded.late, made_up = person_months.made_up + excluded.made_up;
    insert into attendance_tally (person_id, year, present, late, excused, absent, made_up, present_hours, late_hours, made_up_hours)
    select new.person_id, cast(strftime('%Y%m', s.starts_at + 28800, 'unixepoch') as integer) / 100, (new.status = 'present'), (new.status = 'late'), (new.status = 'excused'), (new.status = 'absent'), (new.status = 'made_up'), case when new.status = 'present' then s.study_hours else 0 end, case when new.status = 'late' then s.study_hours else 0 end, case when new.status = 'made_up' then s.study_hours else 0 end
    from sessions s where s.id = new.session_id and not s.cancelled
    on conflict (person_id, year) do update set present = attendance_tally.present + excluded.present, late = attendance_tally.late + excluded.late, excused = attendance_tally.excused + excluded.excused, absent = attendance_tally.absent + excluded.absent, made_up = attendance_tally.made_up + excluded.made_up, present_hours = attendance_tally.present_hours + excluded.present_hours, late_hours = attendance_tally.late_hours + excluded.late_hours, made_up_hours = attendance_tally.made_up_hours + excluded.made_up_hours;
    insert into attendance_months (month, present, late, excused, absent, made_up)
    select cast(strftime('%Y%m', s.starts_at + 28800, 'unixepoch') as integer), sum((new.status = 'present')), sum((new.status = 'late')), sum((new.status = 'excused')), sum((new.status = 'absent')), sum((new.status = 'made_up'))
    from sessions s where s.id = new.session_id and not s.cancelled group by 1 having count(*) > 0
    on conflict (month) do update set present = attendance_months.present + excluded.present, late = attendance_months.late + excluded.late, excused = attendance_months.excused + excluded.excused, absent = attendance_months.absent + excluded.absent, made_up = attendance_months.made_up + excluded.made_up;
    insert into theme_tally (person_id, year, theme_id, attended)
    select new.person_id, cast(strftime('%Y%m', s.starts_at + 28800, 'unixepoch') as integer) / 100, s.theme_id, 1
    from sessions s where s.id = new.session_id and not s.cancelled and new.status in ('present', 'late', 'made_up')
    on conflict (person_id, year, theme_id) do update set attended = theme_tally.attended + excluded.attended;
    insert into person_months (person_id, month, present, late, made_up)
    select new.person_id, cast(strftime('%Y%m', s.starts_at + 28800, 'unixepoch') as integer), (new.status = 'present'), (new.status = 'late'), (new.status = 'made_up')
    from sessions s where s.id = new.session_id and not s.cancelled and new.status in ('present', 'late', 'made_up')
    on conflict (person_id, month) do update set present = person_months.present + excluded.present, late = person_months.late + excluded.late, made_up = person_months.made_up + excluded.made_up;
end;

-- A session cancelled or restored, moved to another year or month, given other hours or
-- another theme: take its rows out as they were counted, and put them back as they are now.
create trigger sessions_tally_update after update of cancelled, study_hours, starts_at, theme_id
on sessions when old.cancelled <> new.cancelled or old.study_hours <> new.study_hours
    or old.starts_at <> new.starts_at or old.theme_id <> new.theme_id begin
    insert into attendance_tally (person_id, year, present, late, excused, absent, made_up, present_hours, late_hours, made_up_hours)
    select x.person_id, cast(strftime('%Y%m', old.starts_at + 28800, 'unixepoch') as integer) / 100, -sum((x.status = 'present')), -sum((x.status = 'late')), -sum((x.status = 'excused')), -sum((x.status = 'absent')), -sum((x.status = 'made_up')), -sum(case when x.status = 'present' then old.study_hours else 0 end), -sum(case when x.status = 'late' then old.study_hours else 0 end), -sum(case when x.status = 'made_up' then old.study_hours else 0 end)
    from attendance x where x.session_id = old.id and not old.cancelled group by x.person_id
    on conflict (person_id, year) do update set present = attendance_tally.present + excluded.present, late = attendance_tally.late + excluded.late, excused = attendance_tally.excused + excluded.excused, absent = attendance_tally.absent + excluded.absent, made_up = attendance_tally.made_up + excluded.made_up, present_hours = attendance_tally.present_hours + excluded.present_hours, late_hours = attendance_tally.late_hours + excluded.late_hours, made_up_hours = attendance_tally.made_up_hours + excluded.made_up_hours;
    insert into attendance_months (month, present, late, excused, absent, made_up)
    select cast(strftime('%Y%m', old.starts_at + 28800, 'unixepoch') as integer), -sum((x.status = 'present')), -sum((x.status = 'late')), -sum((x.status = 'excused')), -sum((x.status = 'absent')), -sum((x.status = 'made_up'))
    from attendance x where x.session_id = old.id and not old.cancelled group by 1 having count(*) > 0
    on conflict (month) do update set present = attendance_months.present + excluded.present, late = attendance_months.late + excluded.late, excused = attendance_months.excused + excluded.excused, absent = attendance_months.absent + excluded.absent, made_up = attendance_months.made_up + excluded.made_up;
    insert into theme_tally (person_id, year, theme_id, attended)
    select x.person_id, cast(strftime('%Y%m', old.starts_at + 28800, 'unixepoch') as integer) / 100, old.theme_id, -count(*)
    from attendance x where x.session_id = old.id and not old.cancelled and x.status in ('present', 'late', 'made_up') group by x.person_id
    on conflict (person_id, year, theme_id) do update set attended = theme_tally.attended + excluded.attended;
    insert into person_months (person_id, month, present, late, made_up)
    select x.person_id, cast(strftime('%Y%m', old.starts_at + 28800, 'unixepoch') as integer), -sum((x.status = 'present')), -sum((x.status = 'late')), -sum((x.status = 'made_up'))
    from attendance x where x.session_id = old.id and not old.cancelled and x.status in ('present', 'late', 'made_up') group by x.person_id
    on conflict (person_id, month) do update set present = person_months.present + excluded.present, late = person_months.late + excluded.late, made_up = person_months.made_up + excluded.made_up;
    insert into attendance_tally (person_id, year, present, late, excused, absent, made_up, present_hours, late_hours, made_up_hours)
    select x.person_id, cast(strftime('%Y%m', new.starts_at + 28800, 'unixepoch') as integer) / 100, sum((x.status = 'present')), sum((x.status = 'late')), sum((x.status = 'excused')), sum((x.status = 'absent')), sum((x.status = 'made_up')), sum(case when x.status = 'present' then new.study_hours else 0 end), sum(case when x.status = 'late' then new.study_hours else 0 end), sum(case when x.status = 'made_up' then new.study_hours else 0 end)
    from attendance x where x.session_id = new.id and not new.cancelled group by x.person_id
    on conflict (person_id, year) do update set present = attendance_tally.present + excluded.present, late = attendance_tally.late + excluded.late, excused = attendance_tally.excused + excluded.excused, absent = attendance_tally.absent + excluded.absent, made_up = attendance_tally.made_up + excluded.made_up, present_hours = attendance_tally.present_hours + excluded.present_hours, late_hours = attendance_tally.late_hours + excluded.late_hours, made_up_hours = attendance_tally.made_up_hours + excluded.made_up_hours;
    insert into attendance_months (month, present, late, excused, absent, made_up)
    select cast(strftime('%Y%m', new.starts_at + 28800, 'unixepoch') as integer), sum((x.status = 'present')), sum((x.status = 'late')), sum((x.status = 'excused')), sum((x.status = 'absent')), sum((x.status = 'made_up'))
    from attendance x where x.session_id = new.id and not new.cancelled group by 1 having count(*) > 0
    on conflict (month) do update set present = attendance_months.present + excluded.present, late = attendance_months.late + excluded.late, excused = attendance_months.excused + excluded.excused, absent = attendance_months.absent + excluded.absent, made_up = attendance_months.made_up + excluded.made_up;
    insert into theme_tally (person_id, year, theme_id, attended)
    select x.person_id, cast(strftime('%Y%m', new.starts_at + 28800, 'unixepoch') as integer) / 100, new.theme_id, count(*)
    from attendance x where x.session_id = new.id and not new.cancelled and x.status in ('present', 'late', 'made_up') group by x.person_id
    on conflict (person_id, year, theme_id) do update set attended = theme_tally.attended + excluded.attended;
    insert into person_months (person_id, month, present, late, made_up)
    select x.person_id, cast(strftime('%Y%m', new.starts_at + 28800, 'unixepoch') as integer), sum((x.status = 'present')), sum((x.status = 'late')), sum((x.status = 'made_up'))
    from attendance x where x.session_id = new.id and not new.cancelled and x.status in ('present', 'late', 'made_up') group by x.person_id
    on conflict (person_id, month) do update set present = person_months.present + excluded.present, late = person_months.late + excluded.late, made_up = person_months.made_up + excluded.made_up;
end;

-- What was recorded before this migration.
insert into attendance_tally (person_id, year, present, late, excused, absent, made_up, present_hours, late_hours, made_up_hours)
select x.person_id, cast(strftime('%Y%m', s.starts_at + 28800, 'unixepoch') as integer) / 100, sum((x.status = 'present')), sum((x.status = 'late')), sum((x.status = 'excused')), sum((x.status = 'absent')), sum((x.status = 'made_up')), sum(case when x.status = 'present' then s.study_hours else 0 end), sum(case when x.status = 'late' then s.study_hours else 0 end), sum(case when x.status = 'made_up' then s.study_hours else 0 end)
from attendance x join sessions s on s.id = x.session_id where not s.cancelled group by 1, 2;
insert into attendance_months (month, present, late, excused, absent, made_up)
select cast(strftime('%Y%m', s.starts_at + 28800, 'unixepoch') as integer), sum((x.status = 'present')), sum((x.status = 'late')), sum((x.status = 'excused')), sum((x.status = 'absent')), sum((x.status = 'made_up'))
from attendance x join sessions s on s.id = x.session_id where not s.cancelled group by 1;
insert into theme_tally (person_id, year, theme_id, attended)
select x.person_id, cast(strftime('%Y%m', s.starts_at + 28800, 'unixepoch') as integer) / 100, s.theme_id, count(*)
from attendance x join sessions s on s.id = x.session_id where not s.cancelled and x.status in ('present', 'late', 'made_up') group by 1, 2, 3;
insert into person_months (person_id, month, present, late, made_up)
select x.person_id, cast(strftime('%Y%m', s.starts_at + 28800, 'unixepoch') as integer), sum((x.status = 'present')), sum((x.status = 'late')), sum((x.status = 'made_up'))
from attendance x join sessions s on s.id = x.session_id where not s.cancelled and x.status in ('present', 'late', 'made_up') group by 1, 2;
