//! A few helpers to write SVG by hand: escaping, numbers, wrapped labels. The documents are small and
//! fixed in shape, so a writer crate would add more than it saves.

use std::fmt::Write;

/// Text escaped for SVG (XML) content and attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The font the SVGs name: the one shipped in `fonts/` (the PDF embeds it; pages load it with `@font-face`).
pub const FONT: &str = "DejaVu Sans, Verdana, sans-serif";

/// `<text>` at (x, y) with extra attributes.
pub fn text(out: &mut String, x: f64, y: f64, attrs: &str, content: &str) {
    let _ = write!(
        out,
        r#"<text x="{x:.1}" y="{y:.1}" {attrs}>{}</text>"#,
        escape(content)
    );
}

/// Splits a label into lines of at most `width` characters at spaces (a word longer than that stays whole).
pub fn wrap(label: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = vec![];
    for word in label.split_whitespace() {
        match lines.last_mut() {
            Some(l) if l.chars().count() + 1 + word.chars().count() <= width => {
                l.push(' ');
                l.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    #[test]
    fn labels_wrap_at_spaces_and_text_is_escaped() {
        assert_eq!(
            super::wrap("Espacio Público de Esparcimiento", 16),
            vec!["Espacio Público", "de Esparcimiento"]
        );
        assert_eq!(super::escape("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
    }
}
