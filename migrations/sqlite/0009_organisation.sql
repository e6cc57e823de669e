-- One install for a whole district (区): its subdistricts (街道), each with its own
-- communities and sessions, and organisers whose grants reach the district, a subdistrict or
-- one community. The school this database held so far becomes the first subdistrict, its
-- communities and sessions that subdistrict's, and its organisers that subdistrict's
-- organisers. migrations/postgres/0009_organisation.sql is the twin.
create table subdistricts (
    id integer primary key,
    name text not null,
    -- The name of the subdistrict's lecture series, shown on its pages.
    series_name text not null default '',
    created_at bigint not null
);
create unique index subdistricts_name_key on subdistricts (lower(name));

insert into subdistricts (id, name, series_name, created_at)
values (1, '观音阁街道', '运河红·初心讲堂', cast(strftime('%s', 'now') as integer));

-- SQLite cannot add a non-null column with a foreign key: the column is filled here and
-- the triggers keep it filled.
alter table communities add column subdistrict_id integer references subdistricts (id);
update communities set subdistrict_id = 1;
create trigger communities_subdistrict_insert before insert on communities
when new.subdistrict_id is null
begin
    select raise(abort, 'NOT NULL constraint failed: communities.subdistrict_id');
end;
create trigger communities_subdistrict_update before update of subdistrict_id on communities
when new.subdistrict_id is null
begin
    select raise(abort, 'NOT NULL constraint failed: communities.subdistrict_id');
end;
-- Two subdistricts may each have a community of the same name.
drop index communities_name_key;
create unique index communities_name_key on communities (subdistrict_id, lower(name));
create index communities_subdistrict on communities (subdistrict_id);

-- The subdistrict that holds a session; null for a district session (a 区委党校 class) whose
-- audience may span subdistricts.
alter table sessions add column subdistrict_id integer references subdistricts (id);
update sessions set subdistrict_id = 1;
create index sessions_subdistrict_starts_at on sessions (subdistrict_id, starts_at);

-- Where an account's organiser role reaches: the whole district (ref_id 0), a subdistrict or
-- one community. An account may hold several.
create table organiser_units (
    account_id integer not null references accounts (id) on delete cascade,
    kind text not null check (kind in ('district', 'subdistrict', 'community')),
    ref_id integer not null default 0,
    primary key (account_id, kind, ref_id)
);
insert into organiser_units (account_id, kind, ref_id)
select account_id, 'subdistrict', 1 from account_roles where role = 'organiser';
