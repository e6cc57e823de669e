//! QR codes as inline SVG: the door's check-in link, an authenticator app's secret.
use crate::error::{AppError, AppResult};

pub fn svg(link: &str) -> AppResult<String> {
    let code = qrcode::QrCode::with_error_correction_level(link, qrcode::EcLevel::M)
        .map_err(AppError::internal)?;
    Ok(code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(320, 320)
        .quiet_zone(true)
        .build())
}
