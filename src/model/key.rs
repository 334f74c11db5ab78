//! Territory codes are written in many ways; joins compare a normalised form.

/// Normalises a territory code so that `1`, `1.0`, `01` and ` 01 ` are the same key.
///
/// Numeric codes lose leading zeros and a zero fraction; other codes are trimmed and lower-cased.
///
/// ```
/// use ssepot::model::normalize_key;
/// assert_eq!(normalize_key("01"), "1");
/// assert_eq!(normalize_key("1.0"), "1");
/// assert_eq!(normalize_key(" 60 "), "60");
/// assert_eq!(normalize_key("Ciudad"), "ciudad");
/// assert_eq!(normalize_key("0"), "0");
/// ```
pub fn normalize_key(raw: &str) -> String {
    let s = raw.trim();
    let int_part = s
        .strip_suffix(".0")
        .or_else(|| s.strip_suffix(",0"))
        .unwrap_or(s);
    if !int_part.is_empty() && int_part.bytes().all(|b| b.is_ascii_digit()) {
        let trimmed = int_part.trim_start_matches('0');
        return if trimmed.is_empty() {
            "0".into()
        } else {
            trimmed.into()
        };
    }
    s.to_lowercase()
}
