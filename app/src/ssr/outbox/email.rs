//! E-mail over SMTP (lettre). The push's key is the message's Message-ID, so a copy sent
//! again after a crash is the same message to every mail program.
use std::time::Duration;

use async_trait::async_trait;
use lettre::message::{Mailbox, header::ContentType};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::{Address, Outgoing, SendError, Sender};
use crate::domain::messages::Channel;

/// How the connection to the mail server is protected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Security {
    /// Plain SMTP: only for a relay on the same machine or network (and tests).
    None,
    /// STARTTLS on the submission port (587), the usual choice.
    StartTls,
    /// TLS from the first byte (465).
    Tls,
}

/// `NIGHTSCHOOL_SMTP_*`: off unless a host is set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmailConfig {
    pub host: String,
    pub port: u16,
    pub security: Security,
    /// User name and password, when the server wants them.
    pub login: Option<(String, String)>,
    /// The sender, e.g. `夜校 <noreply@example.org>`.
    pub from: String,
}

impl EmailConfig {
    /// Reads the configuration; `Ok(None)` when no host is set, an error in words for any
    /// value that cannot be used (it is not replaced by a default).
    pub fn from_env() -> Result<Option<EmailConfig>, String> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let Some(host) = var("NIGHTSCHOOL_SMTP_HOST") else {
            return Ok(None);
        };
        let security = match var("NIGHTSCHOOL_SMTP_SECURITY").as_deref() {
            None | Some("starttls") => Security::StartTls,
            Some("tls") => Security::Tls,
            Some("none") => Security::None,
            Some(other) => {
                return Err(format!(
                    "NIGHTSCHOOL_SMTP_SECURITY={other:?}: use starttls, tls or none"
                ));
            }
        };
        let port = match var("NIGHTSCHOOL_SMTP_PORT") {
            Some(raw) => raw
                .trim()
                .parse::<u16>()
                .ok()
                .filter(|p| *p > 0)
                .ok_or_else(|| format!("NIGHTSCHOOL_SMTP_PORT={raw:?} is not a port number"))?,
            None => match security {
                Security::StartTls => 587,
                Security::Tls => 465,
                Security::None => 25,
            },
        };
        let from = var("NIGHTSCHOOL_SMTP_FROM").ok_or(
            "NIGHTSCHOOL_SMTP_FROM must name the sender when NIGHTSCHOOL_SMTP_HOST is set",
        )?;
        from.parse::<Mailbox>()
            .map_err(|e| format!("NIGHTSCHOOL_SMTP_FROM={from:?} is not an address: {e}"))?;
        let login = match (
            var("NIGHTSCHOOL_SMTP_USER"),
            var("NIGHTSCHOOL_SMTP_PASSWORD"),
        ) {
            (Some(user), Some(password)) => Some((user, password)),
            (None, None) => None,
            _ => {
                return Err(
                    "NIGHTSCHOOL_SMTP_USER and NIGHTSCHOOL_SMTP_PASSWORD go together".into(),
                );
            }
        };
        Ok(Some(EmailConfig {
            host: host.trim().to_string(),
            port,
            security,
            login,
            from,
        }))
    }
}

pub struct EmailSender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// The right-hand side of Message-IDs: the sender's domain.
    domain: String,
}

impl EmailSender {
    pub fn new(config: &EmailConfig) -> Result<Self, String> {
        let builder = match config.security {
            Security::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&config.host),
            Security::StartTls => {
                AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&config.host)
                    .map_err(|e| e.to_string())?
            }
            Security::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&config.host)
                .map_err(|e| e.to_string())?,
        };
        let mut builder = builder
            .port(config.port)
            .timeout(Some(Duration::from_secs(30)));
        if let Some((user, password)) = &config.login {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        let from: Mailbox = config.from.parse().map_err(|e| format!("{e}"))?;
        let domain = from.email.domain().to_string();
        Ok(EmailSender {
            transport: builder.build(),
            from,
            domain,
        })
    }
}

#[async_trait]
impl Sender for EmailSender {
    fn channel(&self) -> Channel {
        Channel::Email
    }

    async fn send(&self, message: &Outgoing<'_>) -> Result<String, SendError> {
        let Address::Email(to) = &message.to else {
            return Err(SendError::permanent("not an e-mail address"));
        };
        let to: Mailbox = to
            .parse()
            .map_err(|e| SendError::permanent(format!("address {to:?}: {e}")))?;
        let mail = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&message.subject)
            .message_id(Some(format!("<{}@{}>", message.key, self.domain)))
            .header(ContentType::TEXT_PLAIN)
            .body(message.text.clone())
            .map_err(|e| SendError::permanent(e.to_string()))?;
        match self.transport.send(mail).await {
            Ok(response) => Ok(format!(
                "{} {}",
                response.code(),
                response.message().collect::<Vec<_>>().join(" ")
            )),
            Err(err) if err.is_permanent() => Err(SendError::permanent(err.to_string())),
            Err(err) => Err(SendError::retry(err.to_string())),
        }
    }
}
