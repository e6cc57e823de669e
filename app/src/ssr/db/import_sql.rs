//! Compiled once per backend (`#[path]` in `sqlite.rs` and `postgres.rs`, with `Db` the
//! backend there): one SQL text for both.
use super::*;

use crate::domain::Timestamp;
use crate::domain::import::{ImportRow, Known, KnownCommunity, KnownPerson, username_for};
use crate::domain::org::Unit;
use crate::domain::people::TierChangeKind;
use crate::ssr::db::TierChange;
use crate::ssr::db::import::*;
use crate::ssr::db::shared::map_unique;

#[async_trait]
impl ImportStore for SqlRepository<Db> {
    #[tracing::instrument(skip_all)]
    async fn import_known(&self) -> RepoResult<Known> {
        let subdistricts: Vec<(i64, String)> =
            sqlx::query_as("select id, name from subdistricts order by id")
                .fetch_all(&self.read)
                .await?;
        let communities: Vec<(i64, String, i64)> =
            sqlx::query_as("select id, name, subdistrict_id from communities order by id")
                .fetch_all(&self.read)
                .await?;
        let tiers: Vec<(i64, String, String)> =
            sqlx::query_as("select id, name_zh, name_en from tiers order by rank")
                .fetch_all(&self.read)
                .await?;
        #[derive(sqlx::FromRow)]
        struct PersonRow {
            id: i64,
            name: String,
            community_id: Option<i64>,
            phone: String,
            tier_id: Option<i64>,
            has_account: bool,
        }
        let people: Vec<PersonRow> = sqlx::query_as(
            "select p.id, p.name, p.community_id, p.phone, p.tier_id, \
             exists (select 1 from accounts a where a.person_id = p.id) as has_account \
             from people p",
        )
        .fetch_all(&self.read)
        .await?;
        let usernames: Vec<String> = sqlx::query_scalar("select lower(username) from accounts")
            .fetch_all(&self.read)
            .await?;
        Ok(Known {
            subdistricts,
            communities: communities
                .into_iter()
                .map(|(id, name, subdistrict_id)| KnownCommunity {
                    id,
                    name,
                    subdistrict_id,
                })
                .collect(),
            tiers,
            people: people
                .into_iter()
                .map(|r| KnownPerson {
                    id: r.id,
                    name: r.name,
                    community_id: r.community_id,
                    phone: r.phone,
                    tier_id: r.tier_id,
                    has_account: r.has_account,
                })
                .collect(),
            usernames,
        })
    }

    #[tracing::instrument(skip_all)]
    async fn save_import_batch(
        &self,
        created_by: i64,
        file_name: &str,
        rows_json: &str,
        now: Timestamp,
    ) -> RepoResult<i64> {
        sqlx::query("delete from import_batches where created_at < $1")
            .bind(now.0 - BATCH_TTL_SECS)
            .execute(&self.write)
            .await?;
        Ok(sqlx::query_scalar(
            "insert into import_batches (created_by, file_name, rows_json, created_at) \
             values ($1, $2, $3, $4) returning id",
        )
        .bind(created_by)
        .bind(file_name)
        .bind(rows_json)
        .bind(now.0)
        .fetch_one(&self.write)
        .await?)
    }

    #[tracing::instrument(skip_all)]
    async fn import_batch(&self, id: i64) -> RepoResult<Option<ImportBatch>> {
        let row: Option<(i64, i64, String, String, i64)> = sqlx::query_as(
            "select id, created_by, file_name, rows_json, created_at \
             from import_batches where id = $1",
        )
        .bind(id)
        .fetch_optional(&self.read)
        .await?;
        Ok(
            row.map(|(id, created_by, file_name, rows_json, at)| ImportBatch {
                id,
                created_by,
                file_name,
                rows_json,
                created_at: Timestamp(at),
            }),
        )
    }

