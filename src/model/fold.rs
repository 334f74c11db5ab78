//! Names compared as people type them: without case or accents, so `moravia` finds Moravia and `belen` Belén.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Lower case without accents (NFD, combining marks dropped), spaces collapsed.
///
/// ```
/// use ssepot::model::fold_name;
/// assert_eq!(fold_name("  Jardín  Botánico "), "jardin botanico");
/// assert_eq!(fold_name("ÑUÑOA"), "nunoa");
/// ```
pub fn fold_name(s: &str) -> String {
    let folded: String = s
        .nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}
