//! From the text a client sent to a `cql2::Expr`, with the reason and the position of any error.

use super::{limits, FilterError, FilterRequest, Lang};
use cql2::Expr;
use regex::{Captures, Regex};
use std::sync::LazyLock;

/// Parses a filter in its language, within the size and nesting limits.
///
/// The parser recurses once per level of some constructs the nesting check cannot see (a chain
/// `a = b = c = …` nests to the right), so it runs on a thread whose stack holds the deepest expression
/// [`limits::MAX_CHARS`] allows; a panic in it (cql2 0.5.5 has `unreachable!` on a few valid literals,
/// such as `1e5`) is a 400, not a failed request. Too deep an expression is dropped on that thread too.
pub fn parse(req: &FilterRequest) -> Result<Expr, FilterError> {
    limits::check_size(&req.text)?;
    limits::check_nesting(&req.text)?;
    std::thread::scope(|s| {
        std::thread::Builder::new()
            .name("cql2-parse".into())
            .stack_size(PARSER_STACK)
            .spawn_scoped(s, || {
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| parse_checked(req)))
                    .unwrap_or_else(|_| Err(FilterError::new(PARSER_PANIC)))
            })
            .map_err(|e| FilterError::new(format!("the filter could not be read: {e}")))
            .and_then(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(FilterError::new(PARSER_PANIC)))
            })
    })
}

/// Stack of the parsing thread: a right-nested chain as long as the size limit allows needs a few MiB.
const PARSER_STACK: usize = 64 << 20;

const PARSER_PANIC: &str =
    "is not valid CQL2 text that this server's parser can read (numbers with an \
     exponent, such as 1e5, are not read: write 100000)";

fn parse_checked(req: &FilterRequest) -> Result<Expr, FilterError> {
    let expr = match req.lang {
        Lang::Cql2Json => json(&req.text)?,
        Lang::Cql2Text => text(&req.text)?,
    };
    let expr = flatten(expr);
    limits::check_depth(depth(&expr))?;
    Ok(expr)
}

/// `a OR b OR c` as one `or` of three, not an `or` nested in an `or` (cql2 flattens `and` only): a long list of
/// alternatives is wide, not deep.
fn flatten(e: Expr) -> Expr {
    match e {
        Expr::Operation { op, args } if op == "and" || op == "or" => {
            let mut flat = Vec::with_capacity(args.len());
            for a in args {
                match flatten(*a) {
                    Expr::Operation { op: inner, args } if inner == op => flat.extend(args),
                    other => flat.push(Box::new(other)),
                }
            }
            Expr::Operation { op, args: flat }
        }
        Expr::Operation { op, args } => Expr::Operation {
            op,
            args: args.into_iter().map(|a| Box::new(flatten(*a))).collect(),
        },
        other => other,
    }
}

fn json(s: &str) -> Result<Expr, FilterError> {
    cql2::parse_json(s).map_err(|e| {
        let at = char_offset_of_line_col(s, e.line(), e.column());
        FilterError::new(format!("is not valid CQL2 JSON: {e}")).at(at)
    })
}

/// `cql2::parse_text` stops at the end of the first expression it can read and ignores what follows,
/// so `a = 1 garbage` would be read as `a = 1`. The text is parsed as `(text) AND true`: read whole, that
/// is an `and` whose last operand is the sentinel `true`; anything else means the text was not one
/// expression.
fn text(s: &str) -> Result<Expr, FilterError> {
    limits::check_operators(s)?;
    let rewritten = ilike(s);
    let wrapped = format!("({rewritten}) AND true");
    let expr = cql2::parse_text(&wrapped).map_err(|e| text_error(e, &rewritten))?;
    without_sentinel(expr).ok_or_else(|| {
        FilterError::new(
            "is not one CQL2 expression: text is left over after it (check the brackets and quotes)",
        )
    })
}

fn without_sentinel(e: Expr) -> Option<Expr> {
    match e {
        Expr::Operation { op, mut args }
            if op == "and" && matches!(args.last().map(|a| &**a), Some(Expr::Bool(true))) =>
        {
            args.pop();
            match args.len() {
                0 => None,
                1 => args.pop().map(|a| *a),
                _ => Some(Expr::Operation { op, args }),
            }
        }
        _ => None,
    }
}