    #[tracing::instrument(skip_all)]
    async fn apply_import(
        &self,
        batch_id: i64,
        rows: &[ImportRow],
        actor: i64,
        password_hash: &str,
        audit: &crate::ssr::db::AuditLine,
        now: Timestamp,
    ) -> RepoResult<Option<(usize, usize)>> {
        let mut tx = self.write.begin().await?;
        // Taking the batch first makes a second confirmation find nothing.
        let taken = sqlx::query("delete from import_batches where id = $1")
            .bind(batch_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if taken == 0 {
            return Ok(None);
        }
        let note = "导入 / import";
        let (mut added, mut updated) = (0, 0);
        for row in rows {
            let person_id = match row.person_id {
                Some(id) => {
                    let old_rank: Option<i64> = sqlx::query_scalar(
                        "select t.rank from people p join tiers t on t.id = p.tier_id where p.id = $1",
                    )
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?;
                    sqlx::query(
                        "update people set name = $1, community_id = $2, tier_id = $3, \
                         phone = case when $4 = '' then phone else $4 end where id = $5",
                    )
                    .bind(&row.name)
                    .bind(row.community_id)
                    .bind(row.tier_id)
                    .bind(&row.phone)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                    if row.tier_changes {
                        let new_rank: i64 =
                            sqlx::query_scalar("select rank from tiers where id = $1")
                                .bind(row.tier_id)
                                .fetch_one(&mut *tx)
                                .await?;
                        let change = TierChangeKind::between(old_rank, new_rank);
                        let line = TierChange::new(change, Some(row.tier_id), now, note);
                        Self::record_tier_change(&mut tx, id, &line, Some(actor), now).await?;
                    }
                    updated += 1;
                    id
                }
                None => {
                    let id: i64 = sqlx::query_scalar(
                        "insert into people (name, community_id, tier_id, phone, created_at) \
                         values ($1, $2, $3, $4, $5) returning id",
                    )
                    .bind(&row.name)
                    .bind(row.community_id)
                    .bind(row.tier_id)
                    .bind(&row.phone)
                    .bind(now.0)
                    .fetch_one(&mut *tx)
                    .await?;
                    let line = TierChange::joined(Some(row.tier_id), now, note);
                    Self::record_tier_change(&mut tx, id, &line, Some(actor), now).await?;
                    added += 1;
                    id
                }
            };
            if row.new_account {
                sqlx::query(
                    "insert into accounts (username, person_id, password_hash, disabled, created_at) \
                     values ($1, $2, $3, false, $4)",
                )
                .bind(username_for(&row.phone))
                .bind(person_id)
                .bind(password_hash)
                .bind(now.0)
                .execute(&mut *tx)
                .await
                .map_err(map_unique)?;
            }
            let mut granted = 0;
            for role in row.roles.iter() {
                granted += sqlx::query(
                    "insert into account_roles (account_id, role) \
                     select a.id, $2 from accounts a where a.person_id = $1 \
                     on conflict do nothing",
                )
                .bind(person_id)
                .bind(role.as_str())
                .execute(&mut *tx)
                .await?
                .rows_affected();
            }
            // The scope's grant; an organiser without one and without any grant yet gets
            // the row's subdistrict (as on the accounts page).
            let unit = row.unit.or_else(|| {
                row.roles
                    .has(crate::domain::Role::Organiser)
                    .then_some(row.subdistrict_id.map(Unit::Subdistrict))
                    .flatten()
            });
            if let Some(unit) = unit {
                let (kind, ref_id) = unit.stored();
                granted += sqlx::query(
                    "insert into organiser_units (account_id, kind, ref_id) \
                     select a.id, $2, $3 from accounts a where a.person_id = $1 \
                     and ($4 or not exists \
                       (select 1 from organiser_units u where u.account_id = a.id)) \
                     on conflict do nothing",
                )
                .bind(person_id)
                .bind(kind)
                .bind(ref_id)
                .bind(row.unit.is_some())
                .execute(&mut *tx)
                .await?
                .rows_affected();
            }
            // More rights for an account that was signed in: its sessions end, as when an
            // admin changes its roles.
            if granted > 0 && !row.new_account {
                sqlx::query(
                    "delete from auth_sessions where account_id in \
                     (select id from accounts where person_id = $1)",
                )
                .bind(person_id)
                .execute(&mut *tx)
                .await?;
            }
        }
        let mut line = audit.clone();
        line.detail = serde_json::json!({ "batch": batch_id, "added": added, "updated": updated })
            .to_string();
        Self::insert_audit(&mut tx, &line).await?;
        tx.commit().await?;
        Ok(Some((added, updated)))
    }
}
