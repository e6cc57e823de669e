//! Tencent Cloud SMS (API 3.0, SendSms of 2021-01-11), signed with TC3-HMAC-SHA256 as its
//! signature v3 documents: a JSON body, `content-type` and `host` signed. The push's key is
//! the message's `SessionContext`, which the provider hands back with its receipts.
use async_trait::async_trait;

use super::sms::{
    SmsConfig, Text, hex, hmac_sha256, host_of, http_client, sha256_hex, text_of, transport_error,
};
use super::{Outgoing, SendError, Sender};
use crate::domain::messages::Channel;

pub struct TencentSms {
    config: SmsConfig,
    host: String,
    client: reqwest::Client,
}

const VERSION: &str = "2021-01-11";
const SERVICE: &str = "sms";
const CONTENT_TYPE: &str = "application/json; charset=utf-8";

impl TencentSms {
    pub fn new(config: SmsConfig) -> Result<Self, String> {
        Ok(TencentSms {
            host: host_of(&config.endpoint)?,
            client: http_client()?,
            config,
        })
    }
}

/// Mainland numbers go in E.164 form.
fn e164(phone: &str) -> String {
    if phone.starts_with('+') {
        phone.to_string()
    } else {
        format!("+86{phone}")
    }
}

/// The signed request: its JSON body and its headers, `Authorization` last.
pub fn signed_request(
    config: &SmsConfig,
    host: &str,
    text: &Text<'_>,
    timestamp: i64,
) -> (String, Vec<(String, String)>) {
    let body = serde_json::json!({
        "PhoneNumberSet": [e164(text.phone)],
        "SmsSdkAppId": config.app_id,
        "SignName": config.sign_name,
        "TemplateId": text.template,
        "TemplateParamSet": text.values.iter().map(|(_, v)| v.clone()).collect::<Vec<_>>(),
        "SessionContext": text.key,
    })
    .to_string();
    let date = chrono::DateTime::from_timestamp(timestamp, 0)
        .unwrap_or_default()
        .format("%Y-%m-%d")
        .to_string();
    let canonical = format!(
        "POST\n/\n\ncontent-type:{CONTENT_TYPE}\nhost:{host}\n\ncontent-type;host\n{}",
        sha256_hex(body.as_bytes())
    );
    let scope = format!("{date}/{SERVICE}/tc3_request");
    let to_sign = format!(
        "TC3-HMAC-SHA256\n{timestamp}\n{scope}\n{}",
        sha256_hex(canonical.as_bytes())
    );
    let k_date = hmac_sha256(
        format!("TC3{}", config.key_secret).as_bytes(),
        date.as_bytes(),
    );
    let k_service = hmac_sha256(&k_date, SERVICE.as_bytes());
    let k_signing = hmac_sha256(&k_service, b"tc3_request");
    let signature = hex(&hmac_sha256(&k_signing, to_sign.as_bytes()));
    let headers = vec![
        ("content-type".to_string(), CONTENT_TYPE.to_string()),
        ("host".to_string(), host.to_string()),
        ("x-tc-action".to_string(), "SendSms".to_string()),
        ("x-tc-version".to_string(), VERSION.to_string()),
        ("x-tc-timestamp".to_string(), timestamp.to_string()),
        ("x-tc-region".to_string(), config.region.clone()),
        (
            "authorization".to_string(),
            format!(
                "TC3-HMAC-SHA256 Credential={}/{scope}, SignedHeaders=content-type;host, Signature={signature}",
                config.key_id
            ),
        ),
    ];
    (body, headers)
}

/// Codes worth trying again later.
fn passing(code: &str) -> bool {
    code.starts_with("RequestLimitExceeded")
        || code.starts_with("LimitExceeded")
        || code.starts_with("InternalError")
        || code.starts_with("FailedOperation.FailResolvePacket")
}

#[async_trait]
impl Sender for TencentSms {
    fn channel(&self) -> Channel {
        Channel::Sms
    }

    async fn send(&self, message: &Outgoing<'_>) -> Result<String, SendError> {
        let text = text_of(&self.config, message)?;
        let (body, headers) = signed_request(
            &self.config,
            &self.host,
            &text,
            chrono::Utc::now().timestamp(),
        );
        let mut request = self.client.post(format!("{}/", self.config.endpoint));
        for (name, value) in headers {
            request = request.header(name, value);
        }
        let response = request.body(body).send().await.map_err(transport_error)?;
        let status = response.status();
        let answer = response.text().await.map_err(transport_error)?;
        let parsed: serde_json::Value = serde_json::from_str(&answer).unwrap_or_default();
        let reply = &parsed["Response"];
        let code = reply["Error"]["Code"]
            .as_str()
            .or_else(|| reply["SendStatusSet"][0]["Code"].as_str())
            .unwrap_or_default();
        if status.is_success() && code == "Ok" {
            Ok(answer)
        } else if status.is_server_error() || passing(code) {
            Err(SendError::retry(format!("{status} {answer}")))
        } else {
            Err(SendError::permanent(format!("{status} {answer}")))
        }
    }
}
