-- A counter that moves with every write that changes who a signed-in request is: a login
-- session ended or its second step passed, an account changed or removed, its roles, its
-- organiser grants, a name, the communities and subdistricts grants are resolved against.
-- Each app server keeps resolved logins in memory and reads this one row per request to
-- know whether they still hold: also across several app servers on one database. Sightings
-- (last_seen_at) do not move it. Restores move it on.
-- migrations/sqlite/0014_login_changes.sql is the twin.
create table login_changes (
    id integer primary key check (id = 1),
    n bigint not null
);
insert into login_changes (id, n) values (1, 0);

create function login_changed() returns trigger language plpgsql as $$
begin
    update login_changes set n = n + 1 where id = 1;
    return null;
end $$;

create trigger auth_sessions_login_changed
after delete or truncate or update of token_hash, account_id, idle_secs, expires_at, pending on auth_sessions
for each statement execute function login_changed();
create trigger accounts_login_changed after update or delete or truncate on accounts
for each statement execute function login_changed();
create trigger account_roles_login_changed after insert or update or delete or truncate on account_roles
for each statement execute function login_changed();
create trigger organiser_units_login_changed after insert or update or delete or truncate on organiser_units
for each statement execute function login_changed();
create trigger people_login_changed after update of id, name or delete or truncate on people
for each statement execute function login_changed();
create trigger communities_login_changed after insert or update or delete or truncate on communities
for each statement execute function login_changed();
create trigger subdistricts_login_changed after insert or update or delete or truncate on subdistricts
for each statement execute function login_changed();
