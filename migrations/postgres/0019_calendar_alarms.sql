-- How long before a session its calendar event reminds this account (the `.ics` feed and
-- downloads carry it as a VALARM); 0 is no reminder. No row: the default, two hours.
-- migrations/sqlite/0019_calendar_alarms.sql is the twin.
create table calendar_alarms (
    account_id bigint primary key references accounts (id) on delete cascade,
    minutes bigint not null check (minutes >= 0 and minutes <= 10080)
);
create trigger calendar_alarms_page_changed after insert or update or delete or truncate on calendar_alarms
    for each statement execute function page_changed();
