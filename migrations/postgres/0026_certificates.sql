-- Verifiable certificates (结业证书、年度学时证明) and annual dossiers (年度学习档案): each
-- carries a serial number that a public page verifies (name, programme, year, hours, and
-- whether it was revoked). What was printed is kept as it was printed, so a later change of
-- name or hours does not change a certificate already handed out.
-- migrations/sqlite/0026_certificates.sql is the twin.
create table certificates (
    id bigint generated always as identity primary key,
    serial text not null unique,
    kind text not null check (kind in ('series', 'tier', 'dossier')),
    person_id bigint not null references people (id) on delete cascade,
    year bigint not null,
    -- What was completed: the series' name, or the tier's id; empty for a dossier.
    subject text not null default '',
    -- As printed: the holder's name, the programme and who issues it (the subdistrict's
    -- night school).
    name text not null,
    programme text not null,
    issuer text not null default '',
    hours bigint not null,
    issued_at bigint not null,
    -- Who asked for it (a dossier); null when the school issued it on its own.
    issued_by bigint references people (id) on delete set null,
    revoked_at bigint,
    revoked_by bigint references people (id) on delete set null,
    revoke_reason text,
    -- A dossier's PDF as it was issued (its ledger is a snapshot); certificates are drawn
    -- again from the row.
    file_sha256 text references blobs (sha256)
);
-- A series or a tier's year is certified once per person (also with several app servers).
create unique index certificates_once on certificates (kind, person_id, year, subject)
    where kind <> 'dossier';
create index certificates_person on certificates (person_id, year);
create index certificates_issued on certificates (issued_at);

create trigger certificates_page_changed after insert or update or delete or truncate
    on certificates for each statement execute function page_changed();
