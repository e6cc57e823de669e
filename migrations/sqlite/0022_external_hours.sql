-- 外部学时申报: study hours earned outside Night School (the district party school, online
-- courses, other centralised training), claimed by the cadre with a certificate and decided
-- by an organiser; the conversion table the organisers edit; and, per tier, whether and up
-- to how many such hours a year count toward its hours.
-- migrations/postgres/0022_external_hours.sql is the twin.
alter table tiers add column elsewhere text not null default 'none'
    check (elsewhere in ('none', 'up_to', 'all'));
alter table tiers add column elsewhere_cap bigint not null default 0 check (elsewhere_cap >= 0);
alter table subdistrict_tier_plans add column elsewhere text not null default 'none'
    check (elsewhere in ('none', 'up_to', 'all'));
alter table subdistrict_tier_plans add column elsewhere_cap bigint not null default 0
    check (elsewhere_cap >= 0);

-- "半天 = 4 学时": hours in tenths per unit. A line in use is retired, never deleted.
create table claim_conversions (
    id integer primary key,
    name_zh text not null,
    name_en text not null,
    hours bigint not null check (hours > 0),
    position integer not null default 0,
    retired boolean not null default false,
    updated_at bigint not null
);
insert into claim_conversions (name_zh, name_en, hours, position, updated_at) values
    ('集中培训半天', 'Half a day of training', 40, 1, 0),
    ('集中培训一天', 'A full day of training', 80, 2, 0),
    ('授课一次', 'A lecture given', 40, 3, 0),
    ('学习小组集中学习一次', 'A study-group meeting', 30, 4, 0),
    ('网络课程（按课程学时）', 'Online course (per course hour)', 10, 5, 0);

create table claims (
    id integer primary key,
    person_id integer not null references people (id) on delete cascade,
    training text not null,
    organiser text not null,
    from_day text not null,
    to_day text not null,
    -- The year the hours count in: that of the last day.
    year integer not null,
    mode text not null check (mode in ('online', 'in_person')),
    conversion_id integer references claim_conversions (id),
    units bigint,
    hours bigint not null check (hours > 0),
    -- The certificate or notice (a photo or a PDF), kept as a blob like attachments.
    file_name text not null,
    file_type text not null,
    file_size bigint not null,
    file_sha256 text not null references blobs (sha256),
    pledged boolean not null check (pledged),
    state text not null default 'pending' check (state in ('pending', 'approved', 'declined')),
    reason text not null default '',
    decided_by integer references people (id) on delete set null,
    decided_at bigint,
    created_at bigint not null
);
create index claims_person on claims (person_id, year);
create index claims_pending on claims (state) where state = 'pending';

create trigger claims_changed_insert after insert on claims begin update data_changes set n = n + 1 where id = 1; end;
create trigger claims_changed_update after update on claims begin update data_changes set n = n + 1 where id = 1; end;
create trigger claims_changed_delete after delete on claims begin update data_changes set n = n + 1 where id = 1; end;
create trigger claims_page_insert after insert on claims begin update page_changes set n = n + 1 where id = 1; end;
create trigger claims_page_update after update on claims begin update page_changes set n = n + 1 where id = 1; end;
create trigger claims_page_delete after delete on claims begin update page_changes set n = n + 1 where id = 1; end;
create trigger claim_conversions_page_insert after insert on claim_conversions begin update page_changes set n = n + 1 where id = 1; end;
create trigger claim_conversions_page_update after update on claim_conversions begin update page_changes set n = n + 1 where id = 1; end;
