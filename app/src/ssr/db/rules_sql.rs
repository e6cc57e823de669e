//! [`RulesStore`] for `SqlRepository<Db>`; compiled once per backend (`#[path]` in
//! `sqlite.rs` and `postgres.rs`, with `Db` the backend there): one SQL text for both.
use super::*;
use crate::domain::progress::Requirements;
use crate::domain::settings::{DOOR_SALT_SETTING, RuleHolder, SettingBook};
use crate::ssr::db::progress::{TierPlan, TierRow};
use crate::ssr::db::rules::RulesStore;

#[derive(sqlx::FromRow)]
struct SettingRow {
    subdistrict_id: Option<i64>,
    key: String,
    value: String,
}

#[derive(sqlx::FromRow)]
struct PlanRow {
    subdistrict_id: i64,
    #[sqlx(flatten)]
    tier: TierRow,
}

/// Writes one of a subdistrict's own settings: `$1` the subdistrict, `$2` key, `$3` value,
/// `$4` time.
const UPSERT_OWN_SETTING: &str = "insert into subdistrict_settings \
     (subdistrict_id, key, value, updated_at) values ($1, $2, $3, $4) \
     on conflict (subdistrict_id, key) do update \
     set value = excluded.value, updated_at = excluded.updated_at";

/// Writes one of the holder's settings, replacing its value.
async fn put(
    tx: &mut sqlx::Transaction<'static, Db>,
    holder: RuleHolder,
    key: &str,
    value: &str,
    now: Timestamp,
) -> sqlx::Result<()> {
    let query = match holder {
        RuleHolder::District => sqlx::query(UPSERT_SETTING),
        RuleHolder::Subdistrict(id) => sqlx::query(UPSERT_OWN_SETTING).bind(id),
    };
    query
        .bind(key)
        .bind(value)
        .bind(now.0)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Deletes a subdistrict's own values of `keys`; how many it had.
async fn forget(
    tx: &mut sqlx::Transaction<'static, Db>,
    subdistrict: i64,
    keys: &[&str],
) -> RepoResult<u64> {
    if keys.is_empty() {
        return Ok(0);
    }
    let mut q =
        sqlx::QueryBuilder::<Db>::new("delete from subdistrict_settings where subdistrict_id = ");
    q.push_bind(subdistrict).push(" and key in (");
    let mut list = q.separated(", ");
    for key in keys {
        list.push_bind(key.to_string());
    }
    list.push_unseparated(")");
    Ok(q.build().execute(&mut **tx).await?.rows_affected())
}

/// The audit line with the holder and what it names in its detail.
fn detailed(audit: &AuditLine, holder: RuleHolder, what: serde_json::Value) -> AuditLine {
    AuditLine {
        detail: serde_json::json!({ "holder": holder.token(), "values": what }).to_string(),
        ..audit.clone()
    }
}

#[async_trait::async_trait]
impl RulesStore for SqlRepository<Db> {
    #[tracing::instrument(skip_all)]
    async fn setting_book(&self) -> RepoResult<SettingBook> {
        let rows: Vec<SettingRow> = sqlx::query_as(
            "select null as subdistrict_id, key, value from settings \
             union all select subdistrict_id, key, value from subdistrict_settings",
        )
        .fetch_all(&self.read)
        .await?;
        Ok(SettingBook::from_rows(
            rows.into_iter().map(|r| (r.subdistrict_id, r.key, r.value)),
        ))
    }

    #[tracing::instrument(skip_all)]
    async fn setting_in(&self, subdistrict: Option<i64>, key: &str) -> RepoResult<Option<String>> {
        let own: Option<String> =
            match subdistrict {
                Some(id) => sqlx::query_scalar(
                    "select value from subdistrict_settings where subdistrict_id = $1 and key = $2",
                )
                .bind(id)
                .bind(key)
                .fetch_optional(&self.read)
                .await?,
                None => None,
            };
        match own {
            Some(v) => Ok(Some(v)),
            None => Ok(
                sqlx::query_scalar("select value from settings where key = $1")
                    .bind(key)
                    .fetch_optional(&self.read)
                    .await?,
            ),
        }
    }

    #[tracing::instrument(skip_all)]
    async fn save_settings(
        &self,
        holder: RuleHolder,
        values: &[(&str, String)],
        now: Timestamp,
        audit: &AuditLine,
    ) -> RepoResult<()> {
        let mut tx = self.begin_write().await?;
        let mut detail = serde_json::Map::new();
        for (key, value) in values {
            put(&mut tx, holder, key, value, now).await?;
            detail.insert((*key).to_string(), serde_json::Value::String(value.clone()));
        }
        let line = detailed(audit, holder, serde_json::Value::Object(detail));
        Self::insert_audit(&mut tx, &line).await?;
        tx.commit().await?;
        Ok(())
    }

    #[tracing::instrument(skip_all)]
    async fn clear_settings(
        &self,
        subdistrict: i64,
        keys: &[&str],
        audit: &AuditLine,
    ) -> RepoResult<u64> {
        let mut tx = self.begin_write().await?;
        let gone = forget(&mut tx, subdistrict, keys).await?;
        let line = detailed(
            audit,
            RuleHolder::Subdistrict(subdistrict),
            serde_json::json!({ "cleared": keys }),
        );
        Self::insert_audit(&mut tx, &line).await?;
        tx.commit().await?;
        Ok(gone)
    }

    #[tracing::instrument(skip_all)]
    async fn door_salt(&self, session_id: i64) -> RepoResult<Option<String>> {
        Ok(sqlx::query_scalar(
            "select coalesce((select o.value from sessions s join subdistrict_settings o \
             on o.subdistrict_id = s.subdistrict_id and o.key = $2 where s.id = $1), \
             (select value from settings where key = $2))",
        )
        .bind(session_id)
        .bind(DOOR_SALT_SETTING)
        .fetch_one(&self.read)
        .await?)
    }

    #[tracing::instrument(skip_all)]
    async fn renew_door_key(
        &self,
        holder: RuleHolder,
        salt: &str,
        now: Timestamp,
        audit: &AuditLine,
    ) -> RepoResult<()> {
        let mut tx = self.begin_write().await?;
        put(&mut tx, holder, DOOR_SALT_SETTING, salt, now).await?;
        let line = detailed(audit, holder, serde_json::json!({ "door_key": "renewed" }));
        Self::insert_audit(&mut tx, &line).await?;
        tx.commit().await?;
        Ok(())
    }

    #[tracing::instrument(skip_all)]
    async fn subdistrict_tier_plans(&self) -> RepoResult<Vec<(i64, TierPlan)>> {
        let rows: Vec<PlanRow> = sqlx::query_as(
            "select p.subdistrict_id, t.id, t.name_zh, t.name_en, t.rank, p.target_count, \
             t.description, p.req_hours, p.req_attendance_percent, p.req_reflections, \
             p.req_teaching, p.elsewhere, p.elsewhere_cap \
             from subdistrict_tier_plans p join tiers t on t.id = p.tier_id \
             order by p.subdistrict_id, t.rank, t.id",
        )
        .fetch_all(&self.read)
        .await?;
        let themes: Vec<(i64, i64, i64)> = sqlx::query_as(
            "select subdistrict_id, tier_id, theme_id from subdistrict_tier_themes \
             order by subdistrict_id, tier_id, theme_id",
        )
        .fetch_all(&self.read)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let tier = r.tier.id();
                let own = themes
                    .iter()
                    .filter(|t| t.0 == r.subdistrict_id && t.1 == tier)
                    .map(|t| t.2)
                    .collect();
                let plan = r.tier.plan(own);
                (r.subdistrict_id, plan)
            })
            .collect())
    }

    #[tracing::instrument(skip_all)]
    async fn save_subdistrict_tier_plan(
        &self,
        subdistrict: i64,
        tier_id: i64,
        target_count: i64,
        req: &Requirements,
        now: Timestamp,
        audit: &AuditLine,
    ) -> RepoResult<bool> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "insert into subdistrict_tier_plans (subdistrict_id, tier_id, target_count, \
             req_hours, req_attendance_percent, req_reflections, req_teaching, updated_at, \
             elsewhere, elsewhere_cap) \
             select s.id, t.id, $3, $4, $5, $6, $7, $8, $9, $10 from subdistricts s, tiers t \
             where s.id = $1 and t.id = $2 \
             on conflict (subdistrict_id, tier_id) do update set \
             target_count = excluded.target_count, req_hours = excluded.req_hours, \
             req_attendance_percent = excluded.req_attendance_percent, \
             req_reflections = excluded.req_reflections, req_teaching = excluded.req_teaching, \
             updated_at = excluded.updated_at, elsewhere = excluded.elsewhere, \
             elsewhere_cap = excluded.elsewhere_cap",
        )
        .bind(subdistrict)
        .bind(tier_id)
        .bind(target_count)
        .bind(req.hours.0)
        .bind(req.min_attendance_percent)
        .bind(req.reflections)
        .bind(req.teaching)
        .bind(now.0)
        .bind(req.elsewhere.parts().0)
        .bind(req.elsewhere.parts().1)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if done == 0 {
            return Ok(false);
        }
        sqlx::query(
            "delete from subdistrict_tier_themes where subdistrict_id = $1 and tier_id = $2",
        )
        .bind(subdistrict)
        .bind(tier_id)
        .execute(&mut *tx)
        .await?;
        for theme in &req.themes {
            sqlx::query(
                "insert into subdistrict_tier_themes (subdistrict_id, tier_id, theme_id) \
                 select $1, $2, id from themes where id = $3",
            )
            .bind(subdistrict)
            .bind(tier_id)
            .bind(theme)
            .execute(&mut *tx)
            .await?;
        }
        Self::insert_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(true)
    }

    #[tracing::instrument(skip_all)]
    async fn clear_subdistrict_tier_plans(
        &self,
        subdistrict: i64,
        keys: &[&str],
        audit: &AuditLine,
    ) -> RepoResult<u64> {
        let mut tx = self.begin_write().await?;
        sqlx::query("delete from subdistrict_tier_themes where subdistrict_id = $1")
            .bind(subdistrict)
            .execute(&mut *tx)
            .await?;
        let gone = sqlx::query("delete from subdistrict_tier_plans where subdistrict_id = $1")
            .bind(subdistrict)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        forget(&mut tx, subdistrict, keys).await?;
        let cleared: Vec<&str> = ["tier_plans"].iter().chain(keys).copied().collect();
        let line = detailed(
            audit,
            RuleHolder::Subdistrict(subdistrict),
            serde_json::json!({ "cleared": cleared }),
        );
        Self::insert_audit(&mut tx, &line).await?;
        tx.commit().await?;
        Ok(gone)
    }
}
