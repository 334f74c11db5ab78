//! A compiled filter run on one feature, in CQL2's three-valued logic: `Some(true)`, `Some(false)`, or
//! `None` (unknown: a comparison with a null, such as an `ND` value).

use super::compile::{Cmp, Node, Operand, Time};
use super::queryables::{Row, Scalar};
use super::spatial;
use super::temporal::Days;
use std::borrow::Cow;
use std::cmp::Ordering;

pub fn truth(n: &Node, row: &Row) -> Option<bool> {
    match n {
        Node::Truth(t) => *t,
        Node::And(nodes) => {
            let mut unknown = false;
            for n in nodes {
                match truth(n, row) {
                    Some(false) => return Some(false),
                    None => unknown = true,
                    Some(true) => {}
                }
            }
            (!unknown).then_some(true)
        }
        Node::Or(nodes) => {
            let mut unknown = false;
            for n in nodes {
                match truth(n, row) {
                    Some(true) => return Some(true),
                    None => unknown = true,
                    Some(false) => {}
                }
            }
            (!unknown).then_some(false)
        }
        Node::Not(n) => truth(n, row).map(|b| !b),
        Node::Compare(cmp, a, b) => {
            let ord = order(&value(a, row)?, &value(b, row)?)?;
            Some(match cmp {
                Cmp::Eq => ord == Ordering::Equal,
                Cmp::Ne => ord != Ordering::Equal,
                Cmp::Lt => ord == Ordering::Less,
                Cmp::Le => ord != Ordering::Greater,
                Cmp::Gt => ord == Ordering::Greater,
                Cmp::Ge => ord != Ordering::Less,
            })
        }
        Node::Like(a, re) => match value(a, row)? {
            Scalar::Text(s) => Some(re.is_match(&s)),
            _ => None,
        },
        Node::Between(a, lo, hi) => {
            let v = value(a, row)?;
            let (lo, hi) = (value(lo, row)?, value(hi, row)?);
            Some(order(&v, &lo)? != Ordering::Less && order(&v, &hi)? != Ordering::Greater)
        }
        Node::In(a, list) => {
            let v = value(a, row)?;
            let mut unknown = false;
            for item in list {
                match value(item, row) {
                    Some(x) if order(&v, &x) == Some(Ordering::Equal) => return Some(true),
                    Some(_) => {}
                    None => unknown = true,
                }
            }
            (!unknown).then_some(false)
        }
        Node::IsNull(a) => Some(value(a, row).is_none()),
        Node::Units(answers) => Some(answers[spatial::slot(row.collection, row.unit)]),
        Node::Temporal(rel, a, b) => Some(rel.holds(time(*a, row)?, time(*b, row)?)),
    }
}

fn value<'c>(o: &'c Operand, row: &Row<'c>) -> Option<Scalar<'c>> {
    match o {
        Operand::Prop(p, fold) => {
            let v = row.get(*p)?;
            match v {
                Scalar::Text(s) if !fold.is_none() => {
                    Some(Scalar::Text(Cow::Owned(fold.apply(&s))))
                }
                other => Some(other),
            }
        }
        Operand::Text(s) => Some(Scalar::Text(Cow::Borrowed(s))),
        Operand::Number(n) => Some(Scalar::Number(*n)),
        Operand::Boolean(b) => Some(Scalar::Boolean(*b)),
    }
}

/// Order of two values of one type (compile checked the types); `None` for NaN.
pub fn order(a: &Scalar, b: &Scalar) -> Option<Ordering> {
    match (a, b) {
        (Scalar::Text(x), Scalar::Text(y)) => Some(x.cmp(y)),
        (Scalar::Number(x), Scalar::Number(y)) => x.partial_cmp(y),
        (Scalar::Boolean(x), Scalar::Boolean(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

fn time(t: Time, row: &Row) -> Option<Days> {
    match t {
        Time::Fixed(d) => Some(d),
        Time::Feature => row.year.map(Days::year),
    }
}
