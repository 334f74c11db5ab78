//! Crosswalks as clients read them (JSON, CSV, XLSX, GeoPackage of the overlaps), and a change between two years
//! carried onto another edition through one.
//!
//! Values never join by code across editions: a code such as `6009` names Yolombo in the POT 2014 edition and
//! Pedregal Alto in the catastral one. Carrying values across needs a declared crosswalk, and only counts
//! (indicators whose roll-up rule is `sum`) are carried, by area share: a rate spread by area would be wrong.

use super::download::tables::{change_columns, change_row};
use super::download::{Kind, Table, Value as Cell};
use crate::model::crosswalk::Crosswalk;
use crate::model::{Indicator, UnitRef, UnitSet};
use serde_json::{json, Value};
use std::sync::Arc;

/// How the shares were computed, for every output that carries them.
pub const METHOD: &str =
    "superposición de áreas en EPSG:9377 (MAGNA-SIRGAS Origen-Nacional); sin astillas bajo \
                          el umbral; cada unidad de origen reparte el 100 % de su valor";

/// An edition as outputs describe it.
pub fn edition_json(set: &UnitSet) -> Value {
    json!({
        "unit_set": set.id,
        "title": set.title,
        "level": set.level,
        "edition": set.edition,
    })
}

/// The crosswalk's summary, without its rows.
pub fn summary(cw: &Crosswalk, base: &str) -> Value {
    json!({
        "id": cw.id,
        "title": cw.title,
        "from": edition_json(&cw.from),
        "to": edition_json(&cw.to),
        "method": METHOD,
        "min_share": cw.min_share,
        "shares": cw.shares.len(),
        "estimates": cw.shares.iter().filter(|s| s.estimate).count(),
        "unallocated": cw.unallocated.iter().map(|&i| &cw.from.units[i].code).collect::<Vec<_>>(),
        "links": [
            { "href": format!("{base}/crosswalks/{}?f=json", cw.id), "rel": "self", "type": "application/json" },
            { "href": format!("{base}/crosswalks/{}?f=csv", cw.id), "rel": "alternate", "type": "text/csv" },
        ],
    })
}

/// The crosswalk with every share.
pub fn document(cw: &Crosswalk, base: &str) -> Value {
    let mut doc = summary(cw, base);
    doc["rows"] = cw
        .shares
        .iter()
        .map(|s| {
            let (a, b) = (&cw.from.units[s.from], &cw.to.units[s.to]);
            json!({
                "from_code": a.code, "from_name": a.name, "to_code": b.code, "to_name": b.name,
                "area_m2": (s.area_m2 * 100.0).round() / 100.0, "share": s.share, "estimate": s.estimate,
            })
        })
        .collect();
    doc
}

/// The shares as a download (the geometry of each row is its target unit's).
pub fn table(cw: &Crosswalk) -> Table {
    let columns = [
        ("codigo_origen", Kind::Text),
        ("nombre_origen", Kind::Text),
        ("codigo_destino", Kind::Text),
        ("nombre_destino", Kind::Text),
        ("area_m2", Kind::Num),
        ("proporcion", Kind::Num),
        ("estimacion", Kind::Bool),
    ]
    .map(|(n, k)| (n.to_string(), k))
    .to_vec();
    let rows = cw
        .shares
        .iter()
        .map(|s| {
            let (a, b) = (&cw.from.units[s.from], &cw.to.units[s.to]);
            let row = vec![
                Cell::Text(a.code.clone()),
                Cell::Text(a.name.clone()),
                Cell::Text(b.code.clone()),
                Cell::Text(b.name.clone()),
                Cell::Num(Some((s.area_m2 * 100.0).round() / 100.0)),
                Cell::Num(Some(s.share)),
                Cell::Bool(s.estimate),
            ];
            (row, b.geometry.clone())
        })
        .collect();
    Table {
        name: cw.id.clone(),
        title: format!(
            "{}. Método: {METHOD}. Límites: {}. Descargado de ssepot.",
            cw.title, cw.from.attribution
        ),
        columns,
        rows,
    }
}

/// A target unit's change, carried from the indicator's edition.
#[derive(Debug, Clone, PartialEq)]
pub struct Carried {
    /// Index of the target unit.
    pub unit: usize,
    pub value_from: Option<f64>,
    pub value_to: Option<f64>,
    pub change: Option<f64>,
    pub change_pct: Option<f64>,
    /// Some value it received was divided by area (a source unit split over several targets).
    pub estimate: bool,
}

