//! A parsed CQL2 expression checked against a collection's queryables and turned into a [`Node`] tree
//! that [`super::eval`] runs per feature. Every name, type and operator is checked here, once per
//! request, so a bad filter is a 400 before any feature is read.

use super::parse::parse;
use super::queryables::{self, Kind, Prop, Queryable};
use super::spatial::{self, Relation as SRel};
use super::temporal::{self, Days, Relation as TRel};
use super::text::{like_regex, Fold};
use super::{limits, Filter, FilterError, FilterRequest};
use crate::features::crs::Crs;
use crate::features::Collection;
use cql2::Expr;
use geo::Geometry;
use regex::Regex;

/// A compiled filter expression.
pub enum Node {
    /// Known for every feature: a literal `true`, or a spatial test between two literals.
    Truth(Option<bool>),
    And(Vec<Node>),
    Or(Vec<Node>),
    Not(Box<Node>),
    Compare(Cmp, Operand, Operand),
    Like(Operand, Regex),
    Between(Operand, Operand, Operand),
    In(Operand, Vec<Operand>),
    IsNull(Operand),
    /// A spatial predicate, answered per unit ([`spatial::answer`]).
    Units(Vec<bool>),
    Temporal(TRel, Time, Time),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// A scalar operand: a queryable (folded when it is read) or a literal (folded already).
#[derive(Debug, Clone)]
pub enum Operand {
    Prop(Prop, Fold),
    Text(String),
    Number(f64),
    Boolean(bool),
}

/// A temporal operand: the feature's year, or a fixed date or interval.
#[derive(Debug, Clone, Copy)]
pub enum Time {
    Feature,
    Fixed(Days),
}

/// Checks a filter against the collection and compiles it.
pub fn compile(req: &FilterRequest, c: &Collection) -> Result<Filter, FilterError> {
    let expr = parse(req)?;
    let qs = queryables::of(c);
    let mut cx = Cx {
        c,
        qs: &qs,
        text: &req.text,
        crs: req.crs.as_ref(),
        vertices: 0,
    };
    let root = cx.boolean(&expr)?;
    Ok(Filter { root })
}

struct Cx<'a> {
    c: &'a Collection,
    qs: &'a [Queryable],
    text: &'a str,
    crs: Option<&'a Crs>,
    vertices: usize,
}

type R<T> = Result<T, FilterError>;

fn describe(e: &Expr) -> String {
    e.to_text().unwrap_or_else(|_| format!("{e:?}"))
}

