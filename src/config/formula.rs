//! Formulas of computed indicators: `homicidios / poblacion * 100000`.
//!
//! The grammar is arithmetic a planner writes in a technical sheet: numbers (with `.` as decimal point),
//! variable names (letters, digits, `_`), `+ - * /`, unary minus and parentheses. A formula is parsed
//! once, when the layer file is read, so a typo is a layer-file error that names the field.

use std::collections::BTreeSet;

/// A parsed formula.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Number(f64),
    Var(String),
    Neg(Box<Expr>),
    Bin(Box<Expr>, char, Box<Expr>),
}

impl Expr {
    /// Parses a formula; the error says where it stops making sense.
    pub fn parse(text: &str) -> Result<Self, String> {
        let tokens = tokenize(text)?;
        let mut p = Parser { tokens, at: 0 };
        let e = p.sum()?;
        match p.tokens.get(p.at) {
            None => Ok(e),
            Some(t) => Err(format!("unexpected `{t}` in `{text}`")),
        }
    }

    /// The variable names the formula uses.
    pub fn variables(&self) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        self.collect(&mut out);
        out
    }

    fn collect(&self, out: &mut BTreeSet<String>) {
        match self {
            Expr::Number(_) => {}
            Expr::Var(v) => {
                out.insert(v.clone());
            }
            Expr::Neg(e) => e.collect(out),
            Expr::Bin(a, _, b) => {
                a.collect(out);
                b.collect(out);
            }
        }
    }

    /// The value given each variable's value; `None` (`ND`) in any input, an unknown variable or a
    /// division by zero gives `None`.
    pub fn eval(&self, var: &dyn Fn(&str) -> Option<f64>) -> Option<f64> {
        let v = match self {
            Expr::Number(n) => *n,
            Expr::Var(name) => var(name)?,
            Expr::Neg(e) => -e.eval(var)?,
            Expr::Bin(a, op, b) => {
                let (a, b) = (a.eval(var)?, b.eval(var)?);
                match op {
                    '+' => a + b,
                    '-' => a - b,
                    '*' => a * b,
                    _ if b == 0.0 => return None,
                    _ => a / b,
                }
            }
        };
        v.is_finite().then_some(v)
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Num(f64),
    Name(String),
    Op(char),
}

impl std::fmt::Display for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Token::Num(n) => write!(f, "{n}"),
            Token::Name(s) => write!(f, "{s}"),
            Token::Op(c) => write!(f, "{c}"),
        }
    }
}

fn tokenize(text: &str) -> Result<Vec<Token>, String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if "+-*/()".contains(c) {
            out.push(Token::Op(c));
            i += 1;
        } else if c.is_ascii_digit() || c == '.' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            let s: String = chars[start..i].iter().collect();
            let n = s
                .parse()
                .map_err(|_| format!("`{s}` is not a number (write decimals with `.`)"))?;
            out.push(Token::Num(n));
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push(Token::Name(chars[start..i].iter().collect()));
        } else {
            return Err(format!("`{c}` cannot appear in a formula; use + - * / ( )"));
        }
    }
    Ok(out)
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
}

impl Parser {
    fn peek_op(&self) -> Option<char> {
        match self.tokens.get(self.at) {
            Some(Token::Op(c)) => Some(*c),
            _ => None,
        }
    }

    fn sum(&mut self) -> Result<Expr, String> {
        let mut left = self.product()?;
        while let Some(op @ ('+' | '-')) = self.peek_op() {
            self.at += 1;
            left = Expr::Bin(Box::new(left), op, Box::new(self.product()?));
        }
        Ok(left)
    }

    fn product(&mut self) -> Result<Expr, String> {
        let mut left = self.atom()?;
        while let Some(op @ ('*' | '/')) = self.peek_op() {
            self.at += 1;
            left = Expr::Bin(Box::new(left), op, Box::new(self.atom()?));
        }
        Ok(left)
    }

    fn atom(&mut self) -> Result<Expr, String> {
        let token = self.tokens.get(self.at).cloned();
        self.at += 1;
        match token {
            Some(Token::Num(n)) => Ok(Expr::Number(n)),
            Some(Token::Name(s)) => Ok(Expr::Var(s)),
            Some(Token::Op('-')) => Ok(Expr::Neg(Box::new(self.atom()?))),
            Some(Token::Op('(')) => {
                let e = self.sum()?;
                match self.tokens.get(self.at) {
                    Some(Token::Op(')')) => {
                        self.at += 1;
                        Ok(e)
                    }
                    _ => Err("a `(` is not closed".into()),
                }
            }
            Some(t) => Err(format!("unexpected `{t}`")),
            None => Err("the formula ends too early".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Expr;

    #[test]
    fn a_rate_per_hundred_thousand_is_computed_left_to_right() {
        let e = Expr::parse("homicidios / poblacion * 100000").unwrap();
        let v = e
            .eval(&|n| match n {
                "homicidios" => Some(14.0),
                "poblacion" => Some(214_585.0),
                _ => None,
            })
            .unwrap();
        assert!((v - 6.524_221).abs() < 1e-6, "{v}");
        assert_eq!(
            e.variables().into_iter().collect::<Vec<_>>(),
            ["homicidios", "poblacion"]
        );
    }

    #[test]
    fn nd_in_any_input_or_a_division_by_zero_gives_nd() {
        let e = Expr::parse("(a + b) / c").unwrap();
        assert_eq!(e.eval(&|n| (n != "b").then_some(1.0)), None);
        assert_eq!(e.eval(&|n| Some(if n == "c" { 0.0 } else { 1.0 })), None);
        assert_eq!(e.eval(&|_| Some(2.0)), Some(2.0));
    }

    #[test]
    fn a_broken_formula_says_what_is_wrong() {
        assert!(Expr::parse("a / (b * 2")
            .unwrap_err()
            .contains("not closed"));
        assert!(Expr::parse("a % b").unwrap_err().contains("`%`"));
        assert!(Expr::parse("a b").unwrap_err().contains("unexpected `b`"));
    }
}
