-- How long before a session its calendar event reminds this account (the `.ics` feed and
-- downloads carry it as a VALARM); 0 is no reminder. No row: the default, two hours.
-- migrations/postgres/0019_calendar_alarms.sql is the twin.
create table calendar_alarms (
    account_id integer primary key references accounts (id) on delete cascade,
    minutes integer not null check (minutes >= 0 and minutes <= 10080)
);
create trigger calendar_alarms_page_insert after insert on calendar_alarms begin update page_changes set n = n + 1 where id = 1; end;
create trigger calendar_alarms_page_update after update on calendar_alarms begin update page_changes set n = n + 1 where id = 1; end;
create trigger calendar_alarms_page_delete after delete on calendar_alarms begin update page_changes set n = n + 1 where id = 1; end;
