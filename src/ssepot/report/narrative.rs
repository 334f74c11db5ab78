//! The report's narrative: what the DAP writes for each section (presentation, each chapter's reading of its
//! figures), per cut-off date. Two paths, one rule for what shows:
//!
//! - **The reporting store** (`store::narrative`, `POST /reporting/narrative`): a reviewer writes a version, other
//!   reviewers verify, validate and publish it; the snapshot carries the latest published version of each cut-off
//!   and section ([`crate::ssepot::texts`]).
//! - **Layer files** `LAYERS/informe/{corte}.toml`, reviewed through the repository: a text is shown only when its
//!   `estado` is `publicado`, with who wrote it, who reviewed it, when, and its version.
//!
//! For the same cut-off and section, **the store's published text wins** over the file's: the store is where the
//! DAP publishes, and a file is the bootstrap (or the repository-reviewed fallback). Texts are plain paragraphs
//! (blank line between them): every renderer escapes them, so a text can never add markup to a page or code to
//! the PDF.
//!
//! ```toml
//! muestra = true
//!
//! [[texto]]
//! seccion = "presentacion"
//! estado = "publicado"          # borrador | en_revision | publicado
//! version = 2
//! autor = "DAP — Subdirección de Información"
//! revisado_por = "DAP — Dirección"
//! fecha = "2024-02-15"
//! texto = """
//! Primer párrafo.
//!
//! Segundo párrafo.
//! """
//! ```

use super::Corte;
use crate::ssepot::texts::PublishedText;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The sections a text may belong to.
pub const SECTIONS: &[&str] = &[
    "presentacion",
    "generalidades",
    "compromisos",
    "pdd",
    "subsistemas",
    "diagnostico",
    "anexo",
];

/// One file of texts.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    /// The texts are a synthetic sample (shown as such).
    #[serde(default)]
    muestra: bool,
    /// The texts, any order.
    #[serde(default)]
    texto: Vec<Entry>,
}

/// One text as the file writes it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    /// Section it belongs to: one of [`SECTIONS`].
    seccion: String,
    /// `borrador`, `en_revision` or `publicado`; only published texts are shown.
    estado: String,
    /// Version number, raised with every published change.
    version: u32,
    /// Who wrote it.
    autor: String,
    /// Who reviewed and published it (required when published).
    #[serde(default)]
    revisado_por: Option<String>,
    /// Date of that version (`YYYY-MM-DD`).
    fecha: String,
    /// The text: paragraphs separated by a blank line.
    texto: String,
}

/// A published text, ready to show.
#[derive(Debug, Clone, Serialize)]
pub struct Text {
    pub paragraphs: Vec<String>,
    pub version: u32,
    pub author: String,
    pub reviewer: String,
    pub date: String,
    pub sample: bool,
    /// The reporting store's id of this version; none for a layer file's text.
    pub store_id: Option<i64>,
}

impl Text {
    /// Paragraphs of a text: split at blank lines, each one's white space collapsed.
    fn paragraphs(body: &str) -> Vec<String> {
        body.split("\n\n")
            .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|p| !p.is_empty())
            .collect()
    }

    /// A text published through the reporting store.
    pub fn stored(t: &PublishedText) -> Self {
        Self {
            paragraphs: Self::paragraphs(&t.text),
            version: u32::try_from(t.version).unwrap_or(u32::MAX),
            author: t.author.clone(),
            reviewer: t.reviewer.clone(),
            date: t.date.clone(),
            sample: false,
            store_id: Some(t.id),
        }
    }
}

/// The published texts of a cut-off, by section. A missing file is no texts; a file that does not read is an
/// error naming the file, and the line and field where serde stopped.
#[derive(Debug, Clone, Default)]
pub struct Narrative {
    texts: Vec<(String, Text)>,
    /// The file read, if there was one.
    pub file: Option<PathBuf>,
}

impl Narrative {
    pub fn get(&self, section: &str) -> Option<&Text> {
        self.texts
            .iter()
            .find(|(s, _)| s == section)
            .map(|(_, t)| t)
    }

    /// The texts of `corte` from `LAYERS/informe/{corte}.toml`.
    pub fn load(layers: &Path, corte: &Corte) -> Result<Self, String> {
        let path = folder(layers).join(format!("{}.toml", corte.iso()));
        let Ok(raw) = std::fs::read_to_string(&path) else {
            return Ok(Self::default());
        };
        Self::parse(&raw, &path)
    }

