-- A counter that moves with every write that changes who a signed-in request is, or the
-- reference data pages offer in their pickers: a login session ended or its second step
-- passed, an account changed or removed, its roles, its organiser grants, a person's name,
-- tier or community, the
-- subdistricts and communities, themes and tiers. Each app server keeps resolved logins and
-- that reference data in memory and reads this one row per request to know whether they
-- still hold: also across several app servers on one database. Sightings (last_seen_at) do
-- not move it. Restores move it on.
-- migrations/sqlite/0014_reference_changes.sql is the twin.
create table reference_changes (
    id integer primary key check (id = 1),
    n bigint not null
);
insert into reference_changes (id, n) values (1, 0);

create function reference_changed() returns trigger language plpgsql as $$
begin
    update reference_changes set n = n + 1 where id = 1;
    return null;
end $$;

create trigger auth_sessions_ref_changed
after delete or truncate or update of token_hash, account_id, idle_secs, expires_at, pending on auth_sessions
for each statement execute function reference_changed();
create trigger accounts_ref_changed after update or delete or truncate on accounts
for each statement execute function reference_changed();
create trigger account_roles_ref_changed after insert or update or delete or truncate on account_roles
for each statement execute function reference_changed();
create trigger organiser_units_ref_changed after insert or update or delete or truncate on organiser_units
for each statement execute function reference_changed();
create trigger people_ref_changed after update of id, name, tier_id, community_id or delete or truncate on people
for each statement execute function reference_changed();
create trigger communities_ref_changed after insert or update or delete or truncate on communities
for each statement execute function reference_changed();
create trigger subdistricts_ref_changed after insert or update or delete or truncate on subdistricts
for each statement execute function reference_changed();
create trigger themes_ref_changed after insert or update or delete or truncate on themes
for each statement execute function reference_changed();
create trigger tiers_ref_changed after insert or update or delete or truncate on tiers
for each statement execute function reference_changed();
