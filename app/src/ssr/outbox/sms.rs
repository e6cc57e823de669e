//! Text messages through a Chinese cloud SMS service. A message there is a template the
//! provider approved beforehand (模板) with values filled in, under the school's approved
//! signature (签名); this file holds what every provider shares (the configuration, the
//! templates' values, the signing helpers), and one file per provider speaks its API:
//! `aliyun.rs` (Alibaba Cloud, ACS3-HMAC-SHA256) and `tencent.rs` (Tencent Cloud,
//! TC3-HMAC-SHA256).
use std::collections::BTreeMap;

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use super::{Address, Outgoing, SendError};
use crate::domain::Timestamp;
use crate::domain::messages::Notice;
use crate::i18n::{Lang, moment, session_when};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Provider {
    Aliyun,
    Tencent,
}

/// `NIGHTSCHOOL_SMS_*`: off unless a provider is named.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SmsConfig {
    pub provider: Provider,
    pub key_id: String,
    pub key_secret: String,
    /// The approved signature (签名), e.g. 运河街道.
    pub sign_name: String,
    /// The approved template for each kind of notice ([`TEMPLATE_KINDS`]). A notice of a
    /// kind without one is not texted.
    pub templates: BTreeMap<String, String>,
    /// Tencent's SmsSdkAppId.
    pub app_id: String,
    /// Tencent's region.
    pub region: String,
    /// The API's address; the provider's public one unless set (a private endpoint, tests).
    pub endpoint: String,
}

/// The kinds of notice a template can be named for.
pub const TEMPLATE_KINDS: [&str; 14] = [
    "session_moved",
    "session_cancelled",
    "session_tomorrow",
    "session_scheduled",
    "not_checked_in",
    "leave_decided",
    "make_up_decided",
    "announcement",
    "warning",
    "suggestion_reply",
    "claim_decided",
    "correction_decided",
    "wish_answered",
    "certificate",
];

impl SmsConfig {
    /// Reads the configuration; `Ok(None)` when no provider is named, an error in words for
    /// anything missing or malformed.
    pub fn from_env() -> Result<Option<SmsConfig>, String> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let provider = match var("NIGHTSCHOOL_SMS_PROVIDER").as_deref().map(str::trim) {
            None => return Ok(None),
            Some("aliyun") => Provider::Aliyun,
            Some("tencent") => Provider::Tencent,
            Some(other) => {
                return Err(format!(
                    "NIGHTSCHOOL_SMS_PROVIDER={other:?}: use aliyun or tencent"
                ));
            }
        };
        let need = |name: &str| {
            var(name)
                .map(|v| v.trim().to_string())
                .ok_or_else(|| format!("{name} must be set when NIGHTSCHOOL_SMS_PROVIDER is"))
        };
        let templates = parse_templates(&need("NIGHTSCHOOL_SMS_TEMPLATES")?)?;
        let app_id = match provider {
            Provider::Tencent => need("NIGHTSCHOOL_SMS_APP_ID")?,
            Provider::Aliyun => String::new(),
        };
        let endpoint = var("NIGHTSCHOOL_SMS_ENDPOINT")
            .map(|e| e.trim().trim_end_matches('/').to_string())
            .unwrap_or_else(|| {
                match provider {
                    Provider::Aliyun => "https://dysmsapi.aliyuncs.com",
                    Provider::Tencent => "https://sms.tencentcloudapi.com",
                }
                .to_string()
            });
        reqwest::Url::parse(&endpoint)
            .map_err(|e| format!("NIGHTSCHOOL_SMS_ENDPOINT={endpoint:?}: {e}"))?;
        Ok(Some(SmsConfig {
            provider,
            key_id: need("NIGHTSCHOOL_SMS_ACCESS_KEY_ID")?,
            key_secret: need("NIGHTSCHOOL_SMS_ACCESS_KEY_SECRET")?,
            sign_name: need("NIGHTSCHOOL_SMS_SIGN_NAME")?,
            templates,
            app_id,
            region: var("NIGHTSCHOOL_SMS_REGION").unwrap_or_else(|| "ap-guangzhou".into()),
            endpoint,
        }))
    }
}

