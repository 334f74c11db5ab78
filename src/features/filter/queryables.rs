//! What a filter or a sort can name in a collection, and the value each name has for a feature.
//!
//! Every collection has `geometry`, `code` and `name`. Territories add `area_km2`; territory-years add
//! `year`, `value`, `nd` and `datetime` (the year, as the interval of its days, for the `T_` functions).
//! Both carry the value of every indicator of the unit set for every year as `{indicator}_{year}`
//! (`poblacion_2023`), the names the vector tiles use: a territory can be filtered on any indicator's
//! value in any year (`poblacion_2023 > 150000`), and a territory-year on its own `value` or on another
//! year's (`value > homicidios_2018`). `ND` is null, never 0, in both forms.

use crate::features::{Collection, CollectionKind};
use crate::model::{Indicator, UnitRef};
use serde_json::{json, Map, Value};
use std::borrow::Cow;

/// The type of a queryable, as a filter checks its operands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Number,
    Boolean,
    /// The year of a territory-year, as the interval of its days.
    Time,
    Geometry,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Text => "text",
            Kind::Number => "a number",
            Kind::Boolean => "a boolean",
            Kind::Time => "a date or interval",
            Kind::Geometry => "a geometry",
        }
    }
}

/// Where a queryable's value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prop {
    Geometry,
    Code,
    Name,
    AreaKm2,
    Year,
    Value,
    Nd,
    Datetime,
    /// The value of indicator `indicator` (an index into the unit set's indicators) in `year`.
    YearValue {
        indicator: usize,
        year: i32,
    },
}

/// One queryable: its name in filters, its type, and how a person reads it.
#[derive(Debug, Clone)]
pub struct Queryable {
    pub name: String,
    pub kind: Kind,
    pub prop: Prop,
    pub title: String,
}

/// A value a feature has for a queryable (`None` when null).
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar<'a> {
    Text(Cow<'a, str>),
    Number(f64),
    Boolean(bool),
}

fn q(name: impl Into<String>, kind: Kind, prop: Prop, title: impl Into<String>) -> Queryable {
    Queryable {
        name: name.into(),
        kind,
        prop,
        title: title.into(),
    }
}

/// The queryables of a collection, in the order the schema lists them.
pub fn of(c: &Collection) -> Vec<Queryable> {
    let mut out = vec![
        q(
            "geometry",
            Kind::Geometry,
            Prop::Geometry,
            "Geometría (CRS84)",
        ),
        q("code", Kind::Text, Prop::Code, "Código del territorio"),
        q("name", Kind::Text, Prop::Name, "Nombre del territorio"),
    ];
    match c.kind {
        CollectionKind::Territories => {
            out.push(q("area_km2", Kind::Number, Prop::AreaKm2, "Área (km²)"));
        }
        CollectionKind::Indicator => {
            out.push(q("year", Kind::Number, Prop::Year, "Año"));
            out.push(q("value", Kind::Number, Prop::Value, "Valor (nulo si ND)"));
            out.push(q("nd", Kind::Boolean, Prop::Nd, "Sin dato (ND)"));
            out.push(q(
                "datetime",
                Kind::Time,
                Prop::Datetime,
                "El año, como intervalo de sus días",
            ));
        }
    }
    for (i, ind) in c.set_indicators().iter().enumerate() {
        for year in ind.years() {
            out.push(q(
                format!("{}_{year}", ind.id),
                Kind::Number,
                Prop::YearValue { indicator: i, year },
                format!("{} ({}), {year}; nulo si ND", ind.name, ind.unit),
            ));
        }
    }
    out
}

/// Finds a queryable by name (names are case-sensitive, as in CQL2).
pub fn find<'q>(all: &'q [Queryable], name: &str) -> Option<&'q Queryable> {
    all.iter().find(|q| q.name == name)
}

/// The queryables as the JSON Schema `/collections/{id}/queryables` serves.
pub fn schema(c: &Collection, id_url: &str) -> Value {
    let mut properties = Map::new();
    let mut draft = Vec::new();
    for q in of(c) {
        let mut p = match q.kind {
            Kind::Text => json!({ "type": "string" }),
            Kind::Number if q.prop == Prop::Year => json!({ "type": "integer" }),
            Kind::Number => json!({ "type": ["number", "null"] }),
            Kind::Boolean => json!({ "type": "boolean" }),
            Kind::Time => {
                json!({ "type": "string", "format": "date", "x-ogc-role": "primary-instant" })
            }
            Kind::Geometry => {
                json!({ "format": "geometry-multipolygon", "x-ogc-role": "primary-geometry" })
            }
        };
        p["title"] = q.title.clone().into();
        if q.prop == Prop::Code {
            p["x-ogc-role"] = "id".into();
        }
        draft.push(json!({ "id": q.name, "title": q.title }));
        properties.insert(q.name, p);
    }
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": id_url,
        "type": "object",
        "title": c.title,
        "description": "Propiedades que admiten `filter` (CQL2) y `sortby`. ND es nulo, nunca 0: `x IS NULL` lo encuentra y toda comparación con él es falsa.",
        "properties": properties,
        "additionalProperties": false,
        // The Part 3 draft's list, which GDAL's OGC API driver (3.6) reads to know what it can send in
        // a filter; JSON Schema ignores a keyword it does not know.
        "queryables": draft,
    })
}

/// One feature as a filter sees it.
#[derive(Clone, Copy)]
pub struct Row<'c> {
    pub collection: &'c Collection,
    pub unit: UnitRef,
    pub year: Option<i32>,
    /// The territory-year's value: `None` if there is none (territories) or it is ND.
    pub value: Option<f64>,
}

impl<'c> Row<'c> {
    /// Feature `i` of the collection.
    pub fn at(collection: &'c Collection, i: usize) -> Self {
        let (unit, year) = collection.unit_year(i);
        Self {
            collection,
            unit,
            year,
            value: collection.value_at(i),
        }
    }

    /// The feature's value of a scalar queryable; `None` is null.
    pub fn get(&self, p: Prop) -> Option<Scalar<'c>> {
        let set = self.collection.unit_set();
        let unit = set.unit(self.unit);
        match p {
            Prop::Code => Some(Scalar::Text(Cow::Borrowed(unit.code.as_str()))),
            Prop::Name => Some(Scalar::Text(Cow::Borrowed(unit.name.as_str()))),
            // As served: rounded to hundredths of a km².
            Prop::AreaKm2 => Some(Scalar::Number((unit.area_m2 / 1e4).round() / 100.0)),
            Prop::Year => self.year.map(|y| Scalar::Number(y.into())),
            Prop::Value => self.value.map(Scalar::Number),
            Prop::Nd => self.year.map(|_| Scalar::Boolean(self.value.is_none())),
            Prop::YearValue { indicator, year } => {
                let ind: &Indicator = &self.collection.set_indicators()[indicator];
                ind.value(self.unit, year).flatten().map(Scalar::Number)
            }
            Prop::Geometry | Prop::Datetime => None,
        }
    }
}
