-- The twin of migrations/postgres/0015_tally_plans.sql, which rewrites PostgreSQL's tally row
-- function in PL/pgSQL so that its plans are kept. SQLite's tally triggers
-- (0006_progress.sql) have no such cost: nothing changes here; the file keeps the two
-- folders' numbers and names the same.
select 1;
