//! Query parameters, parsed in one place.
//!
//! Every endpoint declares its parameters as a typed struct ([`endpoints`]) whose fields are of the kinds in
//! [`kinds`] (a year, a datetime, a bbox, a limit…), each with one rule used by every endpoint. [`parse`] runs
//! the same three steps for all of them:
//! 1. decode the query string (`application/x-www-form-urlencoded`, like axum's own `Query`);
//! 2. refuse a parameter the endpoint does not take, and a parameter given twice (which value would win is
//!    a guess);
//! 3. deserialize into the struct with `serde_urlencoded`, tracking the field being read
//!    (`serde_path_to_error`), so a bad value is a 400 that names its parameter.
//!
//! The extractor [`Params`] does this for a handler; a bad query never reaches the handler.

pub mod endpoints;
pub mod kinds;

use super::error::ApiError;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::de::{self, DeserializeOwned, Visitor};

pub use endpoints::*;

/// A handler argument: the query string parsed into `T`, or a 400 naming the bad parameter.
#[derive(Debug, Clone)]
pub struct Params<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Params<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        parse(parts.uri.query()).map(Params)
    }
}

/// Parses a raw query string into `T` (see the module documentation for the steps).
///
/// ```
/// use ssepot::http::params::{parse, ItemsParams};
/// let p: ItemsParams = parse(Some("limit=5&datetime=2018/2023")).unwrap();
/// assert_eq!(p.query().limit, 5);
/// assert_eq!(p.query().datetime, Some((Some(2018), Some(2023))));
/// // `20233` is not a year: a 400 that names `year`.
/// assert!(parse::<ItemsParams>(Some("year=20233")).is_err());
/// ```
pub fn parse<T: DeserializeOwned>(raw: Option<&str>) -> Result<T, ApiError> {
    let raw = raw.unwrap_or("");
    let known = names::<T>();
    let mut seen: Vec<std::borrow::Cow<str>> = Vec::new();
    for (name, _) in form_urlencoded::parse(raw.as_bytes()) {
        if !known.contains(&name.as_ref()) {
            return Err(ApiError::bad(&name, unknown_message(known)));
        }
        if seen.contains(&name) {
            return Err(ApiError::bad(
                &name,
                "is given more than once; give it once",
            ));
        }
        seen.push(name);
    }
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(raw.as_bytes()));
    serde_path_to_error::deserialize(de).map_err(|e| {
        let parameter = e.path().to_string();
        ApiError::bad(&parameter, e.into_inner().to_string())
    })
}

fn unknown_message(known: &[&str]) -> String {
    if known.is_empty() {
        "unknown parameter; this resource takes no query parameter".into()
    } else {
        format!(
            "unknown parameter; this resource takes {}",
            known.join(", ")
        )
    }
}

/// The parameter names of a parameter struct, as serde sees them (renames included).
///
/// Serde hands a struct's field names to the deserializer; this one keeps them and stops.
pub fn names<T: DeserializeOwned>() -> &'static [&'static str] {
    let mut fields: &'static [&'static str] = &[];
    let _ = T::deserialize(FieldNames(&mut fields));
    fields
}

struct FieldNames<'a>(&'a mut &'static [&'static str]);

impl<'de> de::Deserializer<'de> for FieldNames<'_> {
    type Error = de::value::Error;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
        Err(de::Error::custom("only the field names are read"))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        fields: &'static [&'static str],
        _: V,
    ) -> Result<V::Value, Self::Error> {
        *self.0 = fields;
        Err(de::Error::custom("only the field names are read"))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option unit
        unit_struct newtype_struct seq tuple tuple_struct map enum identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bad<T: DeserializeOwned + std::fmt::Debug>(q: &str) -> (String, String) {
        match parse::<T>(Some(q)).unwrap_err() {
            ApiError::BadParameter { parameter, message } => (parameter, message),
            other => panic!("{q}: {other:?}"),
        }
    }

    #[test]
    fn the_names_of_a_parameter_struct_are_its_serde_fields() {
        assert_eq!(
            names::<ItemsParams>(),
            [
                "limit",
                "offset",
                "bbox",
                "bbox-crs",
                "datetime",
                "code",
                "year",
                "parent",
                "q",
                "filter",
                "filter-lang",
                "filter-crs",
                "sortby",
                "f",
                "crs",
            ]
        );
        assert_eq!(names::<NoParams>(), [] as [&str; 0]);
    }

    #[test]
    fn unknown_and_repeated_parameters_name_themselves() {
        assert_eq!(bad::<ItemsParams>("colour=red").0, "colour");
        let (p, m) = bad::<ItemsParams>("year=2020&year=2021");
        assert_eq!(p, "year");
        assert!(m.contains("more than once"), "{m}");
        assert_eq!(bad::<NoParams>("v=1").0, "v");
    }

    #[test]
    fn a_bad_value_names_the_field_it_was_read_into() {
        assert_eq!(bad::<ItemsParams>("limit=10&year=2023garbage").0, "year");
        assert_eq!(bad::<ItemsParams>("bbox-crs=ESRI:102100").0, "bbox-crs");
        assert_eq!(bad::<ItemsParams>("crs=urn:x").0, "crs");
        assert_eq!(bad::<StyleParams>("classes=9").0, "classes");
    }

    #[test]
    fn an_empty_query_is_every_default() {
        let q = parse::<ItemsParams>(None).unwrap();
        assert!(q.limit.is_none() && q.year.is_none() && q.f.is_none());
        assert!(parse::<NoParams>(Some("")).is_ok());
    }
}
