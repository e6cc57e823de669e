//! Conditions many queries share, pushed onto an `sqlx::QueryBuilder`: every id, date and
//! pattern is bound by sqlx, which numbers the placeholders for the backend (`$n` on
//! PostgreSQL, `?` on SQLite). Generic over the backend, so the one text serves both.
use sqlx::{Database, Encode, QueryBuilder, Type};

use super::planning::Scope;
use crate::domain::Timestamp;
use crate::domain::audience::Member;
use crate::domain::listing::{SessionFilter, When};
use crate::domain::org::Reach;
use crate::domain::search::Query;

/// A backend that binds the values these conditions carry: integers (maybe null) and text.
pub(super) trait Binds<'a>: Database {
    fn bind_int(query: &mut QueryBuilder<'a, Self>, value: Option<i64>);
    fn bind_text(query: &mut QueryBuilder<'a, Self>, value: String);
}

impl<'a, DB: Database> Binds<'a> for DB
where
    i64: Encode<'a, DB> + Type<DB>,
    Option<i64>: Encode<'a, DB>,
    String: Encode<'a, DB> + Type<DB>,
{
    fn bind_int(query: &mut QueryBuilder<'a, Self>, value: Option<i64>) {
        query.push_bind(value);
    }

    fn bind_text(query: &mut QueryBuilder<'a, Self>, value: String) {
        query.push_bind(value);
    }
}

/// Pushes one bound integer.
pub(super) fn int<'a, DB: Binds<'a>>(query: &mut QueryBuilder<'a, DB>, value: i64) {
    DB::bind_int(query, Some(value));
}

/// Appends `(id, id, …)`, every id bound: an `in` list. Callers make sure it is not empty.
pub(super) fn in_list<'a, DB: Binds<'a>>(
    query: &mut QueryBuilder<'a, DB>,
    ids: impl IntoIterator<Item = i64>,
) {
    query.push("(");
    for (i, id) in ids.into_iter().enumerate() {
        if i > 0 {
            query.push(", ");
        }
        int(query, id);
    }
    query.push(")");
}

/// ` and <column> = <id>` when the read is for one person, nothing for everyone (rather
/// than `$n = 0 or …`, which keeps SQLite from using the person's index).
pub(super) fn only<'a, DB: Binds<'a>>(
    query: &mut QueryBuilder<'a, DB>,
    column: &str,
    person: Option<i64>,
) {
    if let Some(id) = person {
        query.push(format_args!(" and {column} = "));
        int(query, id);
    }
}

/// A condition true when the community named by the expression `community` lies within
/// `reach` (`None`: no limit).
pub(super) fn within<'a, DB: Binds<'a>>(
    query: &mut QueryBuilder<'a, DB>,
    community: &str,
    reach: Option<&Reach>,
) {
    let Some(reach) = reach.filter(|r| !r.district) else {
        query.push("true");
        return;
    };
    if reach.subdistricts.is_empty() && reach.communities.is_empty() {
        query.push("false");
        return;
    }
    query.push("(");
    if !reach.subdistricts.is_empty() {
        query.push(format_args!(
            "{community} in (select rc.id from communities rc where rc.subdistrict_id in "
        ));
        in_list(query, reach.subdistricts.iter().copied());
        query.push(")");
        if !reach.communities.is_empty() {
            query.push(" or ");
        }
    }
    if !reach.communities.is_empty() {
        query.push(format_args!("{community} in "));
        in_list(query, reach.communities.iter().map(|(id, _)| *id));
    }
    query.push(")");
}

/// The rule of `Audience::includes` over session `s`, with `{tier}`, `{community}` and
/// `{person}` standing for the cadre's: everyone, a tier or a community means those of the
/// session's subdistrict (of the whole district for a district session); a person named is
/// in it wherever they are.
const IN_AUDIENCE: &str = "(((s.subdistrict_id is null or coalesce(s.subdistrict_id = \
     (select ac.subdistrict_id from communities ac where ac.id = {community}), false)) \
     and (s.audience = 'everyone' or exists (select 1 from session_audience a \
     where a.session_id = s.id and ((a.kind = 'tier' and a.ref_id = {tier}) \
     or (a.kind = 'community' and a.ref_id = {community}))))) \
     or exists (select 1 from session_audience ap where ap.session_id = s.id \
     and ap.kind = 'person' and ap.ref_id = {person}))";

/// SQL true when the cadre given by the three column expressions is in the audience of
/// session `s`.
pub(crate) fn in_audience(tier: &str, community: &str, person: &str) -> String {
    IN_AUDIENCE
        .replace("{tier}", tier)
        .replace("{community}", community)
        .replace("{person}", person)
}

/// The same condition for one member, their ids bound.
pub(super) fn member_in_audience<'a, DB: Binds<'a>>(
    query: &mut QueryBuilder<'a, DB>,
    member: &Member,
) {
    let mut rest = IN_AUDIENCE;
    while let Some((text, after)) = rest.split_once('{') {
        let (name, after) = after.split_once('}').unwrap_or((after, ""));
        query.push(text);
        let value = match name {
            "tier" => member.tier_id,
            "community" => member.community_id,
            _ => Some(member.person_id),
        };
        DB::bind_int(query, value);
        rest = after;
    }
    query.push(rest);
}

/// A condition true when an organiser with `reach` may see session `s`: it is held by a
/// subdistrict the reach covers wholly, or someone the reach covers is in its audience.
pub(super) fn session_reached<'a, DB: Binds<'a>>(query: &mut QueryBuilder<'a, DB>, reach: &Reach) {
    if reach.district {
        query.push("true");
        return;
    }
    query.push("(");
    if reach.subdistricts.is_empty() {
        query.push("false");
    } else {
        query.push("s.subdistrict_id in ");
        in_list(query, reach.subdistricts.iter().copied());
    }
    query.push(" or exists (select 1 from people rp where rp.tier_id is not null and ");
    within(query, "rp.community_id", Some(reach));
    query.push(" and ");
    query.push(in_audience("rp.tier_id", "rp.community_id", "rp.id"));
    query.push("))");
}

/// ` and (…)`: limits `s` to what `scope` may see.
pub(super) fn scope<'a, DB: Binds<'a>>(query: &mut QueryBuilder<'a, DB>, scope: &Scope) {
    let Scope::Person {
        member,
        audience,
        lectures,
        organiser,
    } = scope
    else {
        return;
    };
    query.push(" and (false");
    if *audience {
        query.push(" or ");
        member_in_audience(query, member);
    }
    if *lectures {
        query.push(
            " or exists (select 1 from session_lecturers l \
             where l.session_id = s.id and l.person_id = ",
        );
        int(query, member.person_id);
        query.push(")");
    }
    if let Some(reach) = organiser {
        query.push(" or ");
        session_reached(query, reach);
    }
    query.push(")");
}

/// The session list filter's conditions over `s`, each ` and …`.
pub(super) fn filter<'a, DB: Binds<'a>>(
    query: &mut QueryBuilder<'a, DB>,
    filter: &SessionFilter,
    now: Timestamp,
) {
    query.push(match filter.when {
        When::Upcoming => " and s.ends_at > ",
        When::Past => " and s.ends_at <= ",
    });
    int(query, now.0);
    if let Some(theme) = filter.theme_id {
        query.push(" and s.theme_id = ");
        int(query, theme);
    }
    if let Some(format) = filter.format {
        query.push(" and s.format = ");
        DB::bind_text(query, format.as_str().to_string());
    }
    if let Some(lecturer) = filter.lecturer_id {
        query.push(
            " and exists (select 1 from session_lecturers fl \
             where fl.session_id = s.id and fl.person_id = ",
        );
        int(query, lecturer);
        query.push(")");
    }
    for (kind, id) in [("community", filter.community_id), ("tier", filter.tier_id)] {
        if let Some(id) = id {
            query.push(format_args!(
                " and (s.audience = 'everyone' or exists (select 1 from session_audience fa \
                 where fa.session_id = s.id and fa.kind = '{kind}' and fa.ref_id = "
            ));
            int(query, id);
            query.push("))");
        }
    }
}

/// The conditions every search shares: the caller's scope over `s`, materials only once
/// they reach the audience (or for the session's editors), reflections only when asked.
/// `kind` is the SQL expression of the hit's kind.
pub(super) fn search_conditions<'a, DB: Binds<'a>>(
    query: &mut QueryBuilder<'a, DB>,
    kind: &str,
    who: &Scope,
    reflections: bool,
    now: Timestamp,
) {
    query.push(format_args!(
        " and ({kind} <> 1 or m.publication = 'published' \
         or (m.publication = 'after_session' and s.ends_at <= "
    ));
    int(query, now.0);
    query.push(") or ");
    match who {
        Scope::All => {
            query.push("true");
        }
        Scope::Person { member, .. } => {
            query.push(
                "exists (select 1 from session_lecturers el \
                 where el.session_id = s.id and el.person_id = ",
            );
            int(query, member.person_id);
            query.push(")");
        }
    }
    query.push(")");
    if !reflections {
        query.push(format_args!(" and {kind} <> 2"));
    }
    scope(query, who);
}

/// ` and (column like $n escape '\' or …)` for every pattern of the query, all required.
pub(super) fn like_all<'a, DB: Binds<'a>>(
    query: &mut QueryBuilder<'a, DB>,
    columns: &[&str],
    search: &Query,
    op: &str,
) {
    for pattern in search.like_patterns() {
        query.push(" and (");
        for (i, column) in columns.iter().enumerate() {
            if i > 0 {
                query.push(" or ");
            }
            query.push(format_args!("{column} {op} "));
            DB::bind_text(query, pattern.clone());
            query.push(" escape '\\'");
        }
        query.push(")");
    }
}

#[cfg(test)]
mod tests {
    use sqlx::{Postgres, Sqlite};

    use super::*;

    /// Person 7 of tier 2, in no community.
    fn member() -> Member {
        Member {
            person_id: 7,
            tier_id: Some(2),
            community_id: None,
            subdistrict_id: None,
        }
    }

    #[test]
    fn in_lists_bind_every_id() {
        let mut query = QueryBuilder::<Postgres>::new("select 1 where 2 in ");
        in_list(&mut query, [1, 2, 3]);
        assert_eq!(query.sql(), "select 1 where 2 in ($1, $2, $3)");
        let mut query = QueryBuilder::<Sqlite>::new("x in ");
        in_list(&mut query, [7]);
        assert_eq!(query.sql(), "x in (?)");
    }

    #[test]
    fn reach_is_bound_not_written() {
        let reach = Reach {
            district: false,
            subdistricts: vec![4],
            communities: vec![(9, 4), (11, 5)],
        };
        let mut query = QueryBuilder::<Postgres>::new("where ");
        within(&mut query, "p.community_id", Some(&reach));
        assert_eq!(
            query.sql(),
            "where (p.community_id in (select rc.id from communities rc \
             where rc.subdistrict_id in ($1)) or p.community_id in ($2, $3))"
        );
        let mut all = QueryBuilder::<Postgres>::new("");
        within(&mut all, "c", None);
        within(&mut all, "c", Some(&Reach::default()));
        assert_eq!(all.sql(), "truefalse");
        let mut one = QueryBuilder::<Postgres>::new("where true");
        only(&mut one, "p.id", Some(7));
        only(&mut one, "p.id", None);
        assert_eq!(one.sql(), "where true and p.id = $1");
    }

    #[test]
    fn a_member_audience_binds_the_member_ids_in_place() {
        let member = member();
        let mut query = QueryBuilder::<Postgres>::new("");
        member_in_audience(&mut query, &member);
        let expected = IN_AUDIENCE
            .replacen("{community}", "$1", 1)
            .replacen("{tier}", "$2", 1)
            .replacen("{community}", "$3", 1)
            .replacen("{person}", "$4", 1);
        assert!(!expected.contains('{'));
        assert_eq!(query.sql(), expected);
    }

    #[test]
    fn scopes_and_filters_number_their_placeholders_in_order() {
        let member = member();
        let mut query = QueryBuilder::<Postgres>::new("select s.id from sessions s where true");
        scope(
            &mut query,
            &Scope::Person {
                member,
                audience: true,
                lectures: true,
                organiser: None,
            },
        );
        assert!(query.sql().contains("l.person_id = $5"));
        filter(
            &mut query,
            &SessionFilter {
                tier_id: Some(2),
                ..Default::default()
            },
            Timestamp(0),
        );
        let sql = query.sql();
        assert!(sql.contains("s.ends_at > $6") && sql.contains("fa.ref_id = $7"));
        let mut all = QueryBuilder::<Postgres>::new("");
        scope(&mut all, &Scope::All);
        assert!(all.sql().is_empty());
    }
}
