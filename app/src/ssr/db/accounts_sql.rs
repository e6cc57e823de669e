//! [`AccountStore`] for `SqlRepository<Db>`; compiled once per backend (`#[path]` in
//! `sqlite.rs` and `postgres.rs`, with `Db` the backend there): one SQL text for both.
use super::*;
use crate::ssr::db::accounts::{AccountStore, Changes};

#[async_trait::async_trait]
impl AccountStore for SqlRepository<Db> {
    #[tracing::instrument(skip_all)]
    async fn count_accounts(&self) -> RepoResult<i64> {
        Ok(sqlx::query_scalar("select count(*) from accounts")
            .fetch_one(&self.read)
            .await?)
    }

    #[tracing::instrument(skip_all)]
    async fn create_account(
        &self,
        new: &NewAccount,
        audit: Option<&AuditLine>,
        now: Timestamp,
    ) -> RepoResult<i64> {
        let mut tx = self.write.begin().await?;
        let person_id = match new.person_id {
            Some(id) => id,
            None => {
                sqlx::query_scalar(
                    "insert into people (name, created_at) values ($1, $2) returning id",
                )
                .bind(new.display_name.as_str())
                .bind(now.0)
                .fetch_one(&mut *tx)
                .await?
            }
        };
        let id: i64 = sqlx::query_scalar(
            "insert into accounts (username, person_id, password_hash, disabled, created_at, \
             must_change_password) values ($1, $2, $3, false, $4, $5) returning id",
        )
        .bind(new.username.as_str())
        .bind(person_id)
        .bind(&new.password_hash)
        .bind(now.0)
        .bind(new.must_change_password)
        .fetch_one(&mut *tx)
        .await
        .map_err(map_unique)?;
        Self::insert_roles(&mut tx, id, &new.roles).await?;
        if let Some(line) = audit {
            let line = AuditLine {
                target: format!("account:{id}"),
                ..line.clone()
            };
            Self::insert_audit(&mut tx, &line).await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    #[tracing::instrument(skip_all)]
    async fn account(&self, id: i64) -> RepoResult<Option<Account>> {
        // One round trip: the account with one row per role (every request asks).
        let sql = "select a.id, a.username, p.name as display_name, a.person_id, a.disabled, \
             a.created_at, a.must_change_password, r.role from accounts a \
             join people p on p.id = a.person_id \
             left join account_roles r on r.account_id = a.id where a.id = $1 order by r.role";
        #[derive(sqlx::FromRow)]
        struct Row {
            #[sqlx(flatten)]
            account: AccountRow,
            role: Option<String>,
        }
        let mut rows: Vec<Row> = sqlx::query_as(sql).bind(id).fetch_all(&self.read).await?;
        let roles = rows
            .iter_mut()
            .filter_map(|r| r.role.take())
            .map(|role| parse_role(&role))
            .collect::<RepoResult<Vec<crate::domain::Role>>>()?;
        let Some(row) = rows.into_iter().next().map(|r| r.account) else {
            return Ok(None);
        };
        Ok(Some(account_from(row, Roles::new(roles))))
    }

    #[tracing::instrument(skip_all)]
    async fn list_accounts(&self) -> RepoResult<Vec<Account>> {
        let sql = format!("{ACCOUNT_COLUMNS} order by a.username");
        let rows = sqlx::query_as::<_, AccountRow>(&sql)
            .fetch_all(&self.read)
            .await?;
        let roles: Vec<(i64, String)> =
            sqlx::query_as("select account_id, role from account_roles order by account_id, role")
                .fetch_all(&self.read)
                .await?;
        let roles: std::collections::HashMap<i64, Roles> =
            roles_by_account(roles)?.into_iter().collect();
        Ok(rows
            .into_iter()
            .map(|row| {
                let r = roles.get(&row.id).cloned().unwrap_or_default();
                account_from(row, r)
            })
            .collect())
    }

    #[tracing::instrument(skip_all)]
    async fn login_record(&self, username: &Username) -> RepoResult<Option<LoginRecord>> {
        let row: Option<(i64, String, bool)> = sqlx::query_as(
            "select id, password_hash, disabled from accounts where lower(username) = lower($1)",
        )
        .bind(username.as_str())
        .fetch_optional(&self.read)
        .await?;
        let Some((account_id, password_hash, disabled)) = row else {
            return Ok(None);
        };
        let roles = self.roles_of(account_id).await?;
        Ok(Some(LoginRecord {
            account_id,
            password_hash,
            disabled,
            roles,
        }))
    }

    #[tracing::instrument(skip_all)]
    async fn set_account_disabled(
        &self,
        id: i64,
        disabled: bool,
        audit: &AuditLine,
    ) -> RepoResult<bool> {
        let mut tx = self.write.begin().await?;
        let done = sqlx::query("update accounts set disabled = $1 where id = $2")
            .bind(disabled)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected()
            > 0;
        if disabled {
            sqlx::query("delete from auth_sessions where account_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        if done {
            Self::insert_audit(&mut tx, audit).await?;
        }
        tx.commit().await?;
        Ok(done)
    }

    #[tracing::instrument(skip_all)]
    async fn set_account_roles(
        &self,
        id: i64,
        roles: &Roles,
        audit: &AuditLine,
    ) -> RepoResult<bool> {
        let mut tx = self.write.begin().await?;
        let exists: Option<i64> = sqlx::query_scalar("select id from accounts where id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_none() {
            return Ok(false);
        }
        sqlx::query("delete from account_roles where account_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        Self::insert_roles(&mut tx, id, roles).await?;
        Self::end_sessions_and_commit(tx, id, audit).await?;
        Ok(true)
    }

    #[tracing::instrument(skip_all)]
    async fn set_password_hash(
        &self,
        id: i64,
        hash: &str,
        must_change: bool,
        audit: &AuditLine,
    ) -> RepoResult<bool> {
        let mut tx = self.write.begin().await?;
        let done = sqlx::query(
            "update accounts set password_hash = $1, must_change_password = $2 where id = $3",
        )
        .bind(hash)
        .bind(must_change)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            > 0;
        if done {
            Self::insert_audit(&mut tx, audit).await?;
        }
        tx.commit().await?;
        Ok(done)
    }

    #[tracing::instrument(skip_all)]
    async fn count_active_admins(&self) -> RepoResult<i64> {
        Ok(sqlx::query_scalar(
            "select count(*) from accounts a join account_roles r on r.account_id = a.id \
             where r.role = 'admin' and a.disabled = false",
        )
        .fetch_one(&self.read)
        .await?)
    }

    #[tracing::instrument(skip_all)]
    async fn create_auth_session(
        &self,
        new: &NewAuthSession,
        device: &str,
        audit: &AuditLine,
    ) -> RepoResult<()> {
        let mut tx = self.write.begin().await?;
        sqlx::query(
            "insert into auth_sessions \
             (token_hash, account_id, created_at, last_seen_at, idle_secs, expires_at, \
             pending) values ($1, $2, $3, $3, $4, $5, $6)",
        )
        .bind(&new.token_hash)
        .bind(new.account_id)
        .bind(new.created_at.0)
        .bind(new.idle_secs)
        .bind(new.expires_at.0)
        .bind(new.pending.map(|p| p.code()))
        .execute(&mut *tx)
        .await?;
        if !device.is_empty() {
            Self::remember_device(&mut tx, new.account_id, device, new.created_at).await?;
        }
        Self::insert_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn reference_changes(&self) -> RepoResult<i64> {
        Ok(
            sqlx::query_scalar("select n from reference_changes where id = 1")
                .fetch_one(&self.read)
                .await?,
        )
    }

    async fn changes(&self) -> RepoResult<Changes> {
        let (reference, data, pages): (i64, i64, i64) = sqlx::query_as(
            "select r.n, d.n, p.n from reference_changes r, data_changes d, page_changes p \
             where r.id = 1 and d.id = 1 and p.id = 1",
        )
        .fetch_one(&self.read)
        .await?;
        Ok(Changes {
            reference,
            data,
            pages,
        })
    }

    #[tracing::instrument(skip_all)]
    async fn auth_session(&self, token_hash: &str) -> RepoResult<Option<StoredSession>> {
        let row: Option<(i64, i64, i64, i64, Option<String>)> = sqlx::query_as(
            "select account_id, last_seen_at, idle_secs, expires_at, pending \
             from auth_sessions where token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&self.read)
        .await?;
        row.map(|(account_id, last_seen, idle_secs, expires_at, pending)| {
            let pending = match pending {
                None => None,
                Some(p) => Some(
                    crate::domain::second_factor::Pending::parse(&p)
                        .ok_or_else(|| RepoError::BadValue(p, "auth_sessions.pending"))?,
                ),
            };
            Ok(StoredSession {
                account_id,
                clock: SessionClock {
                    last_seen: Timestamp(last_seen),
                    idle_secs,
                    expires_at: Timestamp(expires_at),
                },
                pending,
            })
        })
        .transpose()
    }

    #[tracing::instrument(skip_all)]
    async fn touch_auth_sessions(&self, seen: &[(String, Timestamp)]) -> RepoResult<()> {
        let mut tx = self.begin_write().await?;
        for (token_hash, at) in seen {
            sqlx::query(
                "update auth_sessions set last_seen_at = $1 \
                 where token_hash = $2 and last_seen_at < $1",
            )
            .bind(at.0)
            .bind(token_hash)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    #[tracing::instrument(skip_all)]
    async fn delete_auth_session(&self, token_hash: &str) -> RepoResult<()> {
        sqlx::query("delete from auth_sessions where token_hash = $1")
            .bind(token_hash)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    #[tracing::instrument(skip_all)]
    async fn delete_auth_sessions_of(
        &self,
        account_id: i64,
        except: Option<&str>,
    ) -> RepoResult<()> {
        sqlx::query("delete from auth_sessions where account_id = $1 and token_hash <> $2")
            .bind(account_id)
            .bind(except.unwrap_or(""))
            .execute(&self.write)
            .await?;
        Ok(())
    }

    #[tracing::instrument(skip_all)]
    async fn prune_auth_sessions(&self, now: Timestamp) -> RepoResult<u64> {
        let done = sqlx::query(
            "delete from auth_sessions where expires_at <= $1 or last_seen_at + idle_secs <= $1",
        )
        .bind(now.0)
        .execute(&self.write)
        .await?;
        Ok(done.rows_affected())
    }
}