/// The change from `from` to `to` of `ind`, carried onto the crosswalk's target edition.
pub fn carried_changes(ind: &Indicator, cw: &Crosswalk, from: i32, to: i32) -> Vec<Carried> {
    let values = |year: i32| -> Vec<Option<Option<f64>>> {
        (0..ind.unit_set.units.len())
            .map(|i| ind.value(UnitRef::Unit(i), year))
            .collect()
    };
    let (a, b) = (cw.allocate(&values(from)), cw.allocate(&values(to)));
    a.into_iter()
        .zip(b)
        .enumerate()
        .filter(|(_, (x, y))| x.sources > 0 || y.sources > 0)
        .map(|(unit, (x, y))| {
            let round = |v: Option<f64>| v.map(|v| (v * 1e6).round() / 1e6);
            let (value_from, value_to) = (round(x.value), round(y.value));
            let change = value_from
                .zip(value_to)
                .map(|(p, q)| ((q - p) * 1e6).round() / 1e6);
            let change_pct = value_from
                .zip(change)
                .filter(|(p, _)| *p != 0.0)
                .map(|(p, c)| 100.0 * c / p);
            Carried {
                unit,
                value_from,
                value_to,
                change,
                change_pct,
                estimate: x.estimate || y.estimate,
            }
        })
        .collect()
}

/// The carried change as a download: the change's columns plus the edition, the crosswalk and the estimate flag.
pub fn carried_table(
    ind: &Indicator,
    cw: &Arc<Crosswalk>,
    from: i32,
    to: i32,
    rows: &[Carried],
) -> Table {
    let mut columns = change_columns();
    columns.extend(
        [
            ("edicion_valores", Kind::Text),
            ("edicion_mapa", Kind::Text),
            ("cruce", Kind::Text),
            ("estimacion", Kind::Bool),
        ]
        .map(|(n, k)| (n.to_string(), k)),
    );
    let edition = |s: &UnitSet| {
        s.edition
            .as_ref()
            .map_or(s.id.clone(), |e| format!("{} ({})", e.name, s.id))
    };
    let rows = rows
        .iter()
        .map(|r| {
            let u = &cw.to.units[r.unit];
            let values = [r.value_from, r.value_to, r.change, r.change_pct];
            let mut row = change_row(u, ind, from, to, values);
            row.extend([
                Cell::Text(edition(&cw.from)),
                Cell::Text(edition(&cw.to)),
                Cell::Text(cw.id.clone()),
                Cell::Bool(r.estimate),
            ]);
            (row, u.geometry.clone())
        })
        .collect();
    Table {
        name: format!("{}_cambio_{from}_{to}_{}", ind.id, cw.to.id),
        title: format!(
            "{}: cambio {from}–{to} llevado de la edición {} a la edición {} por el cruce `{}` ({METHOD}); \
             las filas marcadas como estimación reparten valores por área. Fuente: {}. Descargado de ssepot.",
            ind.name,
            edition(&cw.from),
            edition(&cw.to),
            cw.id,
            ind.attribution
        ),
        columns,
        rows,
    }
}

#[cfg(test)]
mod tests {
    use crate::model::crosswalk::{Crosswalk, Share};

    #[test]
    fn an_allocation_keeps_the_total_and_flags_split_units() {
        let set = |n: usize| {
            let cfg: crate::config::UnitSetConfig =
                toml::from_str("id='s'\ntitle='s'\nsource='x'\nkey_field='k'\nname_field='n'")
                    .unwrap();
            let unit = |i: usize| crate::model::Unit {
                code: i.to_string(),
                key: i.to_string(),
                name: i.to_string(),
                geometry: std::sync::Arc::new(geo::MultiPolygon::new(vec![])),
                bbox: geo::Rect::new((0.0, 0.0), (1.0, 1.0)),
                area_m2: 1.0,
            };
            std::sync::Arc::new(crate::model::UnitSet::new(
                &cfg,
                "x".into(),
                "OGC:CRS84".into(),
                (0..n).map(unit).collect(),
                unit(99),
            ))
        };
        let share = |from, to, share, estimate| Share {
            from,
            to,
            area_m2: 1.0,
            share,
            estimate,
        };
        let cw = Crosswalk {
            id: "c".into(),
            title: "c".into(),
            from: set(2),
            to: set(3),
            min_share: 0.0,
            shares: vec![
                share(0, 0, 1.0, false),
                share(1, 1, 0.25, true),
                share(1, 2, 0.75, true),
            ],
            unallocated: vec![],
        };
        let out = cw.allocate(&[Some(Some(10.0)), Some(Some(100.0))]);
        assert_eq!(out.iter().map(|a| a.value.unwrap()).sum::<f64>(), 110.0);
        assert_eq!(out[2].value, Some(75.0));
        assert!(!out[0].estimate && out[1].estimate);
        assert_eq!(cw.of(1).len(), 2);
        let nd = cw.allocate(&[Some(Some(10.0)), Some(None)]);
        assert_eq!(nd[1].value, None, "an ND source makes its targets ND");
        let missing = cw.allocate(&[Some(Some(10.0)), None]);
        assert_eq!(
            missing[1].sources, 0,
            "a source without a row carries nothing"
        );
    }
}
