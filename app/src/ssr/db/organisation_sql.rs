//! Compiled once per backend (`#[path]` in `sqlite.rs` and `postgres.rs`, with `Db` the
//! backend there): one SQL text for both.
use super::*;
use crate::domain::org::{Place, Reach, Unit};
use crate::ssr::db::organisation::{OrganisationStore, Subdistrict};

#[async_trait::async_trait]
impl OrganisationStore for SqlRepository<Db> {
    #[tracing::instrument(skip_all)]
    async fn subdistricts(&self) -> RepoResult<Vec<Subdistrict>> {
        let rows: Vec<(i64, String, String)> =
            sqlx::query_as("select id, name, series_name from subdistricts order by id")
                .fetch_all(&self.read)
                .await?;
        Ok(rows
            .into_iter()
            .map(|(id, name, series_name)| Subdistrict {
                id,
                name,
                series_name,
            })
            .collect())
    }

    #[tracing::instrument(skip_all)]
    async fn create_subdistrict(
        &self,
        name: &str,
        series_name: &str,
        audit: &AuditLine,
    ) -> RepoResult<i64> {
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "insert into subdistricts (name, series_name, created_at) values ($1, $2, $3) \
             returning id",
        )
        .bind(name)
        .bind(series_name)
        .bind(audit.at.0)
        .fetch_one(&mut *tx)
        .await
        .map_err(map_unique)?;
        let mut line = audit.clone();
        line.target = format!("subdistrict:{id}");
        Self::insert_audit(&mut tx, &line).await?;
        tx.commit().await?;
        Ok(id)
    }

    #[tracing::instrument(skip_all)]
    async fn rename_subdistrict(
        &self,
        id: i64,
        name: &str,
        series_name: &str,
        audit: &AuditLine,
    ) -> RepoResult<bool> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query("update subdistricts set name = $2, series_name = $3 where id = $1")
            .bind(id)
            .bind(name)
            .bind(series_name)
            .execute(&mut *tx)
            .await
            .map_err(map_unique)?
            .rows_affected()
            == 1;
        if done {
            Self::insert_audit(&mut tx, audit).await?;
            tx.commit().await?;
        }
        Ok(done)
    }

    #[tracing::instrument(skip_all)]
    async fn add_community(
        &self,
        subdistrict_id: i64,
        name: &str,
        audit: &AuditLine,
    ) -> RepoResult<i64> {
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "insert into communities (name, subdistrict_id, created_at) values ($1, $2, $3) \
             returning id",
        )
        .bind(name)
        .bind(subdistrict_id)
        .bind(audit.at.0)
        .fetch_one(&mut *tx)
        .await
        .map_err(map_unique)?;
        let mut line = audit.clone();
        line.target = format!("community:{id}");
        Self::insert_audit(&mut tx, &line).await?;
        tx.commit().await?;
        Ok(id)
    }

    #[tracing::instrument(skip_all)]
    async fn grant_unit(&self, account_id: i64, unit: Unit, audit: &AuditLine) -> RepoResult<bool> {
        let mut tx = self.begin_write().await?;
        let (kind, ref_id) = unit.stored();
        let unit_exists: Option<i64> = match unit {
            Unit::District => Some(0),
            Unit::Subdistrict(id) => {
                sqlx::query_scalar("select id from subdistricts where id = $1")
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?
            }
            Unit::Community(id) => {
                sqlx::query_scalar("select id from communities where id = $1")
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?
            }
        };
        let account: Option<i64> = sqlx::query_scalar("select id from accounts where id = $1")
            .bind(account_id)
            .fetch_optional(&mut *tx)
            .await?;
        if unit_exists.is_none() || account.is_none() {
            return Ok(false);
        }
        sqlx::query(
            "insert into organiser_units (account_id, kind, ref_id) values ($1, $2, $3) \
             on conflict do nothing",
        )
        .bind(account_id)
        .bind(kind)
        .bind(ref_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "insert into account_roles (account_id, role) values ($1, 'organiser') \
             on conflict do nothing",
        )
        .bind(account_id)
        .execute(&mut *tx)
        .await?;
        Self::end_sessions_and_commit(tx, account_id, audit).await?;
        Ok(true)
    }

    #[tracing::instrument(skip_all)]
    async fn revoke_unit(
        &self,
        account_id: i64,
        unit: Unit,
        audit: &AuditLine,
    ) -> RepoResult<bool> {
        let mut tx = self.begin_write().await?;
        let (kind, ref_id) = unit.stored();
        let gone = sqlx::query(
            "delete from organiser_units where account_id = $1 and kind = $2 and ref_id = $3",
        )
        .bind(account_id)
        .bind(kind)
        .bind(ref_id)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if !gone {
            return Ok(false);
        }
        sqlx::query(
            "delete from account_roles where account_id = $1 and role = 'organiser' \
             and not exists (select 1 from organiser_units where account_id = $1)",
        )
        .bind(account_id)
        .execute(&mut *tx)
        .await?;
        Self::end_sessions_and_commit(tx, account_id, audit).await?;
        Ok(true)
    }

    #[tracing::instrument(skip_all)]
    async fn organiser_units(&self) -> RepoResult<Vec<(i64, Unit)>> {
        let rows: Vec<(i64, String, i64)> = sqlx::query_as(
            "select account_id, kind, ref_id from organiser_units order by account_id, kind, ref_id",
        )
        .fetch_all(&self.read)
        .await?;
        rows.into_iter()
            .map(|(account, kind, id)| {
                Unit::from_stored(&kind, id)
                    .map(|unit| (account, unit))
                    .ok_or(RepoError::BadValue(kind, "organiser_units.kind"))
            })
            .collect()
    }

    #[tracing::instrument(skip_all)]
    async fn reach_of(&self, account_id: i64) -> RepoResult<Reach> {
        let rows: Vec<(String, i64, Option<i64>)> = sqlx::query_as(
            "select u.kind, u.ref_id, c.subdistrict_id from organiser_units u \
             left join communities c on u.kind = 'community' and c.id = u.ref_id \
             where u.account_id = $1",
        )
        .bind(account_id)
        .fetch_all(&self.read)
        .await?;
        let mut grants = Vec::with_capacity(rows.len());
        let mut subdistrict_of = std::collections::HashMap::new();
        for (kind, id, sub) in rows {
            let unit = Unit::from_stored(&kind, id)
                .ok_or_else(|| RepoError::BadValue(kind.clone(), "organiser_units.kind"))?;
            if let Some(sub) = sub {
                subdistrict_of.insert(id, sub);
            }
            grants.push(unit);
        }
        Ok(Reach::resolve(&grants, |c| subdistrict_of.get(&c).copied()))
    }

    #[tracing::instrument(skip_all)]
    async fn person_place(&self, person_id: i64) -> RepoResult<Option<Place>> {
        let row: Option<(Option<i64>, Option<i64>)> = sqlx::query_as(
            "select p.community_id, c.subdistrict_id from people p \
             left join communities c on c.id = p.community_id where p.id = $1",
        )
        .bind(person_id)
        .fetch_optional(&self.read)
        .await?;
        Ok(row.map(|(community, subdistrict)| Place {
            subdistrict,
            community,
        }))
    }

    #[tracing::instrument(skip_all)]
    async fn session_subdistrict(&self, session_id: i64) -> RepoResult<Option<Option<i64>>> {
        Ok(
            sqlx::query_scalar("select subdistrict_id from sessions where id = $1")
                .bind(session_id)
                .fetch_optional(&self.read)
                .await?,
        )
    }

    #[tracing::instrument(skip_all)]
    async fn audience_reached(&self, session_id: i64, reach: &Reach) -> RepoResult<bool> {
        let mut sql = sqlx::QueryBuilder::new(format!(
            "select s.id from sessions s join people p on p.tier_id is not null and {} \
             where s.id = ",
            in_audience("p.tier_id", "p.community_id", "p.id")
        ));
        sql.push_bind(session_id).push(" and ");
        clauses::within(&mut sql, "p.community_id", Some(reach));
        sql.push(" limit 1");
        let hit: Option<i64> = sql.build_query_scalar().fetch_optional(&self.read).await?;
        Ok(hit.is_some())
    }
}