    /// These texts with the store's published texts of `corte` laid over them: for a section both have, the
    /// store's wins.
    pub fn with_stored(mut self, stored: &[PublishedText], corte: &Corte) -> Self {
        let iso = corte.iso();
        for t in stored.iter().filter(|t| t.corte == iso) {
            let text = Text::stored(t);
            match self.texts.iter_mut().find(|(s, _)| *s == t.section) {
                Some((_, old)) => *old = text,
                None => self.texts.push((t.section.clone(), text)),
            }
        }
        self
    }

    fn parse(raw: &str, path: &Path) -> Result<Self, String> {
        let file: File = toml::from_str(raw).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut texts: Vec<(String, Text)> = vec![];
        for (i, e) in file.texto.into_iter().enumerate() {
            let at = format!("{}: [[texto]] #{}", path.display(), i + 1);
            if !SECTIONS.contains(&e.seccion.as_str()) {
                return Err(format!(
                    "{at}: `seccion = \"{}\"` is not a section; sections are {SECTIONS:?}",
                    e.seccion
                ));
            }
            if !["borrador", "en_revision", "publicado"].contains(&e.estado.as_str()) {
                return Err(format!(
                    "{at}: `estado = \"{}\"`: use borrador, en_revision or publicado",
                    e.estado
                ));
            }
            if e.estado != "publicado" {
                continue;
            }
            let reviewer = e
                .revisado_por
                .filter(|r| !r.trim().is_empty() && *r != e.autor)
                .ok_or_else(|| {
                    format!("{at}: a published text needs `revisado_por`, someone other than its author")
                })?;
            if let Some((_, t)) = texts.iter().find(|(s, _)| *s == e.seccion) {
                return Err(format!(
                    "{at}: section `{}` already has a published text (version {}); keep one",
                    e.seccion, t.version
                ));
            }
            let paragraphs = Text::paragraphs(&e.texto);
            texts.push((
                e.seccion,
                Text {
                    paragraphs,
                    version: e.version,
                    author: e.autor,
                    reviewer,
                    date: e.fecha,
                    sample: file.muestra,
                    store_id: None,
                },
            ));
        }
        Ok(Self {
            texts,
            file: Some(path.to_path_buf()),
        })
    }
}

/// Where the texts are: `LAYERS/informe/`.
pub fn folder(layers: &Path) -> PathBuf {
    layers.join("informe")
}

/// Cut-offs that have a file of texts or a text published through the store, ascending.
pub fn cortes(layers: &Path, stored: &[PublishedText]) -> Vec<Corte> {
    let mut out: Vec<Corte> = std::fs::read_dir(folder(layers))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().to_string();
            Corte::parse(name.strip_suffix(".toml")?).ok()
        })
        .chain(stored.iter().filter_map(|t| Corte::parse(&t.corte).ok()))
        .collect();
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<Narrative, String> {
        Narrative::parse(s, Path::new("informe/2023-12-31.toml"))
    }

    #[test]
    fn only_published_texts_show_and_their_paragraphs_are_plain_text() {
        let n = parse(
            r#"
[[texto]]
seccion = "presentacion"
estado = "publicado"
version = 3
autor = "A"
revisado_por = "B"
fecha = "2024-02-15"
texto = """
<b>Uno</b>
sigue.

Dos.
"""
[[texto]]
seccion = "pdd"
estado = "borrador"
version = 1
autor = "A"
fecha = "2024-02-01"
texto = "no"
"#,
        )
        .unwrap();
        let t = n.get("presentacion").unwrap();
        assert_eq!(t.paragraphs, vec!["<b>Uno</b> sigue.", "Dos."]);
        assert_eq!((t.version, t.reviewer.as_str()), (3, "B"));
        assert!(n.get("pdd").is_none());
    }

    #[test]
    fn a_bad_text_file_names_the_file_the_entry_and_the_field() {
        let e = parse("[[texto]]\nseccion = \"x\"\nestado = \"publicado\"\nversion = 1\nautor = \"A\"\nfecha = \"f\"\ntexto = \"t\"\n").unwrap_err();
        assert!(
            e.contains("2023-12-31.toml") && e.contains("#1") && e.contains("seccion"),
            "{e}"
        );
        let e = parse("[[texto]]\nseccion = \"pdd\"\nestado = \"publicado\"\nversion = 1\nautor = \"A\"\nfecha = \"f\"\ntexto = \"t\"\n").unwrap_err();
        assert!(e.contains("revisado_por"), "{e}");
        let e = parse("[[texto]]\nsecion = \"pdd\"\n").unwrap_err();
        assert!(e.contains("secion") && e.contains("line 2"), "{e}");
    }
}
