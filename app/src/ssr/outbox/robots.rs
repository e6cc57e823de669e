//! Community work groups' robots (群机器人): DingTalk's custom robot, signed with the
//! group's secret as DingTalk documents (HMAC-SHA256 of "timestamp\nsecret", base64), and
//! WeCom's (企业微信) group robot, addressed by its key. Each community may have one of each;
//! a notice about a session's time or place goes to the groups of the communities told.
//!
//! Neither robot API takes an idempotency key: a worker that dies between posting and
//! recording may leave a second copy in the group (the outbox still records one push).
use std::collections::HashMap;

use async_trait::async_trait;
use base64::Engine;

use super::sms::{hmac_sha256, http_client, transport_error};
use super::{Address, Outgoing, SendError, Sender};
use crate::domain::files::percent_encode;
use crate::domain::messages::Channel;

/// One community's robot as configured: the community's name, the webhook address and, for
/// DingTalk, the signing secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RobotEntry {
    pub community: String,
    pub url: String,
    pub secret: Option<String>,
}

/// `NIGHTSCHOOL_DINGTALK_ROBOTS` or `NIGHTSCHOOL_WECOM_ROBOTS`: entries separated by `;` or
/// new lines, each `community|webhook address` and, for DingTalk, `|secret` (加签). Empty:
/// the channel is off.
pub fn entries_from_env(channel: Channel) -> Result<Vec<RobotEntry>, String> {
    let name = match channel {
        Channel::DingTalk => "NIGHTSCHOOL_DINGTALK_ROBOTS",
        Channel::WeCom => "NIGHTSCHOOL_WECOM_ROBOTS",
        _ => return Ok(Vec::new()),
    };
    parse_entries(channel, name, &std::env::var(name).unwrap_or_default())
}

pub fn parse_entries(channel: Channel, name: &str, raw: &str) -> Result<Vec<RobotEntry>, String> {
    let mut entries = Vec::new();
    for line in raw
        .split([';', '\n'])
        .map(str::trim)
        .filter(|l| !l.is_empty())
    {
        let parts: Vec<&str> = line.split('|').map(str::trim).collect();
        let (community, url, secret) = match (channel, parts.as_slice()) {
            (Channel::DingTalk, [c, u, s]) if !s.is_empty() => (*c, *u, Some(s.to_string())),
            (Channel::WeCom, [c, u]) => (*c, *u, None),
            _ => {
                return Err(format!(
                    "{name}: {line:?} is not {}",
                    if channel == Channel::DingTalk {
                        "community|webhook address|secret"
                    } else {
                        "community|webhook address"
                    }
                ));
            }
        };
        let parsed = reqwest::Url::parse(url).map_err(|e| format!("{name}: {url:?}: {e}"))?;
        if community.is_empty() || !matches!(parsed.scheme(), "http" | "https") {
            return Err(format!(
                "{name}: {line:?} names no community or no web address"
            ));
        }
        entries.push(RobotEntry {
            community: community.to_string(),
            url: url.to_string(),
            secret,
        });
    }
    Ok(entries)
}

pub struct RobotSender {
    channel: Channel,
    /// Community id → its robot.
    robots: HashMap<i64, RobotEntry>,
    client: reqwest::Client,
}

/// WeCom's limit on a text message, in bytes.
const WECOM_TEXT_BYTES: usize = 2048;

impl RobotSender {
    /// Finds each entry's community among `communities` (id, name, subdistrict name), by
    /// its name or by "subdistrict/community" where two subdistricts share a name.
    pub fn new(
        channel: Channel,
        entries: Vec<RobotEntry>,
        communities: &[(i64, String, String)],
    ) -> Result<Self, String> {
        let mut robots = HashMap::new();
        for entry in entries {
            let matching: Vec<i64> = communities
                .iter()
                .filter(|(_, name, subdistrict)| {
                    entry.community == *name || entry.community == format!("{subdistrict}/{name}")
                })
                .map(|(id, _, _)| *id)
                .collect();
            match matching.as_slice() {
                [id] => {
                    robots.insert(*id, entry);
                }
                [] => return Err(format!("no community is called {:?}", entry.community)),
                _ => {
                    return Err(format!(
                        "{:?} names communities of several subdistricts: write subdistrict/community",
                        entry.community
                    ));
                }
            }
        }
        Ok(RobotSender {
            channel,
            robots,
            client: http_client()?,
        })
    }
}

/// DingTalk's signature for a post at `timestamp_ms`, URL-encoded for the query.
pub fn dingtalk_sign(secret: &str, timestamp_ms: i64) -> String {
    let digest = hmac_sha256(
        secret.as_bytes(),
        format!("{timestamp_ms}\n{secret}").as_bytes(),
    );
    percent_encode(&base64::engine::general_purpose::STANDARD.encode(digest))
}