impl Cx<'_> {
    /// An error located at the first mention of `needle` in the text, if it is there.
    fn err(&self, needle: &str, reason: impl Into<String>) -> FilterError {
        let at = (!needle.is_empty())
            .then(|| self.text.find(needle))
            .flatten()
            .map(|b| self.text[..b].chars().count());
        FilterError::new(reason).at(at)
    }

    fn queryable(&self, name: &str) -> R<&Queryable> {
        queryables::find(self.qs, name).ok_or_else(|| {
            self.err(
                name,
                format!(
                    "`{name}` is not a queryable of this collection; /collections/{}/queryables lists them",
                    self.c.id
                ),
            )
        })
    }

    fn boolean(&mut self, e: &Expr) -> R<Node> {
        match e {
            Expr::Bool(b) => Ok(Node::Truth(Some(*b))),
            Expr::Operation { op, args } => self.operation(op, args),
            Expr::Property { property } => {
                let q = self.queryable(property)?;
                if q.kind != Kind::Boolean {
                    return Err(self.err(
                        property,
                        format!("`{property}` is {}, not a condition", q.kind.name()),
                    ));
                }
                Ok(Node::Compare(
                    Cmp::Eq,
                    Operand::Prop(q.prop, Fold::default()),
                    Operand::Boolean(true),
                ))
            }
            other => Err(self.err("", format!("`{}` is not a condition", describe(other)))),
        }
    }

    fn operation(&mut self, op: &str, args: &[Box<Expr>]) -> R<Node> {
        let arity = |n: usize| -> R<()> {
            if args.len() == n {
                Ok(())
            } else {
                Err(FilterError::new(format!(
                    "`{op}` takes {n} arguments, not {}",
                    args.len()
                )))
            }
        };
        match op {
            "and" | "or" => {
                let nodes = args
                    .iter()
                    .map(|a| self.boolean(a))
                    .collect::<R<Vec<_>>>()?;
                Ok(if op == "and" {
                    Node::And(nodes)
                } else {
                    Node::Or(nodes)
                })
            }
            "not" => {
                arity(1)?;
                Ok(Node::Not(Box::new(self.boolean(&args[0])?)))
            }
            "=" | "<>" | "!=" | "<" | "<=" | ">" | ">=" => {
                arity(2)?;
                let cmp = match op {
                    "=" => Cmp::Eq,
                    "<>" | "!=" => Cmp::Ne,
                    "<" => Cmp::Lt,
                    "<=" => Cmp::Le,
                    ">" => Cmp::Gt,
                    _ => Cmp::Ge,
                };
                let (a, ka) = self.scalar(&args[0])?;
                let (b, kb) = self.scalar(&args[1])?;
                self.same_kind(ka, kb, op)?;
                if ka == Kind::Boolean && !matches!(cmp, Cmp::Eq | Cmp::Ne) {
                    return Err(FilterError::new(format!(
                        "booleans are compared with = and <> only, not `{op}`"
                    )));
                }
                Ok(Node::Compare(cmp, a, b))
            }
            "like" => {
                arity(2)?;
                let (a, ka) = self.scalar(&args[0])?;
                if ka != Kind::Text {
                    return Err(FilterError::new(format!(
                        "LIKE compares text; `{}` is {}",
                        describe(&args[0]),
                        ka.name()
                    )));
                }
                let (pattern, fold) = self.pattern(&args[1])?;
                let fold = Fold {
                    case: fold.case || operand_fold(&a).case,
                    accent: fold.accent || operand_fold(&a).accent,
                };
                let a = refold(a, fold);
                let regex = like_regex(&fold.apply(&pattern))
                    .map_err(|e| self.err(&pattern, e))?;
                Ok(Node::Like(a, regex))
            }
            "between" => {
                arity(3)?;
                let mut ops = Vec::new();
                for a in args {
                    let (o, k) = self.scalar(a)?;
                    if k != Kind::Number {
                        return Err(FilterError::new(format!(
                            "BETWEEN takes numbers; `{}` is {}",
                            describe(a),
                            k.name()
                        )));
                    }
                    ops.push(o);
                }
                let c = ops.pop().expect("three operands");
                let b = ops.pop().expect("three operands");
                let a = ops.pop().expect("three operands");
                Ok(Node::Between(a, b, c))
            }
            "in" => {
                arity(2)?;
                let (a, ka) = self.scalar(&args[0])?;
                let Expr::Array(items) = &*args[1] else {
                    return Err(FilterError::new("IN takes a list in brackets: x IN ('a', 'b')"));
                };
                let mut list = Vec::new();
                for item in items {
                    let (o, k) = self.scalar(item)?;
                    self.same_kind(ka, k, "IN")?;
                    list.push(o);
                }
                Ok(Node::In(a, list))
            }
            "isnull" => {
                arity(1)?;
                let (a, _) = self.scalar(&args[0])?;
                Ok(Node::IsNull(a))
            }
            _ if SRel::by_name(op).is_some() => {
                arity(2)?;
                self.spatial(SRel::by_name(op).expect("checked"), &args[0], &args[1])
            }
            _ if TRel::by_name(op).is_some() => {
                arity(2)?;
                let a = self.time(&args[0])?;
                let b = self.time(&args[1])?;
                Ok(Node::Temporal(TRel::by_name(op).expect("checked"), a, b))
            }
            "isNull" => {
                arity(1)?;
                let (a, _) = self.scalar(&args[0])?;
                Ok(Node::IsNull(a))
            }
            "casei" | "accenti" => Err(self.err(
                "",
                format!("{} gives text, not a condition: compare it (CASEI(name) = CASEI('x'))", op.to_uppercase()),
            )),
            "+" | "-" | "*" | "/" | "%" | "^" | "div" => Err(FilterError::new(
                "arithmetic is not supported (the conformance classes at /conformance list what is)",
            )),
            other => Err(self.err(
                other,
                format!("`{other}` is not an operator or function this server supports (see /conformance)"),
            )),
        }
    }

    fn same_kind(&self, a: Kind, b: Kind, op: &str) -> R<()> {
        if a == b {
            Ok(())
        } else {
            Err(FilterError::new(format!(
                "`{op}` compares {} with {}; both sides must be of one type",
                a.name(),
                b.name()
            )))
        }
    }

    /// A scalar operand and its type.
    fn scalar(&mut self, e: &Expr) -> R<(Operand, Kind)> {
        match e {
            Expr::Float(v) => Ok((Operand::Number(*v), Kind::Number)),
            Expr::Literal(s) => Ok((Operand::Text(s.clone()), Kind::Text)),
            Expr::Bool(b) => Ok((Operand::Boolean(*b), Kind::Boolean)),
            Expr::Property { property } => {
                let q = self.queryable(property)?;
                match q.kind {
                    Kind::Geometry => Err(self.err(
                        property,
                        format!("`{property}` is a geometry: use it in S_INTERSECTS and the other S_ functions"),
                    )),
                    Kind::Time => Err(self.err(
                        property,
                        format!("`{property}` is temporal: use it in T_INTERSECTS and the other T_ functions, or compare `year`"),
                    )),
                    k => Ok((Operand::Prop(q.prop, Fold::default()), k)),
                }
            }
            // `-5` is read as `-1 * 5`.
            Expr::Operation { op, args }
                if op == "*"
                    && args.len() == 2
                    && matches!(*args[0], Expr::Float(v) if v == -1.0)
                    && matches!(*args[1], Expr::Float(_)) =>
            {
                let Expr::Float(v) = *args[1] else {
                    unreachable!("matched above")
                };
                Ok((Operand::Number(-v), Kind::Number))
            }
            Expr::Operation { op, args } if op == "casei" || op == "accenti" => {
                if args.len() != 1 {
                    return Err(FilterError::new(format!(
                        "{} takes one argument",
                        op.to_uppercase()
                    )));
                }
                let (inner, k) = self.scalar(&args[0])?;
                if k != Kind::Text {
                    return Err(FilterError::new(format!(
                        "{} takes text; `{}` is {}",
                        op.to_uppercase(),
                        describe(&args[0]),
                        k.name()
                    )));
                }
                let mut fold = operand_fold(&inner);
                if op == "casei" {
                    fold.case = true;
                } else {
                    fold.accent = true;
                }
                Ok((refold(inner, fold), Kind::Text))
            }
            Expr::Null => Err(FilterError::new(
                "NULL is not a value to compare with: use `x IS NULL` (ND is null)",
            )),
            Expr::Date { .. } | Expr::Timestamp { .. } | Expr::Interval { .. } => Err(FilterError::new(
                "dates and intervals are compared with the T_ functions (T_INTERSECTS(datetime, DATE('2023-06-30')))",
            )),
            Expr::Geometry(_) | Expr::BBox { .. } => Err(FilterError::new(
                "geometries are compared with the S_ functions (S_INTERSECTS(geometry, POINT(-75.57 6.25)))",
            )),
            other => Err(self.err("", format!("`{}` is not a value this server compares", describe(other)))),
        }
    }

    /// A LIKE pattern: a text literal, possibly in CASEI/ACCENTI.
    fn pattern(&mut self, e: &Expr) -> R<(String, Fold)> {
        match self.scalar(e)? {
            (Operand::Text(s), _) => Ok((s, Fold::default())),
            (Operand::Prop(..), _) => Err(FilterError::new(
                "the pattern of LIKE must be a text literal ('san%')",
            )),
            _ => Err(FilterError::new("the pattern of LIKE must be text")),
        }
    }

    fn geometry_literal(&mut self, e: &Expr) -> R<Option<Geometry<f64>>> {
        let g: Geometry<f64> = match e {
            Expr::Geometry(cql2::Geometry::Wkt(w)) => {
                use wkt::TryFromWkt;
                Geometry::try_from_wkt_str(w)
                    .map_err(|err| self.err(w, format!("the WKT geometry cannot be read: {err}")))?
            }
            Expr::Geometry(cql2::Geometry::GeoJSON(g)) => {
                Geometry::try_from(g.clone()).map_err(|err| {
                    FilterError::new(format!("the GeoJSON geometry cannot be read: {err}"))
                })?
            }
            Expr::BBox { bbox } => self.bbox(bbox)?,
            Expr::Operation { op, args } if op == "bbox" => self.bbox(args)?,
            _ => return Ok(None),
        };
        self.vertices += spatial::vertices(&g);
        limits::check_vertices(self.vertices)?;
        if let Some(bad) = g.coords_iter_finite_check() {
            return Err(FilterError::new(bad));
        }
        spatial::to_crs84(g, self.crs).map(Some).map_err(|e| {
            FilterError::new(format!(
                "a geometry literal cannot be read in filter-crs: {e}"
            ))
        })
    }

    fn bbox(&self, args: &[Box<Expr>]) -> R<Geometry<f64>> {
        let n: Vec<f64> = args
            .iter()
            .map(|a| match **a {
                Expr::Float(v) => Some(v),
                Expr::Operation { ref op, ref args }
                    if op == "*"
                        && args.len() == 2
                        && matches!(*args[0], Expr::Float(v) if v == -1.0) =>
                {
                    match *args[1] {
                        Expr::Float(v) => Some(-v),
                        _ => None,
                    }
                }
                _ => None,
            })
            .collect::<Option<_>>()
            .ok_or_else(|| FilterError::new("BBOX takes numbers"))?;
        let [x1, y1, x2, y2] = match n.as_slice() {
            [a, b, c, d] | [a, b, _, c, d, _] => [*a, *b, *c, *d],
            _ => {
                return Err(FilterError::new(format!(
                    "BBOX takes 4 numbers (or 6 with heights), not {}",
                    n.len()
                )))
            }
        };
        if x1 > x2 || y1 > y2 {
            return Err(FilterError::new(
                "BBOX is inverted: give min x, min y, max x, max y",
            ));
        }
        Ok(Geometry::Rect(geo::Rect::new(
            geo::coord! { x: x1, y: y1 },
            geo::coord! { x: x2, y: y2 },
        )))
    }

    fn is_geometry_property(&self, e: &Expr) -> R<bool> {
        match e {
            Expr::Property { property } => {
                let q = self.queryable(property)?;
                if q.kind == Kind::Geometry {
                    Ok(true)
                } else {
                    Err(self.err(
                        property,
                        format!(
                            "`{property}` is {}, not a geometry; the S_ functions take `geometry`",
                            q.kind.name()
                        ),
                    ))
                }
            }
            _ => Ok(false),
        }
    }

    fn spatial(&mut self, rel: SRel, a: &Expr, b: &Expr) -> R<Node> {
        let (pa, pb) = (self.is_geometry_property(a)?, self.is_geometry_property(b)?);
        let la = if pa { None } else { self.geometry_literal(a)? };
        let lb = if pb { None } else { self.geometry_literal(b)? };
        let not_geometry = |e: &Expr| {
            FilterError::new(format!(
                "`{}` is not a geometry: give `geometry`, a WKT or GeoJSON geometry, or BBOX(…)",
                describe(e)
            ))
        };
        match (pa, pb, la, lb) {
            (true, true, ..) => Err(FilterError::new(
                "both sides are the feature's own geometry: compare it with a literal geometry",
            )),
            (true, false, _, Some(lit)) => Ok(Node::Units(spatial::answer(self.c, rel, &lit))),
            (false, true, Some(lit), _) => {
                Ok(Node::Units(spatial::answer(self.c, rel.converse(), &lit)))
            }
            (false, false, Some(x), Some(y)) => Ok(Node::Truth(Some(rel.holds(&x, &y)))),
            (_, _, None, _) if !pa => Err(not_geometry(a)),
            _ => Err(not_geometry(b)),
        }
    }

    fn time(&mut self, e: &Expr) -> R<Time> {
        match e {
            Expr::Property { property } => {
                let q = self.queryable(property)?;
                if q.kind == Kind::Time {
                    Ok(Time::Feature)
                } else {
                    Err(self.err(
                        property,
                        format!("`{property}` is {}; the T_ functions take `datetime`", q.kind.name()),
                    ))
                }
            }
            Expr::Date { date } => {
                let d = self.instant(date, false)?;
                Ok(Time::Fixed(Days::day(d)))
            }
            Expr::Timestamp { timestamp } => {
                let d = self.instant(timestamp, true)?;
                Ok(Time::Fixed(Days::day(d)))
            }
            Expr::Interval { interval } if interval.len() == 2 => {
                let start = self.bound(&interval[0])?.map_or(i64::MIN, |d| d.start);
                let end = self.bound(&interval[1])?.map_or(i64::MAX, |d| d.end);
                if start > end {
                    return Err(FilterError::new("the INTERVAL ends before it starts"));
                }
                Ok(Time::Fixed(Days { start, end }))
            }
            Expr::Interval { interval } => Err(FilterError::new(format!(
                "INTERVAL takes a start and an end, not {} values",
                interval.len()
            ))),
            other => Err(FilterError::new(format!(
                "`{}` is not temporal: give `datetime`, DATE('2023-06-30'), TIMESTAMP('2023-06-30T12:00:00Z') or INTERVAL('2018-01-01','2023-12-31')",
                describe(other)
            ))),
        }
    }

    /// An interval bound: `..` (open), a date or a timestamp, given as a literal or as DATE/TIMESTAMP.
    fn bound(&mut self, e: &Expr) -> R<Option<Days>> {
        match e {
            Expr::Literal(s) if s == ".." => Ok(None),
            Expr::Literal(s) => {
                let d = temporal::parse_date(s)
                    .or_else(|| temporal::parse_timestamp(s))
                    .ok_or_else(|| {
                        self.err(
                            s,
                            format!("`{s}` is not a date (2023-06-30) or an RFC 3339 timestamp"),
                        )
                    })?;
                Ok(Some(Days::day(d)))
            }
            other => match self.time(other)? {
                Time::Fixed(d) => Ok(Some(d)),
                Time::Feature => Err(FilterError::new(
                    "an INTERVAL of the feature's own time is not supported",
                )),
            },
        }
    }

    fn instant(&self, e: &Expr, timestamp: bool) -> R<i64> {
        let Expr::Literal(s) = e else {
            return Err(FilterError::new("DATE and TIMESTAMP take a quoted text"));
        };
        let d = if timestamp {
            temporal::parse_timestamp(s)
        } else {
            temporal::parse_date(s)
        };
        d.ok_or_else(|| {
            self.err(
                s,
                if timestamp {
                    format!("`{s}` is not an RFC 3339 timestamp (2023-06-30T12:00:00Z)")
                } else {
                    format!("`{s}` is not a date of the calendar (2023-06-30)")
                },
            )
        })
    }
}

fn operand_fold(o: &Operand) -> Fold {
    match o {
        Operand::Prop(_, f) => *f,
        _ => Fold::default(),
    }
}

/// The operand with a fold applied: a property folds when read, a text literal now.
fn refold(o: Operand, fold: Fold) -> Operand {
    match o {
        Operand::Prop(p, _) => Operand::Prop(p, fold),
        Operand::Text(s) => Operand::Text(fold.apply(&s)),
        other => other,
    }
}

/// Non-finite coordinates in a literal.
trait FiniteCheck {
    fn coords_iter_finite_check(&self) -> Option<String>;
}

impl FiniteCheck for Geometry<f64> {
    fn coords_iter_finite_check(&self) -> Option<String> {
        use geo::CoordsIter;
        self.coords_iter()
            .any(|c| !c.x.is_finite() || !c.y.is_finite())
            .then(|| "a geometry literal has a coordinate that is not a finite number".to_string())
    }
}
