//! GDAL's own messages, kept for the import report: why a geometry is invalid (GEOS speaks through GDAL's error
//! handler) and why a source does not open (a VRT whose source file is missing opens, with an error message and no
//! fields).

use gdal::errors::CplErrType;
use std::sync::Mutex;

/// The last message of any class, and the last error (`CE_Failure` or worse).
static LAST: Mutex<(String, String)> = Mutex::new((String::new(), String::new()));

/// Routes GDAL's messages to the log and keeps the last ones for the import report.
pub fn capture() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        gdal::config::set_error_handler(|class, _, msg| {
            tracing::debug!("GDAL {class:?}: {msg}");
            if let Ok(mut last) = LAST.lock() {
                last.0 = msg.to_string();
                if matches!(class, CplErrType::Failure | CplErrType::Fatal) {
                    last.1 = msg.to_string();
                }
            }
        })
    });
}

/// The last message since the previous call, of any class.
pub fn take_message() -> String {
    LAST.lock()
        .map(|mut m| std::mem::take(&mut m.0))
        .unwrap_or_default()
}

/// The last error since the previous call, if any.
pub fn take_error() -> Option<String> {
    LAST.lock()
        .ok()
        .map(|mut m| std::mem::take(&mut m.1))
        .filter(|m| !m.is_empty())
}
