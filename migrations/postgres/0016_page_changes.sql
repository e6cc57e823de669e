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
-- migrations/sqlite/0016_page_changes.sql is the twin.
create table page_changes (
    id integer primary key check (id = 1),
    n bigint not null
);
insert into page_changes (id, n) values (1, 0);

create function page_changed() returns trigger language plpgsql as $$
begin
    update page_changes set n = n + 1 where id = 1;
    return null;
end $$;

create trigger accounts_page_changed after insert or update or delete or truncate on accounts
for each statement execute function page_changed();
create trigger calendar_feeds_page_changed after insert or update or delete or truncate on calendar_feeds
for each statement execute function page_changed();
create trigger leave_requests_page_changed after insert or update or delete or truncate on leave_requests
for each statement execute function page_changed();
create trigger make_ups_page_changed after insert or update or delete or truncate on make_ups
for each statement execute function page_changed();
create trigger materials_page_changed after insert or update or delete or truncate on materials
for each statement execute function page_changed();
create trigger material_versions_page_changed after insert or update or delete or truncate on material_versions
for each statement execute function page_changed();
create trigger attachments_page_changed after insert or update or delete or truncate on attachments
for each statement execute function page_changed();
create trigger material_reads_page_changed after insert or update or delete or truncate on material_reads
for each statement execute function page_changed();
create trigger reflection_comments_page_changed after insert or update or delete or truncate on reflection_comments
for each statement execute function page_changed();
create trigger reflection_versions_page_changed after insert or update or delete or truncate on reflection_versions
for each statement execute function page_changed();
create trigger import_batches_page_changed after insert or update or delete or truncate on import_batches
for each statement execute function page_changed();
create trigger walk_in_claims_page_changed after insert or update or delete or truncate on walk_in_claims
for each statement execute function page_changed();
create trigger totp_secrets_page_changed after insert or update or delete or truncate on totp_secrets
for each statement execute function page_changed();
create trigger recovery_codes_page_changed after insert or update or delete or truncate on recovery_codes
for each statement execute function page_changed();
create trigger account_identities_page_changed after insert or update or delete or truncate on account_identities
for each statement execute function page_changed();
