-- A counter that moves with every write to what signed-in pages show and the other two
-- counters (data_changes, reference_changes) do not cover: new accounts, leave requests and
-- make-ups, materials, their versions, attachments and reads, reflection comments and
-- versions, sheet imports, walk-in claims, calendar feeds, second factors and linked
-- identities. Each app server keeps rendered pages (`ssr::kept_pages`) labelled with all three
-- counters, read once per signed-in request, and answers from them only while none has moved:
-- also across several app servers on one database, and after writes made straight into it.
-- Logs and sightings (audit_log, auth_attempts, auth_buckets, login_failures, known_devices,
-- last_seen_at) do not move it; the tallies move with attendance, which moves data_changes.
-- Restores move it on.
-- migrations/postgres/0016_page_changes.sql is the twin.
create table page_changes (
    id integer primary key check (id = 1),
    n bigint not null
);
insert into page_changes (id, n) values (1, 0);
create trigger accounts_page_insert after insert on accounts begin update page_changes set n = n + 1 where id = 1; end;
create trigger accounts_page_update after update on accounts begin update page_changes set n = n + 1 where id = 1; end;
create trigger accounts_page_delete after delete on accounts begin update page_changes set n = n + 1 where id = 1; end;
create trigger calendar_feeds_page_insert after insert on calendar_feeds begin update page_changes set n = n + 1 where id = 1; end;
create trigger calendar_feeds_page_update after update on calendar_feeds begin update page_changes set n = n + 1 where id = 1; end;
create trigger calendar_feeds_page_delete after delete on calendar_feeds begin update page_changes set n = n + 1 where id = 1; end;
create trigger leave_requests_page_insert after insert on leave_requests begin update page_changes set n = n + 1 where id = 1; end;
create trigger leave_requests_page_update after update on leave_requests begin update page_changes set n = n + 1 where id = 1; end;
create trigger leave_requests_page_delete after delete on leave_requests begin update page_changes set n = n + 1 where id = 1; end;
create trigger make_ups_page_insert after insert on make_ups begin update page_changes set n = n + 1 where id = 1; end;
create trigger make_ups_page_update after update on make_ups begin update page_changes set n = n + 1 where id = 1; end;
create trigger make_ups_page_delete after delete on make_ups begin update page_changes set n = n + 1 where id = 1; end;
create trigger materials_page_insert after insert on materials begin update page_changes set n = n + 1 where id = 1; end;
create trigger materials_page_update after update on materials begin update page_changes set n = n + 1 where id = 1; end;
create trigger materials_page_delete after delete on materials begin update page_changes set n = n + 1 where id = 1; end;
create trigger material_versions_page_insert after insert on material_versions begin update page_changes set n = n + 1 where id = 1; end;
create trigger material_versions_page_update after update on material_versions begin update page_changes set n = n + 1 where id = 1; end;
create trigger material_versions_page_delete after delete on material_versions begin update page_changes set n = n + 1 where id = 1; end;
create trigger attachments_page_insert after insert on attachments begin update page_changes set n = n + 1 where id = 1; end;
create trigger attachments_page_update after update on attachments begin update page_changes set n = n + 1 where id = 1; end;
create trigger attachments_page_delete after delete on attachments begin update page_changes set n = n + 1 where id = 1; end;
create trigger material_reads_page_insert after insert on material_reads begin update page_changes set n = n + 1 where id = 1; end;
create trigger material_reads_page_update after update on material_reads begin update page_changes set n = n + 1 where id = 1; end;
create trigger material_reads_page_delete after delete on material_reads begin update page_changes set n = n + 1 where id = 1; end;
create trigger reflection_comments_page_insert after insert on reflection_comments begin update page_changes set n = n + 1 where id = 1; end;
create trigger reflection_comments_page_update after update on reflection_comments begin update page_changes set n = n + 1 where id = 1; end;
create trigger reflection_comments_page_delete after delete on reflection_comments begin update page_changes set n = n + 1 where id = 1; end;
create trigger reflection_versions_page_insert after insert on reflection_versions begin update page_changes set n = n + 1 where id = 1; end;
create trigger reflection_versions_page_update after update on reflection_versions begin update page_changes set n = n + 1 where id = 1; end;
create trigger reflection_versions_page_delete after delete on reflection_versions begin update page_changes set n = n + 1 where id = 1; end;
create trigger import_batches_page_insert after insert on import_batches begin update page_changes set n = n + 1 where id = 1; end;
create trigger import_batches_page_update after update on import_batches begin update page_changes set n = n + 1 where id = 1; end;
create trigger import_batches_page_delete after delete on import_batches begin update page_changes set n = n + 1 where id = 1; end;
create trigger walk_in_claims_page_insert after insert on walk_in_claims begin update page_changes set n = n + 1 where id = 1; end;
create trigger walk_in_claims_page_update after update on walk_in_claims begin update page_changes set n = n + 1 where id = 1; end;
create trigger walk_in_claims_page_delete after delete on walk_in_claims begin update page_changes set n = n + 1 where id = 1; end;
create trigger totp_secrets_page_insert after insert on totp_secrets begin update page_changes set n = n + 1 where id = 1; end;
create trigger totp_secrets_page_update after update on totp_secrets begin update page_changes set n = n + 1 where id = 1; end;
create trigger totp_secrets_page_delete after delete on totp_secrets begin update page_changes set n = n + 1 where id = 1; end;
create trigger recovery_codes_page_insert after insert on recovery_codes begin update page_changes set n = n + 1 where id = 1; end;
create trigger recovery_codes_page_update after update on recovery_codes begin update page_changes set n = n + 1 where id = 1; end;
create trigger recovery_codes_page_delete after delete on recovery_codes begin update page_changes set n = n + 1 where id = 1; end;
create trigger account_identities_page_insert after insert on account_identities begin update page_changes set n = n + 1 where id = 1; end;
create trigger account_identities_page_update after update on account_identities begin update page_changes set n = n + 1 where id = 1; end;
create trigger account_identities_page_delete after delete on account_identities begin update page_changes set n = n + 1 where id = 1; end;
