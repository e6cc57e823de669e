-- A subdistrict's own themes: null is a theme the whole district shares (every theme
-- before this migration); a subdistrict's are offered only for its sessions.
-- migrations/sqlite/0011_subdistrict_themes.sql is the twin.
alter table themes add column subdistrict_id bigint references subdistricts (id);
