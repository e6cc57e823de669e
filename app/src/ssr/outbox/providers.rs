//! The SMS channel for the provider the configuration names: each provider is a file
//! (`aliyun.rs`, `tencent.rs`) implementing [`Sender`].
use std::sync::Arc;

use super::Sender;
use super::sms::{Provider, SmsConfig};

pub fn sms_sender(config: &SmsConfig) -> Result<Arc<dyn Sender>, String> {
    Ok(match config.provider {
        Provider::Aliyun => Arc::new(super::aliyun::AliyunSms::new(config.clone())?),
        Provider::Tencent => Arc::new(super::tencent::TencentSms::new(config.clone())?),
    })
}
