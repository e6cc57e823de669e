-- A community's part of a session's sheet is read in name order straight from this index,
-- 200 lines at a time, however large the community (it replaces people_community, which
-- it starts with).
create index people_community_name on people (community_id, name, id);
drop index people_community;

-- The door board's latest arrivals: read newest first by index, not by sorting every
-- record of the session.
create index attendance_arrivals on attendance (session_id, checked_in_at, person_id)
    where checked_in_at is not null;

-- The sheet's head-counts count each person's audit lines by this index.
create index attendance_audit_person on attendance_audit (session_id, person_id);
