-- A counter that moves with every write that changes who a signed-in request is: a login
-- session ended or its second step passed, an account changed or removed, its roles, its
-- organiser grants, a name, the communities and subdistricts grants are resolved against.
-- Each app server keeps resolved logins in memory and reads this one row per request to
-- know whether they still hold: also across several app servers on one database. Sightings
-- (last_seen_at) do not move it. Restores move it on.
-- migrations/postgres/0014_login_changes.sql is the twin.
create table login_changes (
    id integer primary key check (id = 1),
    n bigint not null
);
insert into login_changes (id, n) values (1, 0);
create trigger auth_sessions_login_delete after delete on auth_sessions begin update login_changes set n = n + 1 where id = 1; end;
create trigger auth_sessions_login_update after update of token_hash, account_id, idle_secs, expires_at, pending on auth_sessions begin update login_changes set n = n + 1 where id = 1; end;
create trigger accounts_login_update after update on accounts begin update login_changes set n = n + 1 where id = 1; end;
create trigger accounts_login_delete after delete on accounts begin update login_changes set n = n + 1 where id = 1; end;
create trigger account_roles_login_insert after insert on account_roles begin update login_changes set n = n + 1 where id = 1; end;
create trigger account_roles_login_update after update on account_roles begin update login_changes set n = n + 1 where id = 1; end;
create trigger account_roles_login_delete after delete on account_roles begin update login_changes set n = n + 1 where id = 1; end;
create trigger organiser_units_login_insert after insert on organiser_units begin update login_changes set n = n + 1 where id = 1; end;
create trigger organiser_units_login_update after update on organiser_units begin update login_changes set n = n + 1 where id = 1; end;
create trigger organiser_units_login_delete after delete on organiser_units begin update login_changes set n = n + 1 where id = 1; end;
create trigger people_login_update after update of id, name on people begin update login_changes set n = n + 1 where id = 1; end;
create trigger people_login_delete after delete on people begin update login_changes set n = n + 1 where id = 1; end;
create trigger communities_login_insert after insert on communities begin update login_changes set n = n + 1 where id = 1; end;
create trigger communities_login_update after update on communities begin update login_changes set n = n + 1 where id = 1; end;
create trigger communities_login_delete after delete on communities begin update login_changes set n = n + 1 where id = 1; end;
create trigger subdistricts_login_insert after insert on subdistricts begin update login_changes set n = n + 1 where id = 1; end;
create trigger subdistricts_login_update after update on subdistricts begin update login_changes set n = n + 1 where id = 1; end;
create trigger subdistricts_login_delete after delete on subdistricts begin update login_changes set n = n + 1 where id = 1; end;
