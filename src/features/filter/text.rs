//! Text rules of CQL2: `LIKE` patterns, `CASEI` and `ACCENTI`.

use regex::Regex;
use unicode_normalization::UnicodeNormalization;

/// How a text is folded before it is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Fold {
    /// `CASEI`: compared in lower case.
    pub case: bool,
    /// `ACCENTI`: compared without accents (`Cristóbal` = `Cristobal`).
    pub accent: bool,
}

impl Fold {
    pub fn apply(self, s: &str) -> String {
        let s = if self.accent {
            s.nfd().filter(|c| !is_combining_mark(*c)).nfc().collect()
        } else {
            s.to_string()
        };
        if self.case {
            s.to_lowercase()
        } else {
            s
        }
    }

    pub fn is_none(self) -> bool {
        !self.case && !self.accent
    }
}

/// Combining diacritical marks: what `ACCENTI` removes once a text is decomposed.
fn is_combining_mark(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F)
}

/// A `LIKE` pattern: `%` is any run of characters, `_` one character, `\` escapes the next one.
pub fn like_regex(pattern: &str) -> Result<Regex, String> {
    let mut re = String::from("(?s)^");
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '%' => re.push_str(".*"),
            '_' => re.push('.'),
            '\\' => match chars.next() {
                Some(n) => re.push_str(&regex::escape(&n.to_string())),
                None => return Err("the LIKE pattern ends with an escape character `\\`".into()),
            },
            other => re.push_str(&regex::escape(&other.to_string())),
        }
    }
    re.push('$');
    Regex::new(&re).map_err(|e| format!("the LIKE pattern cannot be used: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_match_whole_texts_with_percent_and_underscore() {
        let r = like_regex("San%").unwrap();
        assert!(r.is_match("San Javier") && r.is_match("Santa Elena"));
        assert!(!r.is_match("Villa San"));
        let r = like_regex("_1").unwrap();
        assert!(r.is_match("01") && !r.is_match("011"));
        let r = like_regex(r"100\%").unwrap();
        assert!(r.is_match("100%") && !r.is_match("1000"));
        assert!(like_regex("a.b*").unwrap().is_match("a.b*"));
    }

    #[test]
    fn folding_removes_case_and_accents_only_when_asked() {
        let both = Fold {
            case: true,
            accent: true,
        };
        assert_eq!(both.apply("San Cristóbal"), "san cristobal");
        assert_eq!(Fold::default().apply("Ñ"), "Ñ");
        assert_eq!(
            Fold {
                case: false,
                accent: true
            }
            .apply("Ñandú"),
            "Nandu"
        );
    }
}