/// `text` cut at a character boundary to at most `limit` bytes.
fn cut_to_bytes(text: &str, limit: usize) -> &str {
    if text.len() <= limit {
        return text;
    }
    let mut end = limit;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[async_trait]
impl Sender for RobotSender {
    fn channel(&self) -> Channel {
        self.channel
    }

    fn communities(&self) -> Vec<i64> {
        let mut ids: Vec<i64> = self.robots.keys().copied().collect();
        ids.sort_unstable();
        ids
    }

    async fn send(&self, message: &Outgoing<'_>) -> Result<String, SendError> {
        let Address::Group(community) = message.to else {
            return Err(SendError::permanent("not a work group"));
        };
        let robot = self
            .robots
            .get(&community)
            .ok_or_else(|| SendError::permanent(format!("no robot for community {community}")))?;
        let content = format!("【夜校】{}\n{}", message.subject, message.text);
        let (url, content) = match (&self.channel, &robot.secret) {
            (Channel::DingTalk, Some(secret)) => {
                let now = chrono::Utc::now().timestamp_millis();
                let sign = dingtalk_sign(secret, now);
                (
                    format!("{}&timestamp={now}&sign={sign}", robot.url),
                    content,
                )
            }
            _ => (
                robot.url.clone(),
                cut_to_bytes(&content, WECOM_TEXT_BYTES).to_string(),
            ),
        };
        let body = serde_json::json!({ "msgtype": "text", "text": { "content": content } });
        let response = self
            .client
            .post(url)
            .json(&body)
            .send()
            .await
            .map_err(transport_error)?;
        let status = response.status();
        let answer = response.text().await.map_err(transport_error)?;
        let code = serde_json::from_str::<serde_json::Value>(&answer)
            .ok()
            .and_then(|v| v.get("errcode").and_then(|c| c.as_i64()))
            .unwrap_or(-1);
        match code {
            0 if status.is_success() => Ok(answer),
            // Too many messages a minute (DingTalk 130101, WeCom 45009), or a busy server.
            130101 | 45009 | -1 => Err(SendError::retry(format!("{status} {answer}"))),
            _ if status.is_server_error() => Err(SendError::retry(format!("{status} {answer}"))),
            _ => Err(SendError::permanent(format!("{status} {answer}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn robots_are_configured_per_community() {
        let ding = parse_entries(
            Channel::DingTalk,
            "X",
            "铁塔寺社区|https://oapi.dingtalk.com/robot/send?access_token=a|SECb; \n",
        )
        .unwrap();
        assert_eq!(ding[0].secret.as_deref(), Some("SECb"));
        assert!(parse_entries(Channel::DingTalk, "X", "铁塔寺社区|https://x/robot/send").is_err());
        assert!(parse_entries(Channel::WeCom, "X", "铁塔寺社区|not a url").is_err());
        let wecom = parse_entries(
            Channel::WeCom,
            "X",
            "a|https://q/send?key=k\nb|https://q/send?key=l",
        )
        .unwrap();
        assert_eq!(wecom.len(), 2);
        let communities = [
            (1, "铁塔寺社区".to_string(), "运河街道".to_string()),
            (2, "新村社区".to_string(), "运河街道".to_string()),
            (3, "新村社区".to_string(), "李营街道".to_string()),
        ];
        let entry = |c: &str| RobotEntry {
            community: c.into(),
            url: "https://q/send?key=k".into(),
            secret: None,
        };
        let sender = RobotSender::new(
            Channel::WeCom,
            vec![entry("铁塔寺社区"), entry("李营街道/新村社区")],
            &communities,
        )
        .unwrap();
        assert_eq!(sender.communities(), [1, 3]);
        assert!(RobotSender::new(Channel::WeCom, vec![entry("新村社区")], &communities).is_err());
        assert!(RobotSender::new(Channel::WeCom, vec![entry("无此社区")], &communities).is_err());
    }

    #[test]
    fn dingtalk_signs_the_timestamp_with_the_secret() {
        // Computed with Python's hmac, base64 and urllib.parse.quote_plus, as DingTalk's
        // documentation does it.
        assert_eq!(
            dingtalk_sign("SECabc", 1_700_000_000_000),
            "jcUpW0QmtKduN03n4JqQ0PBosVjqnM8gU7fIIvsDmCM%3D"
        );
    }

    #[test]
    fn wecom_texts_are_cut_at_a_character() {
        let long = "防汛".repeat(700);
        let cut = cut_to_bytes(&long, WECOM_TEXT_BYTES);
        assert!(cut.len() <= WECOM_TEXT_BYTES && cut.len() > WECOM_TEXT_BYTES - 3);
    }
}
