//! The bounds on what a filter may cost: its length, how deeply it nests, and how many vertices its
//! geometry literals have. Servers that took CQL2 without them could be stopped by one request (a filter
//! nested thousands of levels deep overflows a recursive parser's stack; a polygon with a million
//! vertices costs seconds per feature), so each is checked before the work it bounds, and each has its
//! own 400 that names it.

use super::FilterError;

/// Longest filter, in characters: a drawn polygon of several hundred vertices fits.
pub const MAX_CHARS: usize = 16_384;
/// Deepest nesting of operations, functions and brackets.
pub const MAX_DEPTH: usize = 20;
/// Most vertices over all the geometry literals of one filter.
pub const MAX_VERTICES: usize = 1_000;
/// Most operators (`AND`, `OR`, `=`, `LIKE`, `-`…) in a cql2-text filter. cql2 0.5.5's parser copies the
/// expression built so far at every operator, so its time grows with the square of their number (2 000 chained
/// `=` took seconds); lists of values go in `IN (…)`, which is not limited.
pub const MAX_OPERATORS: usize = 256;

/// Refuses a filter longer than [`MAX_CHARS`].
pub fn check_size(text: &str) -> Result<(), FilterError> {
    let n = text.chars().count();
    if n > MAX_CHARS {
        return Err(FilterError::limit(format!(
            "has {n} characters; the limit is {MAX_CHARS}"
        )));
    }
    Ok(())
}

/// Refuses, before parsing, a text that nests brackets or `NOT`s deeper than [`MAX_DEPTH`]: the parser
/// recurses once per level, so the depth is bounded before it runs, not after.
pub fn check_nesting(text: &str) -> Result<(), FilterError> {
    let mut depth = 0usize;
    let mut nots = 0usize;
    let mut quote: Option<char> = None;
    let mut word = String::new();
    for (at, ch) in text.chars().enumerate() {
        if let Some(q) = quote {
            // '' inside a literal is an escaped quote: leaving and re-entering is the same state.
            if ch == q {
                quote = None;
            }
            continue;
        }
        if ch.is_alphanumeric() || ch == '_' {
            word.push(ch);
            continue;
        }
        if word.eq_ignore_ascii_case("not") {
            nots += 1;
        }
        word.clear();
        match ch {
            '\'' | '"' => quote = Some(ch),
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        if depth + nots > MAX_DEPTH * 2 {
            return Err(too_deep(Some(at)));
        }
    }
    Ok(())
}

/// Refuses, before parsing, a cql2-text filter with more than [`MAX_OPERATORS`] operators. Text literals
/// and the coordinates of geometry literals (`POINT(-75.57 6.25)`: their minus signs) are not counted.
pub fn check_operators(text: &str) -> Result<(), FilterError> {
    const GEOMETRY: [&str; 8] = [
        "point",
        "linestring",
        "polygon",
        "multipoint",
        "multilinestring",
        "multipolygon",
        "geometrycollection",
        "bbox",
    ];
    const WORDS: [&str; 8] = ["and", "or", "like", "in", "between", "is", "not", "div"];
    let chars: Vec<char> = text.chars().collect();
    let mut count = 0usize;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' || c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != c {
                i += 1;
            }
            i += 1;
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len()
                && (chars[i].is_alphanumeric() || matches!(chars[i], '_' | '.' | ':'))
            {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect::<String>().to_lowercase();
            if WORDS.contains(&word.as_str()) {
                count += 1;
            } else if GEOMETRY.contains(&word.as_str()) {
                i = skip_brackets(&chars, i);
            }
        } else if "=<>!+-*/%^".contains(c) {
            count += 1;
            while i < chars.len() && "=<>!".contains(chars[i]) {
                i += 1;
            }
            i += usize::from(!"=<>!".contains(c));
        } else {
            i += 1;
        }
        if count > MAX_OPERATORS {
            return Err(FilterError::limit(format!(
                "has more than {MAX_OPERATORS} operators, the limit (give long lists of values with IN (…))"
            ))
            .at(Some(i.min(chars.len()))));
        }
    }
    Ok(())
}

/// The position after the bracketed body that follows `from` (spaces and a `Z`/`M`/`ZM` allowed before it).
fn skip_brackets(chars: &[char], from: usize) -> usize {
    let mut i = from;
    while i < chars.len() && chars[i] != '(' {
        if !(chars[i].is_whitespace() || matches!(chars[i], 'z' | 'Z' | 'm' | 'M')) {
            return from;
        }
        i += 1;
    }
    let mut depth = 0usize;
    while i < chars.len() {
        match chars[i] {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    i
}

fn too_deep(at: Option<usize>) -> FilterError {
    let mut e = FilterError::limit(format!("nests deeper than the limit of {MAX_DEPTH} levels"));
    e.position = at;
    e
}

/// Refuses a parsed expression deeper than [`MAX_DEPTH`].
pub fn check_depth(depth: usize) -> Result<(), FilterError> {
    if depth > MAX_DEPTH {
        return Err(too_deep(None));
    }
    Ok(())
}

/// Refuses geometry literals with more than [`MAX_VERTICES`] vertices in all.
pub fn check_vertices(n: usize) -> Result<(), FilterError> {
    if n > MAX_VERTICES {
        return Err(FilterError::limit(format!(
            "has geometry literals with {n} vertices; the limit is {MAX_VERTICES}"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brackets_inside_literals_do_not_count_as_nesting() {
        let text = format!("name = '{}'", "(".repeat(500));
        assert!(check_nesting(&text).is_ok());
        let deep = format!("{}x = 1{}", "(".repeat(100), ")".repeat(100));
        assert!(check_nesting(&deep).is_err());
        let nots = "NOT ".repeat(100) + "x = 1";
        assert!(check_nesting(&nots).is_err());
    }

    #[test]
    fn operators_are_counted_outside_literals_and_geometry_coordinates() {
        let ok = format!(
            "name = 'a-b-c={}' AND S_INTERSECTS(geometry, POLYGON(({})))",
            "-".repeat(400),
            vec!["-75.6 -6.2"; 300].join(", ")
        );
        assert!(check_operators(&ok).is_ok());
        assert!(check_operators(&"year = 1 OR ".repeat(129)).is_err());
        assert!(check_operators(&"1-".repeat(300)).is_err());
        assert!(check_operators("a <= 1 AND b <> 2 AND c >= 3").is_ok());
    }
}
