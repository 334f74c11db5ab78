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
}
