//! Who may do what. Computed from the caller's roles on the server for every request; the
//! UI uses the same answers only to hide links.
use super::{Role, Roles};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Create and disable accounts, assign roles, reset passwords.
    ManageAccounts,
    /// See the whole school: upcoming sessions and today's attendance.
    ViewSchoolOverview,
    /// Create, change and cancel sessions.
    ScheduleSessions,
    /// See the sessions one lectures at.
    ViewOwnLectures,
    /// See one's own timetable as a cadre.
    ViewOwnTimetable,
    /// Run the door, mark and correct attendance, decide leave and make-up, see reports.
    ManageAttendance,
    /// Check in at the door, ask for leave, make up a missed session.
    AttendAsCadre,
    /// Set tier requirements, see every cadre's progress, promote, import cadres.
    ManageProgramme,
}

impl Action {
    /// The organisers' actions: on the whole install, they need grants that reach it all.
    pub fn is_organisers(self) -> bool {
        matches!(
            self,
            Action::ViewSchoolOverview
                | Action::ScheduleSessions
                | Action::ManageAttendance
                | Action::ManageProgramme
        )
    }
}

pub fn may(roles: &Roles, action: Action) -> bool {
    match action {
        Action::ManageAccounts => roles.has(Role::Admin),
        Action::ViewSchoolOverview
        | Action::ScheduleSessions
        | Action::ManageAttendance
        | Action::ManageProgramme => roles.has(Role::Organiser),
        Action::ViewOwnLectures => roles.has(Role::Lecturer),
        Action::ViewOwnTimetable | Action::AttendAsCadre => roles.has(Role::Cadre),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_action_needs_its_role() {
        use Action::*;
        let table = [
            (Role::Admin, ManageAccounts),
            (Role::Organiser, ViewSchoolOverview),
            (Role::Organiser, ScheduleSessions),
            (Role::Lecturer, ViewOwnLectures),
            (Role::Cadre, ViewOwnTimetable),
            (Role::Organiser, ManageAttendance),
            (Role::Cadre, AttendAsCadre),
            (Role::Organiser, ManageProgramme),
        ];
        for (role, action) in table {
            assert!(may(&Roles::new([role]), action), "{role:?} {action:?}");
            for other in Role::ALL.into_iter().filter(|r| *r != role) {
                assert!(!may(&Roles::new([other]), action), "{other:?} {action:?}");
            }
        }
        assert!(!may(&Roles::default(), ViewOwnTimetable));
    }
}

/// Whether someone may see a session's details (and download it for their calendar):
/// organisers of the whole install (`organiser`) always, its lecturers, and cadres in its
/// audience. Organisers of part of it: `org::Reach::session_right`.
pub fn may_see_session(
    organiser: bool,
    roles: &Roles,
    lectures_it: bool,
    in_audience: bool,
) -> bool {
    organiser || lectures_it || (roles.has(Role::Cadre) && in_audience)
}

/// Whether someone may write a session's material, see its drafts and versions' owner
/// actions, and read and answer its reflections: organisers and the session's lecturers.
pub fn may_edit_material(organiser: bool, roles: &Roles, lectures_it: bool) -> bool {
    organiser || (lectures_it && roles.has(Role::Lecturer))
}

/// Whether a change would leave no enabled admin. `target_active_admin` says whether the
/// account being changed is an enabled admin now, `stays_active_admin` whether it is after.
pub fn removes_last_admin(
    active_admins: i64,
    target_active_admin: bool,
    stays_active_admin: bool,
) -> bool {
    target_active_admin && !stays_active_admin && active_admins <= 1
}

#[cfg(test)]
mod admin_tests {
    use super::{Role, Roles, may_edit_material, may_see_session, removes_last_admin};

    #[test]
    fn who_sees_a_session() {
        let cadre = Roles::new([Role::Cadre]);
        let organiser = Roles::new([Role::Organiser]);
        let lecturer = Roles::new([Role::Lecturer]);
        assert!(may_see_session(true, &organiser, false, false));
        assert!(may_see_session(false, &lecturer, true, false));
        assert!(
            !may_see_session(false, &lecturer, false, true),
            "not a cadre, not lecturing it"
        );
        assert!(may_see_session(false, &cadre, false, true));
        assert!(!may_see_session(false, &cadre, false, false));
        assert!(may_edit_material(true, &organiser, false));
        assert!(may_edit_material(false, &lecturer, true));
        assert!(
            !may_edit_material(false, &lecturer, false),
            "someone else's lecture"
        );
        assert!(
            !may_edit_material(false, &cadre, true),
            "a cadre named by mistake"
        );
    }

    #[test]
    fn the_last_admin_stays() {
        assert!(removes_last_admin(1, true, false));
        assert!(!removes_last_admin(2, true, false));
        assert!(!removes_last_admin(1, true, true));
        assert!(!removes_last_admin(1, false, false));
        assert!(!removes_last_admin(0, false, true));
    }
}
