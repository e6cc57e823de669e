//! The organisation tree, kept by admins: the district's subdistricts (each with the name
//! of its lecture series) and their communities.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CommunityView {
    pub id: i64,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SubdistrictView {
    pub id: i64,
    pub name: String,
    pub series_name: String,
    pub communities: Vec<CommunityView>,
}

/// A name as typed: trimmed, 1 to `max` characters.
#[cfg(feature = "ssr")]
fn name_field(raw: &str, max: usize, required: bool) -> Result<String, AppError> {
    use crate::domain::session_draft::{Field, FieldProblem, Problem};
    let name = raw.trim();
    let problem = if required && name.is_empty() {
        Some(Problem::Required)
    } else if name.chars().count() > max {
        Some(Problem::TooLong)
    } else {
        None
    };
    match problem {
        Some(problem) => Err(AppError::Form(vec![FieldProblem {
            field: Field::UnitName,
            problem,
        }])),
        None => Ok(name.to_string()),
    }
}

/// The audit line of a change to the tree, by the signed-in admin.
#[cfg(feature = "ssr")]
fn tree_line(
    me: &crate::ssr::user::CurrentUser,
    target: &str,
    detail: serde_json::Value,
) -> crate::domain::audit::AuditLine {
    use crate::domain::audit::{AuditKind, AuditOutcome};
    crate::ssr::audit::with_detail(
        crate::ssr::audit::by(me, AuditKind::OrganisationChanged, AuditOutcome::Ok, target),
        detail,
    )
}

#[cfg(feature = "ssr")]
fn taken(err: crate::ssr::db::RepoError) -> AppError {
    match err {
        crate::ssr::db::RepoError::Conflict => {
            AppError::Conflict(crate::error::Conflict::NameTaken)
        }
        other => other.into(),
    }
}

/// Every subdistrict with its communities.
#[server(endpoint = "organisation_tree")]
pub async fn organisation_tree() -> Result<Vec<SubdistrictView>, AppError> {
    use crate::domain::policy::Action;
    use crate::ssr::guard::{authorize, finish, state};
    finish(
        async {
            authorize(Action::ManageAccounts)?;
            let repo = state()?.repo;
            let communities = repo.communities().await?;
            Ok(repo
                .subdistricts()
                .await?
                .into_iter()
                .map(|s| SubdistrictView {
                    communities: communities
                        .iter()
                        .filter(|c| c.subdistrict_id == s.id)
                        .map(|c| CommunityView {
                            id: c.id,
                            name: c.name.clone(),
                        })
                        .collect(),
                    id: s.id,
                    name: s.name,
                    series_name: s.series_name,
                })
                .collect())
        }
        .await,
    )
}

/// Adds a subdistrict; its name is unique in the district.
#[server(endpoint = "subdistrict_add")]
pub async fn add_subdistrict(name: String, series_name: String) -> Result<i64, AppError> {
    use crate::domain::policy::Action;
    use crate::ssr::guard::{authorize, finish, state};
    finish(
        async {
            let me = authorize(Action::ManageAccounts)?;
            let name = name_field(&name, 40, true)?;
            let series = name_field(&series_name, 40, false)?;
            let line = tree_line(
                &me,
                "subdistrict",
                serde_json::json!({ "added": name, "series": series }),
            );
            state()?
                .repo
                .create_subdistrict(&name, &series, &line)
                .await
                .map_err(taken)
        }
        .await,
    )
}

/// Renames a subdistrict or its lecture series.
#[server(endpoint = "subdistrict_rename")]
pub async fn rename_subdistrict(
    id: i64,
    name: String,
    series_name: String,
) -> Result<(), AppError> {
    use crate::domain::policy::Action;
    use crate::ssr::guard::{authorize, finish, state};
    finish(
        async {
            let me = authorize(Action::ManageAccounts)?;
            let name = name_field(&name, 40, true)?;
            let series = name_field(&series_name, 40, false)?;
            let line = tree_line(
                &me,
                &format!("subdistrict:{id}"),
                serde_json::json!({ "name": name, "series": series }),
            );
            if state()?
                .repo
                .rename_subdistrict(id, &name, &series, &line)
                .await
                .map_err(taken)?
            {
                Ok(())
            } else {
                Err(AppError::NotFound)
            }
        }
        .await,
    )
}

/// Adds a community to a subdistrict; its name is unique within the subdistrict.
#[server(endpoint = "community_add")]
pub async fn add_community(subdistrict_id: i64, name: String) -> Result<i64, AppError> {
    use crate::domain::policy::Action;
    use crate::ssr::guard::{authorize, finish, state};
    finish(
        async {
            let me = authorize(Action::ManageAccounts)?;
            let name = name_field(&name, 40, true)?;
            let repo = state()?.repo;
            if !repo
                .subdistricts()
                .await?
                .iter()
                .any(|s| s.id == subdistrict_id)
            {
                return Err(AppError::NotFound);
            }
            let line = tree_line(
                &me,
                &format!("subdistrict:{subdistrict_id}"),
                serde_json::json!({ "community": name }),
            );
            repo.add_community(subdistrict_id, &name, &line)
                .await
                .map_err(taken)
        }
        .await,
    )
}