/// `kind:TEMPLATE,kind:TEMPLATE`: every kind named must be one of [`TEMPLATE_KINDS`].
pub fn parse_templates(raw: &str) -> Result<BTreeMap<String, String>, String> {
    let mut templates = BTreeMap::new();
    for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (kind, code) = part
            .split_once(':')
            .map(|(k, c)| (k.trim(), c.trim()))
            .filter(|(k, c)| TEMPLATE_KINDS.contains(k) && !c.is_empty())
            .ok_or_else(|| {
                format!(
                    "NIGHTSCHOOL_SMS_TEMPLATES: {part:?} is not kind:TEMPLATE with a kind among {}",
                    TEMPLATE_KINDS.join(", ")
                )
            })?;
        templates.insert(kind.to_string(), code.to_string());
    }
    if templates.is_empty() {
        return Err("NIGHTSCHOOL_SMS_TEMPLATES names no template".into());
    }
    Ok(templates)
}

/// The longest value a template variable takes (Alibaba Cloud's limit for most kinds).
const VALUE_CHARS: usize = 35;

fn short(text: &str) -> String {
    let chars: Vec<char> = text.trim().chars().collect();
    if chars.len() <= VALUE_CHARS {
        chars.into_iter().collect()
    } else {
        chars[..VALUE_CHARS - 1].iter().collect::<String>() + "…"
    }
}

/// A notice's kind and its template's values, in the order the template takes them
/// (Tencent's templates number their variables; Alibaba's name them).
pub fn template_values(notice: &Notice) -> (&'static str, Vec<(&'static str, String)>) {
    let when = |at: i64| short(&moment(Lang::Zh, Timestamp(at)));
    let span = |from: i64, to: i64| short(&session_when(Lang::Zh, Timestamp(from), Timestamp(to)));
    let decided = |approved: bool| if approved { "已批准" } else { "未批准" }.to_string();
    // Most templates say which session, when, and one more thing about it.
    let about = |kind, title: &str, time: String, third: (&'static str, String)| {
        (kind, vec![("title", short(title)), ("time", time), third])
    };
    match notice {
        Notice::SessionMoved {
            title,
            starts_at,
            ends_at,
            place,
            ..
        } => about(
            "session_moved",
            title,
            span(*starts_at, *ends_at),
            ("place", short(place)),
        ),
        Notice::SessionCancelled {
            title,
            starts_at,
            reason,
            ..
        } => about(
            "session_cancelled",
            title,
            when(*starts_at),
            ("reason", short(reason)),
        ),
        Notice::Tomorrow {
            title,
            starts_at,
            ends_at,
            place,
            ..
        } => about(
            "session_tomorrow",
            title,
            span(*starts_at, *ends_at),
            ("place", short(place)),
        ),
        Notice::SessionScheduled {
            title,
            starts_at,
            ends_at,
            place,
            ..
        } => about(
            "session_scheduled",
            title,
            span(*starts_at, *ends_at),
            ("place", short(place)),
        ),
        Notice::NotCheckedIn {
            title,
            starts_at,
            place,
            ..
        } => about(
            "not_checked_in",
            title,
            Timestamp(*starts_at).hh_mm(),
            ("place", short(place)),
        ),
        Notice::Announcement { title, .. } | Notice::AnnouncementReminder { title, .. } => {
            ("announcement", vec![("title", short(title))])
        }
        Notice::LeaveDecided {
            title,
            starts_at,
            approved,
            ..
        } => about(
            "leave_decided",
            title,
            when(*starts_at),
            ("result", decided(*approved)),
        ),
        Notice::WishAnswered {
            title,
            starts_at,
            wish,
            ..
        } => about(
            "wish_answered",
            title,
            when(*starts_at),
            ("wish", short(wish)),
        ),
        Notice::CorrectionDecided {
            title,
            starts_at,
            approved,
            ..
        } => about(
            "correction_decided",
            title,
            when(*starts_at),
            ("result", decided(*approved)),
        ),
        Notice::MakeUpDecided {
            title,
            starts_at,
            approved,
            ..
        } => about(
            "make_up_decided",
            title,
            when(*starts_at),
            ("result", decided(*approved)),
        ),
        Notice::Warned { name, warning, .. } => {
            let what = match warning {
                crate::domain::messages::Warning::ThreeMissed { .. } => "连续三次未参加讲堂",
                crate::domain::messages::Warning::UnderMinimum { .. } => "出勤率低于梯队要求",
            };
            (
                "warning",
                vec![("name", short(name)), ("what", what.into())],
            )
        }
        Notice::ClaimDecided {
            training, approved, ..
        } => (
            "claim_decided",
            vec![
                ("title", short(training)),
                ("result", if *approved { "已认定" } else { "未认定" }.into()),
            ],
        ),
        Notice::Certificate {
            title,
            programme,
            revoked,
            ..
        } => (
            "certificate",
            vec![
                ("title", short(&format!("{programme}{title}"))),
                ("result", if *revoked { "已撤销" } else { "已颁发" }.into()),
            ],
        ),
        Notice::SuggestionReply {
            title, answered, ..
        } => (
            "suggestion_reply",
            vec![
                ("title", short(title)),
                ("result", if *answered { "已答复" } else { "已办结" }.into()),
            ],
        ),
    }
}

