use serde::{Deserialize, Serialize};

/// What a person may do in the product. One account can hold several roles: a benchmark
/// community secretary is a cadre in the programme and a lecturer at a forum.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Role {
    Cadre,
    Lecturer,
    Organiser,
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Cadre, Role::Lecturer, Role::Organiser, Role::Admin];

    /// The spelling stored in the database and used in forms.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Cadre => "cadre",
            Role::Lecturer => "lecturer",
            Role::Organiser => "organiser",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// The set of roles an account holds, kept sorted and without repeats.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Roles(Vec<Role>);

impl Roles {
    pub fn new(roles: impl IntoIterator<Item = Role>) -> Self {
        let mut v: Vec<Role> = roles.into_iter().collect();
        v.sort();
        v.dedup();
        Roles(v)
    }

    pub fn has(&self, role: Role) -> bool {
        self.0.contains(&role)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = Role> + '_ {
        self.0.iter().copied()
    }

    /// Organisers and admins can change other people's records, so their sessions never get
    /// the long "remember me" lifetime meant for a cadre's own phone.
    /// Holds the cadre role and nothing else: the only accounts that may stay signed in
    /// for weeks on their owner's phone.
    pub fn is_cadre_only(&self) -> bool {
        let mut roles = self.iter();
        roles.next() == Some(Role::Cadre) && roles.next().is_none()
    }

    pub fn is_privileged(&self) -> bool {
        self.has(Role::Organiser) || self.has(Role::Admin)
    }

    /// The page a person lands on after login. With several roles the most demanding one
    /// wins; the navigation bar links to the others.
    pub fn home(&self) -> Home {
        if self.has(Role::Admin) {
            Home::Accounts
        } else if self.has(Role::Organiser) {
            Home::Organiser
        } else if self.has(Role::Lecturer) {
            Home::Lecturer
        } else {
            Home::Cadre
        }
    }

    /// Every home this account may open, in navigation order.
    /// Whether the session lists, calendars and feeds have anything for these roles (an
    /// account that only administers accounts has no sessions).
    pub fn sees_sessions(&self) -> bool {
        self.has(Role::Cadre) || self.has(Role::Lecturer) || self.has(Role::Organiser)
    }

    pub fn homes(&self) -> Vec<Home> {
        let mut homes = Vec::new();
        if self.has(Role::Cadre) {
            homes.push(Home::Cadre);
        }
        if self.has(Role::Lecturer) {
            homes.push(Home::Lecturer);
        }
        if self.has(Role::Organiser) {
            homes.push(Home::Organiser);
        }
        if self.has(Role::Admin) {
            homes.push(Home::Accounts);
        }
        homes
    }
}

/// A role's landing page.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Home {
    Cadre,
    Lecturer,
    Organiser,
    Accounts,
}

impl Home {
    pub fn path(self) -> &'static str {
        match self {
            Home::Cadre => "/me",
            Home::Lecturer => "/lecturer",
            Home::Organiser => "/organiser",
            Home::Accounts => "/admin/accounts",
        }
    }

    /// The role a page belongs to; the server checks it on every request for its data.
    pub fn role(self) -> Role {
        match self {
            Home::Cadre => Role::Cadre,
            Home::Lecturer => Role::Lecturer,
            Home::Organiser => Role::Organiser,
            Home::Accounts => Role::Admin,
        }
    }
}

/// A redirect target taken from a query string is followed only when it resolves to this
/// site's own origin: a path that starts with one `/`. Browsers drop tabs and newlines from
/// a URL and read `\\` as `/`, so `/\t/evil.example` would become `//evil.example` (another
/// site); anything but printable ASCII is refused (the login redirect percent-encodes the
/// rest), and so is a backslash anywhere.
pub fn safe_next(next: Option<&str>) -> Option<&str> {
    next.filter(|n| {
        n.starts_with('/')
            && !n.starts_with("//")
            && n.bytes().all(|b| b.is_ascii_graphic() && b != b'\\')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_role_lands_on_its_own_home() {
        let cases = [
            (vec![Role::Cadre], Home::Cadre),
            (vec![Role::Lecturer], Home::Lecturer),
            (vec![Role::Cadre, Role::Lecturer], Home::Lecturer),
            (vec![Role::Organiser, Role::Cadre], Home::Organiser),
            (vec![Role::Admin, Role::Organiser], Home::Accounts),
            (vec![], Home::Cadre),
        ];
        for (roles, home) in cases {
            assert_eq!(Roles::new(roles.clone()).home(), home, "{roles:?}");
        }
    }

    #[test]
    fn roles_are_sorted_and_unique() {
        let r = Roles::new([Role::Admin, Role::Cadre, Role::Admin]);
        assert_eq!(r.iter().collect::<Vec<_>>(), vec![Role::Cadre, Role::Admin]);
        assert_eq!(r.homes(), vec![Home::Cadre, Home::Accounts]);
    }

    #[test]
    fn role_names_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn only_organisers_and_admins_are_privileged() {
        assert!(!Roles::new([Role::Cadre, Role::Lecturer]).is_privileged());
        assert!(Roles::new([Role::Organiser]).is_privileged());
        assert!(Roles::new([Role::Admin]).is_privileged());
        assert!(Roles::new([Role::Cadre]).is_cadre_only());
        assert!(!Roles::new([Role::Cadre, Role::Lecturer]).is_cadre_only());
        assert!(!Roles::new([Role::Lecturer]).is_cadre_only());
        assert!(!Roles::new([]).is_cadre_only());
    }

    #[test]
    fn next_must_stay_on_site() {
        assert_eq!(safe_next(Some("/me")), Some("/me"));
        assert_eq!(safe_next(Some("//evil.example")), None);
        assert_eq!(safe_next(Some("https://evil.example")), None);
        assert_eq!(safe_next(Some("/\\evil")), None);
        assert_eq!(safe_next(Some("/\t/evil.example")), None);
        assert_eq!(safe_next(Some("/\n/evil.example")), None);
        assert_eq!(safe_next(Some("/ /evil.example")), None);
        assert_eq!(safe_next(Some("\t//evil.example")), None);
        assert_eq!(
            safe_next(Some("/%09/evil.example")),
            Some("/%09/evil.example")
        );
        assert_eq!(
            safe_next(Some("/sessions?theme=2&q=%E4%BF%A1")),
            Some("/sessions?theme=2&q=%E4%BF%A1")
        );
        assert_eq!(safe_next(None), None);
    }
}
