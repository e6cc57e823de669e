-- The attendance tallies' row function, as PL/pgSQL: it reads the session once and runs its
-- four upserts with plans PostgreSQL keeps for the connection. As a multi-statement SQL
-- function it was planned again for every attendance row written, about half a millisecond
-- a row, which a burst of check-ins at the door paid one row at a time. Same arguments,
-- same sums. SQLite's triggers (migrations/sqlite/0006_progress.sql) have no such cost and
-- stay as they are.
create or replace function tally_row(p_person bigint, p_session bigint, p_status text, p_sign bigint)
returns void language plpgsql as $$
declare
    v_month integer;
    v_theme bigint;
    v_hours bigint;
    v_attended bigint := p_sign * (p_status in ('present', 'late', 'made_up'))::int;
begin
    select cast(to_char(to_timestamp(s.starts_at + 28800) at time zone 'UTC', 'YYYYMM') as integer), s.theme_id, s.study_hours
    into v_month, v_theme, v_hours
    from sessions s where s.id = p_session and not s.cancelled;
    if not found then
        return;
    end if;
    insert into attendance_tally (person_id, year, present, late, excused, absent, made_up, present_hours, late_hours, made_up_hours)
    values (p_person, v_month / 100, p_sign * (p_status = 'present')::int, p_sign * (p_status = 'late')::int, p_sign * (p_status = 'excused')::int, p_sign * (p_status = 'absent')::int, p_sign * (p_status = 'made_up')::int, p_sign * case when p_status = 'present' then v_hours else 0 end, p_sign * case when p_status = 'late' then v_hours else 0 end, p_sign * case when p_status = 'made_up' then v_hours else 0 end)
    on conflict (person_id, year) do update set present = attendance_tally.present + excluded.present, late = attendance_tally.late + excluded.late, excused = attendance_tally.excused + excluded.excused, absent = attendance_tally.absent + excluded.absent, made_up = attendance_tally.made_up + excluded.made_up, present_hours = attendance_tally.present_hours + excluded.present_hours, late_hours = attendance_tally.late_hours + excluded.late_hours, made_up_hours = attendance_tally.made_up_hours + excluded.made_up_hours;
    insert into attendance_months (month, present, late, excused, absent, made_up)
    values (v_month, p_sign * (p_status = 'present')::int, p_sign * (p_status = 'late')::int, p_sign * (p_status = 'excused')::int, p_sign * (p_status = 'absent')::int, p_sign * (p_status = 'made_up')::int)
    on conflict (month) do update set present = attendance_months.present + excluded.present, late = attendance_months.late + excluded.late, excused = attendance_months.excused + excluded.excused, absent = attendance_months.absent + excluded.absent, made_up = attendance_months.made_up + excluded.made_up;
    if v_attended <> 0 then
        insert into theme_tally (person_id, year, theme_id, attended)
        values (p_person, v_month / 100, v_theme, v_attended)
        on conflict (person_id, year, theme_id) do update set attended = theme_tally.attended + excluded.attended;
        insert into person_months (person_id, month, present, late, made_up)
        values (p_person, v_month, p_sign * (p_status = 'present')::int, p_sign * (p_status = 'late')::int, p_sign * (p_status = 'made_up')::int)
        on conflict (person_id, month) do update set present = person_months.present + excluded.present, late = person_months.late + excluded.late, made_up = person_months.made_up + excluded.made_up;
    end if;
end $$;