/// What a provider needs to send one message.
pub struct Text<'a> {
    pub phone: &'a str,
    pub template: &'a str,
    pub values: Vec<(&'static str, String)>,
    /// The idempotency key, passed as the provider's own reference field.
    pub key: &'a str,
}

/// The phone, template and values of `message`, or why it cannot be texted.
pub fn text_of<'a>(
    config: &'a SmsConfig,
    message: &'a Outgoing<'_>,
) -> Result<Text<'a>, SendError> {
    let Address::Phone(phone) = &message.to else {
        return Err(SendError::permanent("not a phone number"));
    };
    let (kind, values) = template_values(&message.push.notice);
    let template = config
        .templates
        .get(kind)
        .ok_or_else(|| SendError::permanent(format!("no SMS template for {kind}")))?;
    Ok(Text {
        phone: phone.trim(),
        template,
        values,
        key: message.key,
    })
}

pub fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

pub fn hmac_sha256(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The `Host` header for `endpoint`: its host, and its port when the address names one.
pub fn host_of(endpoint: &str) -> Result<String, String> {
    let url = reqwest::Url::parse(endpoint).map_err(|e| e.to_string())?;
    let host = url.host_str().ok_or("the endpoint has no host")?;
    Ok(match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    })
}

/// A client for the providers' APIs: answers within 20 seconds or the try fails (well
/// inside the outbox's hold on the push).
pub fn http_client() -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(20))
        .build()
        .map_err(|e| e.to_string())
}

/// A failure of the HTTP exchange itself: the network or the provider's side may recover.
pub fn transport_error(err: reqwest::Error) -> SendError {
    SendError::retry(err.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_are_named_per_kind_of_notice() {
        let t = parse_templates("session_moved:SMS_1, session_cancelled:SMS_2").unwrap();
        assert_eq!(
            t.get("session_cancelled").map(String::as_str),
            Some("SMS_2")
        );
        assert!(parse_templates("").is_err());
        assert!(parse_templates("birthday:SMS_3").is_err());
        assert!(parse_templates("session_moved").is_err());
    }

    #[test]
    fn long_values_are_cut_to_what_a_template_takes() {
        let notice = Notice::SessionCancelled {
            session_id: 1,
            title: "运河红·初心讲堂".repeat(5),
            starts_at: 0,
            reason: "暴雨".into(),
        };
        let (kind, values) = template_values(&notice);
        assert_eq!(kind, "session_cancelled");
        assert_eq!(values[0].1.chars().count(), VALUE_CHARS);
        assert!(values[0].1.ends_with('…'));
        assert_eq!(values[2], ("reason", "暴雨".to_string()));
    }

    #[test]
    fn hosts_keep_a_named_port() {
        assert_eq!(
            host_of("https://dysmsapi.aliyuncs.com").unwrap(),
            "dysmsapi.aliyuncs.com"
        );
        assert_eq!(host_of("http://127.0.0.1:8080").unwrap(), "127.0.0.1:8080");
    }

    #[test]
    fn hashes_match_known_values() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            hex(&hmac_sha256(
                b"key",
                b"The quick brown fox jumps over the lazy dog"
            )),
            "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
        );
    }
}