fn text_error(e: cql2::Error, rewritten: &str) -> FilterError {
    match e {
        cql2::Error::Pest(p) => {
            let byte = match p.location {
                pest::error::InputLocation::Pos(b) => b,
                pest::error::InputLocation::Span((b, _)) => b,
            };
            // The sentinel's bracket comes first; a position past the text is its end.
            let mut byte = byte.saturating_sub(1).min(rewritten.len());
            while !rewritten.is_char_boundary(byte) {
                byte -= 1;
            }
            FilterError::new(format!(
                "is not valid CQL2 text: {}",
                expected(&p.variant.message())
            ))
            .at(Some(rewritten[..byte].chars().count()))
        }
        other => FilterError::new(format!("is not valid CQL2 text: {other}")),
    }
}

/// The parser's "expected …" list, in words a client can act on.
fn expected(message: &str) -> String {
    if message.is_empty() {
        "unexpected text".into()
    } else {
        message.to_string()
    }
}

fn char_offset_of_line_col(s: &str, line: usize, col: usize) -> Option<usize> {
    let mut offset = 0;
    for (i, l) in s.split('\n').enumerate() {
        if i + 1 == line {
            return Some(offset + l.chars().take(col.saturating_sub(1)).count());
        }
        offset += l.chars().count() + 1;
    }
    None
}

/// `ILIKE` is not CQL2, but GDAL's OGC API driver writes it when it translates `-where name ILIKE 'x'`:
/// `prop ILIKE 'pattern'` is read as the standard `CASEI(prop) LIKE CASEI('pattern')`. Text literals are
/// matched whole, so an `ILIKE` inside one is left alone.
fn ilike(s: &str) -> String {
    static RE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r#"((?:"[^"]+"|[\p{L}_][\p{L}\p{N}_.:]*))\s+((?i:NOT)\s+)?(?i:ILIKE)\s+('(?:[^']|'')*')|'(?:[^']|'')*'|"[^"]*""#,
        )
        .expect("a valid regular expression")
    });
    RE.replace_all(s, |c: &Captures| match (c.get(1), c.get(3)) {
        (Some(prop), Some(pattern)) => format!(
            "CASEI({}) {}LIKE CASEI({})",
            prop.as_str(),
            if c.get(2).is_some() { "NOT " } else { "" },
            pattern.as_str()
        ),
        _ => c[0].to_string(),
    })
    .into_owned()
}

/// How deeply an expression nests.
pub fn depth(e: &Expr) -> usize {
    let children: &[Box<Expr>] = match e {
        Expr::Operation { args, .. } => args,
        Expr::Interval { interval } => interval,
        Expr::BBox { bbox } => bbox,
        Expr::Array(a) => a,
        Expr::Timestamp { timestamp } => return 1 + depth(timestamp),
        Expr::Date { date } => return 1 + depth(date),
        _ => &[],
    };
    1 + children.iter().map(|c| depth(c)).max().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Result<Expr, FilterError> {
        parse(&FilterRequest {
            text: s.into(),
            ..Default::default()
        })
    }

    #[test]
    fn text_left_after_an_expression_is_an_error_not_ignored() {
        assert!(t("name = 'a'").is_ok());
        assert!(t("name = 'a' garbage").is_err());
        assert!(t("a = 1) OR (b = 2").is_err());
        assert!(t("").is_err());
    }

    #[test]
    fn ilike_becomes_casei_like_outside_literals() {
        assert_eq!(
            ilike("name ILIKE 'san%' AND x = 'a ILIKE b'"),
            "CASEI(name) LIKE CASEI('san%') AND x = 'a ILIKE b'"
        );
        assert_eq!(
            ilike(r#""name" not ilike 'it''s'"#),
            r#"CASEI("name") NOT LIKE CASEI('it''s')"#
        );
    }

    #[test]
    fn hostile_shapes_are_refused_without_overflowing_or_panicking() {
        let chain = "a = ".repeat(4000) + "1";
        assert!(t(&chain).is_err());
        assert!(t(&"- ".repeat(4000)).is_err());
        assert!(t("value > 1e5").is_err());
        let json = "[".repeat(5000) + &"]".repeat(5000);
        assert!(parse(&FilterRequest {
            text: json,
            lang: Lang::Cql2Json,
            ..Default::default()
        })
        .is_err());
    }

    #[test]
    fn a_syntax_error_says_where() {
        let e = t("name = = 'a'").unwrap_err();
        assert!(e.position.is_some(), "{e:?}");
        assert!(e.message().starts_with("at character"), "{}", e.message());
    }
}
