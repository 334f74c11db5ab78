//! Reading a multipart upload form, refusing it with 413 as soon as it passes the limit.

use crate::http::error::ApiError;
use axum::extract::Multipart;
use axum::http::{header, HeaderMap};

/// The fields of an upload form.
#[derive(Default)]
pub struct UploadForm {
    pub file: Option<(String, Vec<u8>)>,
    pub idempotency_key: Option<String>,
    pub decimal: Option<String>,
    pub csrf: Option<String>,
}

/// Reads a multipart upload, refusing it with 413 as soon as it passes `limit` bytes.
pub async fn read_upload(
    headers: &HeaderMap,
    mut multipart: Multipart,
    limit: usize,
) -> Result<UploadForm, ApiError> {
    let too_large = || {
        ApiError::PayloadTooLarge(format!(
            "parameter `file`: uploads are limited to {} MB",
            limit / 1024 / 1024
        ))
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit + 64 * 1024) {
        return Err(too_large());
    }
    let mut form = UploadForm::default();
    let mut total = 0usize;
    let bad = |e: axum::extract::multipart::MultipartError| {
        ApiError::bad("file", format!("the form cannot be read: {e}"))
    };
    while let Some(mut field) = multipart.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or_default().to_string();
        let filename = field.file_name().map(str::to_string);
        let mut data = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(bad)? {
            total += chunk.len();
            if total > limit {
                return Err(too_large());
            }
            data.extend_from_slice(&chunk);
        }
        let text = || String::from_utf8_lossy(&data).trim().to_string();
        match name.as_str() {
            "file" => form.file = Some((filename.unwrap_or_else(|| "upload".into()), data)),
            "idempotency_key" => form.idempotency_key = Some(text()),
            "decimal" => form.decimal = Some(text()).filter(|t| !t.is_empty()),
            "csrf" => form.csrf = Some(text()),
            other => {
                return Err(ApiError::bad(
                    other,
                    "unknown form field; fields are file, idempotency_key, decimal, csrf",
                ))
            }
        }
    }
    Ok(form)
}
