-- A counter that moves with every write that changes who a signed-in request is, or the
-- reference data pages offer in their pickers: a login session ended or its second step
-- passed, an account changed or removed, its roles, its organiser grants, a person's name,
-- tier or community, the
-- subdistricts and communities, themes and tiers. Each app server keeps resolved logins and
-- that reference data in memory and reads this one row per request to know whether they
-- still hold: also across several app servers on one database. Sightings (last_seen_at) do
-- not move it. Restores move it on.
-- migrations/postgres/0014_reference_changes.sql is the twin.
create table reference_changes (
    id integer primary key check (id = 1),
    n bigint not null
);
insert into reference_changes (id, n) values (1, 0);
create trigger auth_sessions_ref_delete after delete on auth_sessions begin update reference_changes set n = n + 1 where id = 1; end;
create trigger auth_sessions_ref_update after update of token_hash, account_id, idle_secs, expires_at, pending on auth_sessions begin update reference_changes set n = n + 1 where id = 1; end;
create trigger accounts_ref_update after update on accounts begin update reference_changes set n = n + 1 where id = 1; end;
create trigger accounts_ref_delete after delete on accounts begin update reference_changes set n = n + 1 where id = 1; end;
create trigger account_roles_ref_insert after insert on account_roles begin update reference_changes set n = n + 1 where id = 1; end;
create trigger account_roles_ref_update after update on account_roles begin update reference_changes set n = n + 1 where id = 1; end;
create trigger account_roles_ref_delete after delete on account_roles begin update reference_changes set n = n + 1 where id = 1; end;
create trigger organiser_units_ref_insert after insert on organiser_units begin update reference_changes set n = n + 1 where id = 1; end;
create trigger organiser_units_ref_update after update on organiser_units begin update reference_changes set n = n + 1 where id = 1; end;
create trigger organiser_units_ref_delete after delete on organiser_units begin update reference_changes set n = n + 1 where id = 1; end;
create trigger people_ref_update after update of id, name, tier_id, community_id on people begin update reference_changes set n = n + 1 where id = 1; end;
create trigger people_ref_delete after delete on people begin update reference_changes set n = n + 1 where id = 1; end;
create trigger communities_ref_insert after insert on communities begin update reference_changes set n = n + 1 where id = 1; end;
create trigger communities_ref_update after update on communities begin update reference_changes set n = n + 1 where id = 1; end;
create trigger communities_ref_delete after delete on communities begin update reference_changes set n = n + 1 where id = 1; end;
create trigger subdistricts_ref_insert after insert on subdistricts begin update reference_changes set n = n + 1 where id = 1; end;
create trigger subdistricts_ref_update after update on subdistricts begin update reference_changes set n = n + 1 where id = 1; end;
create trigger subdistricts_ref_delete after delete on subdistricts begin update reference_changes set n = n + 1 where id = 1; end;
create trigger themes_ref_insert after insert on themes begin update reference_changes set n = n + 1 where id = 1; end;
create trigger themes_ref_update after update on themes begin update reference_changes set n = n + 1 where id = 1; end;
create trigger themes_ref_delete after delete on themes begin update reference_changes set n = n + 1 where id = 1; end;
create trigger tiers_ref_insert after insert on tiers begin update reference_changes set n = n + 1 where id = 1; end;
create trigger tiers_ref_update after update on tiers begin update reference_changes set n = n + 1 where id = 1; end;
create trigger tiers_ref_delete after delete on tiers begin update reference_changes set n = n + 1 where id = 1; end;
