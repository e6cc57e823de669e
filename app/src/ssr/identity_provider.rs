//! The district's identity provider as configured (OpenID Connect): its settings, read from
//! the environment, the claim that links accounts, and the client's HTTP connection with
//! the provider's metadata and keys as last fetched. The sign-in itself is `oidc`.
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::http::HeaderMap;
use openidconnect::core::CoreProviderMetadata;
use openidconnect::{IssuerUrl, RedirectUrl, reqwest};
use tokio::sync::Mutex;

/// How long the provider's metadata and keys are trusted before they are fetched again.
const METADATA_SECS: u64 = 600;
pub const CALLBACK_PATH: &str = "/auth/oidc/callback";

/// The claim that finds a subject's account at its first sign-in; its value is compared
/// with the accounts' user names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkClaim {
    PreferredUsername,
    PhoneNumber,
    Subject,
}

impl LinkClaim {
    pub fn parse(raw: &str) -> Option<LinkClaim> {
        match raw.trim() {
            "preferred_username" => Some(LinkClaim::PreferredUsername),
            "phone_number" => Some(LinkClaim::PhoneNumber),
            "sub" => Some(LinkClaim::Subject),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            LinkClaim::PreferredUsername => "preferred_username",
            LinkClaim::PhoneNumber => "phone_number",
            LinkClaim::Subject => "sub",
        }
    }

    /// The scope that asks the provider for the claim.
    pub(crate) fn scope(self) -> Option<&'static str> {
        match self {
            LinkClaim::PreferredUsername => Some("profile"),
            LinkClaim::PhoneNumber => Some("phone"),
            LinkClaim::Subject => None,
        }
    }
}

/// The identity provider as configured.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OidcConfig {
    /// `NIGHTSCHOOL_OIDC_ISSUER`: the provider's issuer URL (its discovery document is at
    /// `<issuer>/.well-known/openid-configuration`).
    pub issuer: String,
    /// `NIGHTSCHOOL_OIDC_CLIENT_ID`, `NIGHTSCHOOL_OIDC_CLIENT_SECRET` (none for a public
    /// client).
    pub client_id: String,
    pub client_secret: Option<String>,
    /// `NIGHTSCHOOL_OIDC_REDIRECT_URL`; by default `NIGHTSCHOOL_PUBLIC_URL` +
    /// `/auth/oidc/callback`, or the address the browser used when neither is set.
    pub redirect_url: Option<String>,
    /// `NIGHTSCHOOL_OIDC_CLAIM`: `preferred_username` (default), `phone_number` or `sub`.
    pub claim: LinkClaim,
    /// `NIGHTSCHOOL_OIDC_LABEL`: the sign-in button's words (by default "统一身份认证登录").
    pub label: Option<String>,
}

impl OidcConfig {
    /// `Ok(None)` when no issuer is set; an error names the setting that is wrong.
    pub fn from_env() -> Result<Option<OidcConfig>, String> {
        let var = |name: &str| {
            std::env::var(name)
                .ok()
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let Some(issuer) = var("NIGHTSCHOOL_OIDC_ISSUER") else {
            return Ok(None);
        };
        IssuerUrl::new(issuer.clone())
            .map_err(|e| format!("NIGHTSCHOOL_OIDC_ISSUER is not a URL: {e}"))?;
        let client_id = var("NIGHTSCHOOL_OIDC_CLIENT_ID")
            .ok_or("NIGHTSCHOOL_OIDC_ISSUER is set but NIGHTSCHOOL_OIDC_CLIENT_ID is not")?;
        let redirect_url = var("NIGHTSCHOOL_OIDC_REDIRECT_URL").or_else(|| {
            var("NIGHTSCHOOL_PUBLIC_URL")
                .map(|u| format!("{}{CALLBACK_PATH}", u.trim_end_matches('/')))
        });
        if let Some(url) = &redirect_url {
            RedirectUrl::new(url.clone())
                .map_err(|e| format!("the OpenID redirect URL {url:?} is not a URL: {e}"))?;
        }
        let claim = match var("NIGHTSCHOOL_OIDC_CLAIM") {
            None => LinkClaim::PreferredUsername,
            Some(raw) => LinkClaim::parse(&raw).ok_or_else(|| {
                format!(
                    "NIGHTSCHOOL_OIDC_CLAIM {raw:?}: use preferred_username, phone_number or sub"
                )
            })?,
        };
        Ok(Some(OidcConfig {
            issuer,
            client_id,
            client_secret: var("NIGHTSCHOOL_OIDC_CLIENT_SECRET"),
            redirect_url,
            claim,
            label: var("NIGHTSCHOOL_OIDC_LABEL"),
        }))
    }
}

/// The provider this install signs in with: its settings, an HTTP client, and its metadata
/// (endpoints and signing keys) as last fetched.
pub struct Oidc {
    pub config: OidcConfig,
    pub(crate) http: reqwest::Client,
    metadata: Mutex<Option<(Instant, CoreProviderMetadata)>>,
}

impl std::fmt::Debug for Oidc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Oidc")
            .field("issuer", &self.config.issuer)
            .finish_non_exhaustive()
    }
}

impl Oidc {
    pub fn new(config: OidcConfig) -> Result<Arc<Oidc>, String> {
        let http = reqwest::Client::builder()
            // The provider's answers are read, never followed (SSRF by redirect).
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| format!("the OpenID HTTP client: {e}"))?;
        Ok(Arc::new(Oidc {
            config,
            http,
            metadata: Mutex::new(None),
        }))
    }

    /// The provider's metadata and keys, fetched when older than ten minutes (or `fresh`:
    /// after a token signed with a key not known yet).
    pub(crate) async fn metadata(&self, fresh: bool) -> Result<CoreProviderMetadata, String> {
        let mut cached = self.metadata.lock().await;
        if !fresh
            && let Some((at, meta)) = cached.as_ref()
            && at.elapsed() < Duration::from_secs(METADATA_SECS)
        {
            return Ok(meta.clone());
        }
        let issuer = IssuerUrl::new(self.config.issuer.clone()).map_err(|e| e.to_string())?;
        let meta = CoreProviderMetadata::discover_async(issuer, &self.http)
            .await
            .map_err(|e| error_chain(&e))?;
        *cached = Some((Instant::now(), meta.clone()));
        Ok(meta)
    }

    pub(crate) fn scopes(&self) -> Vec<&'static str> {
        self.config.claim.scope().into_iter().collect()
    }

    /// The callback address: configured, or the one the browser reached us at.
    pub(crate) fn redirect_url(&self, headers: &HeaderMap, https: bool) -> Option<String> {
        if let Some(url) = &self.config.redirect_url {
            return Some(url.clone());
        }
        let host = headers.get(http::header::HOST)?.to_str().ok()?;
        let scheme = if https { "https" } else { "http" };
        Some(format!("{scheme}://{host}{CALLBACK_PATH}"))
    }
}

/// An error and its causes on one line, for logs and the audit detail.
pub(crate) fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut cause = err.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_parse_by_their_standard_names() {
        for claim in [
            LinkClaim::PreferredUsername,
            LinkClaim::PhoneNumber,
            LinkClaim::Subject,
        ] {
            assert_eq!(LinkClaim::parse(claim.name()), Some(claim));
        }
        assert_eq!(LinkClaim::parse("email"), None);
        assert_eq!(LinkClaim::Subject.scope(), None);
    }
}
