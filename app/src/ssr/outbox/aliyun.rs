//! Alibaba Cloud SMS (dysmsapi, SendSms of 2017-05-25), signed with ACS3-HMAC-SHA256 as
//! its V3 request signature documents: the parameters go in the query of a `POST /` with an
//! empty body, and every header sent is signed. The push's key is the message's `OutId`,
//! which the provider hands back in its delivery receipts.
use async_trait::async_trait;

use super::sms::{
    SmsConfig, Text, hex, hmac_sha256, host_of, http_client, sha256_hex, text_of, transport_error,
};
use super::{Outgoing, SendError, Sender};
use crate::domain::files::percent_encode;
use crate::domain::messages::Channel;

pub struct AliyunSms {
    config: SmsConfig,
    host: String,
    client: reqwest::Client,
}

const ACTION: &str = "SendSms";
const VERSION: &str = "2017-05-25";
const ALGORITHM: &str = "ACS3-HMAC-SHA256";

impl AliyunSms {
    pub fn new(config: SmsConfig) -> Result<Self, String> {
        Ok(AliyunSms {
            host: host_of(&config.endpoint)?,
            client: http_client()?,
            config,
        })
    }
}

/// The signed request: its query string and its headers, `Authorization` last.
pub fn signed_request(
    config: &SmsConfig,
    host: &str,
    text: &Text<'_>,
    date: &str,
    nonce: &str,
) -> (String, Vec<(String, String)>) {
    let values: serde_json::Map<String, serde_json::Value> = text
        .values
        .iter()
        .map(|(k, v)| (k.to_string(), serde_json::Value::String(v.clone())))
        .collect();
    let mut query = [
        ("OutId", text.key.to_string()),
        ("PhoneNumbers", text.phone.to_string()),
        ("SignName", config.sign_name.clone()),
        ("TemplateCode", text.template.to_string()),
        (
            "TemplateParam",
            serde_json::Value::Object(values).to_string(),
        ),
    ];
    query.sort_by(|a, b| a.0.cmp(b.0));
    let query: String = query
        .iter()
        .map(|(k, v)| format!("{k}={}", percent_encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let payload = sha256_hex(b"");
    // Sorted by name, as the canonical request lists them.
    let headers = [
        ("host", host.to_string()),
        ("x-acs-action", ACTION.to_string()),
        ("x-acs-content-sha256", payload.clone()),
        ("x-acs-date", date.to_string()),
        ("x-acs-signature-nonce", nonce.to_string()),
        ("x-acs-version", VERSION.to_string()),
    ];
    let canonical_headers: String = headers.iter().map(|(k, v)| format!("{k}:{v}\n")).collect();
    let signed: Vec<&str> = headers.iter().map(|(k, _)| *k).collect();
    let signed = signed.join(";");
    let canonical = format!("POST\n/\n{query}\n{canonical_headers}\n{signed}\n{payload}");
    let to_sign = format!("{ALGORITHM}\n{}", sha256_hex(canonical.as_bytes()));
    let signature = hex(&hmac_sha256(
        config.key_secret.as_bytes(),
        to_sign.as_bytes(),
    ));
    let mut out: Vec<(String, String)> = headers
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    out.push((
        "authorization".into(),
        format!(
            "{ALGORITHM} Credential={},SignedHeaders={signed},Signature={signature}",
            config.key_id
        ),
    ));
    (query, out)
}

/// Codes worth trying again later: the provider's rate limits and its own troubles.
fn passing(code: &str) -> bool {
    code.starts_with("isv.BUSINESS_LIMIT_CONTROL")
        || code.starts_with("Throttling")
        || code.starts_with("ServiceUnavailable")
        || code.starts_with("InternalError")
}

#[async_trait]
impl Sender for AliyunSms {
    fn channel(&self) -> Channel {
        Channel::Sms
    }

    async fn send(&self, message: &Outgoing<'_>) -> Result<String, SendError> {
        let text = text_of(&self.config, message)?;
        let date = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
        let mut nonce = [0u8; 16];
        getrandom::getrandom(&mut nonce).map_err(|e| SendError::retry(e.to_string()))?;
        let (query, headers) = signed_request(&self.config, &self.host, &text, &date, &hex(&nonce));
        let mut request = self
            .client
            .post(format!("{}/?{query}", self.config.endpoint));
        for (name, value) in headers {
            request = request.header(name, value);
        }
        let response = request.send().await.map_err(transport_error)?;
        let status = response.status();
        let body = response.text().await.map_err(transport_error)?;
        let code = serde_json::from_str::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| v.get("Code").and_then(|c| c.as_str()).map(str::to_string))
            .unwrap_or_default();
        if status.is_success() && code == "OK" {
            Ok(body)
        } else if status.is_server_error() || status.as_u16() == 429 || passing(&code) {
            Err(SendError::retry(format!("{status} {body}")))
        } else {
            Err(SendError::permanent(format!("{status} {body}")))
        }
    }
}
