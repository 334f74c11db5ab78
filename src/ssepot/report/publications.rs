//! The publications page: every cut-off the data can report at, newest first, with its management report
//! and its bulletins, each as a page and a PDF, and the data version they are made from.

use super::bulletin;
use super::informe::cortes;
use crate::model::Snapshot;
use serde::Serialize;
use std::path::Path;

/// One publication.
#[derive(Debug, Clone, Serialize)]
pub struct Publication {
    /// `informe` or `boletin`.
    pub kind: &'static str,
    pub title: String,
    /// Its page; `&f=pdf` gives the PDF.
    pub href: String,
    pub pdf: String,
}

/// The publications of one cut-off.
#[derive(Debug, Clone, Serialize)]
pub struct Edition {
    pub corte: String,
    pub corte_text: String,
    pub report: Publication,
    pub bulletins: Vec<Publication>,
}

/// Every edition, newest cut-off first.
pub fn editions(snapshot: &Snapshot, layers: &Path) -> Vec<Edition> {
    let year = super::informe::report_year(snapshot).unwrap_or_default();
    let first = snapshot
        .ssepot
        .progress
        .as_ref()
        .map_or(year, |p| p.annex_years[0].min(year));
    let mut out: Vec<Edition> = cortes(snapshot, layers)
        .into_iter()
        .map(|c| {
            let q = format!("corte={}", c.iso());
            let publication = |kind, title: String, path: &str| Publication {
                kind,
                title,
                href: format!("{path}?{q}"),
                pdf: format!("{path}?{q}&f=pdf"),
            };
            Edition {
                corte: c.iso(),
                corte_text: c.text(),
                report: publication(
                    "informe",
                    format!("Informe de gestión del SSEPOT {first}–{year}"),
                    "/ssepot/informe",
                ),
                bulletins: bulletin::list(snapshot)
                    .into_iter()
                    .map(|b| {
                        publication(
                            "boletin",
                            format!("Boletín del subsistema {} ({})", b.name, b.system),
                            &b.href,
                        )
                    })
                    .collect(),
            }
        })
        .collect();
    out.reverse();
    out
}
