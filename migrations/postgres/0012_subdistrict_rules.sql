-- A subdistrict's own rules over the district's: settings (the study-hours rule, the leave
-- cap, the credit shares, the door's networks and walk-ins) and tier plans (target
-- head-count and yearly requirements). What a subdistrict has not set follows the
-- district's values in `settings` and `tiers`, so nothing changes until it sets one.
-- migrations/sqlite/0012_subdistrict_rules.sql is the twin.
create table subdistrict_settings (
    subdistrict_id bigint not null references subdistricts (id) on delete cascade,
    key text not null,
    value text not null,
    updated_at bigint not null,
    primary key (subdistrict_id, key)
);

create table subdistrict_tier_plans (
    subdistrict_id bigint not null references subdistricts (id) on delete cascade,
    tier_id bigint not null references tiers (id) on delete cascade,
    target_count bigint not null default 0 check (target_count >= 0),
    req_hours bigint not null default 0 check (req_hours >= 0),
    req_attendance_percent bigint not null default 0
        check (req_attendance_percent between 0 and 100),
    req_reflections bigint not null default 0 check (req_reflections >= 0),
    req_teaching bigint not null default 0 check (req_teaching >= 0),
    updated_at bigint not null,
    primary key (subdistrict_id, tier_id)
);

-- Themes a subdistrict's tier requires (its own themes among them); written with the plan.
create table subdistrict_tier_themes (
    subdistrict_id bigint not null references subdistricts (id) on delete cascade,
    tier_id bigint not null references tiers (id) on delete cascade,
    theme_id bigint not null references themes (id) on delete cascade,
    primary key (subdistrict_id, tier_id, theme_id)
);
