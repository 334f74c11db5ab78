//! PDF with typst used as a library: a minimal [`World`] whose files are in memory (the template, the
//! document's data as JSON, its SVG maps and charts) and whose only fonts are the shipped ones, so the same
//! data always gives the same PDF (no clock, no system fonts, no network, no packages).
//!
//! Data reaches the template only through `json(...)` and `image(...)`: text from the data is typeset as
//! text, never evaluated as markup, so nothing a table or a narrative holds can change the document's code.

use super::fonts::FACES;
use std::collections::HashMap;
use std::sync::OnceLock;
use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Duration, Smart};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;
use typst_pdf::PdfOptions;

/// What never changes between documents: the standard library and the fonts.
struct Shared {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

fn shared() -> &'static Shared {
    static SHARED: OnceLock<Shared> = OnceLock::new();
    SHARED.get_or_init(|| {
        let fonts: Vec<Font> = FACES
            .iter()
            .flat_map(|(_, bytes)| Font::iter(Bytes::new(*bytes)))
            .collect();
        Shared {
            library: LazyHash::new(Library::default()),
            book: LazyHash::new(FontBook::from_fonts(&fonts)),
            fonts,
        }
    })
}

/// One compilation: a main source and the files it reads, by path (`informe.json`, `mapa-x.svg`).
struct Memory {
    main: Source,
    files: HashMap<FileId, Bytes>,
    /// The document's date (its cut-off), so `datetime.today()` never reads the clock.
    today: Datetime,
}

fn id(path: &str) -> Result<FileId, String> {
    let vpath = VirtualPath::new(path).map_err(|e| format!("bad virtual path `{path}`: {e}"))?;
    Ok(FileId::new(RootedPath::new(VirtualRoot::Project, vpath)))
}

impl World for Memory {
    fn library(&self) -> &LazyHash<Library> {
        &shared().library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &shared().book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::NotSource)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.main.id() {
            return Ok(Bytes::from_string(self.main.text().to_string()));
        }
        self.files
            .get(&id)
            .cloned()
            .ok_or_else(|| FileError::NotFound(id.vpath().get_with_slash().into()))
    }

    fn font(&self, index: usize) -> Option<Font> {
        shared().fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        Some(self.today)
    }
}

/// A PDF from a typst `template` and the files it reads. `ident` names the document stably (its kind, id
/// and cut-off), `date` is its cut-off `(year, month, day)`. Errors are the template's, for the log: the
/// template is embedded and tested, so an error is a bug.
pub fn pdf(
    template: &str,
    files: Vec<(String, Vec<u8>)>,
    ident: &str,
    date: (i32, u8, u8),
) -> Result<Vec<u8>, String> {
    let main = Source::new(id("/main.typ")?, template.to_string());
    let files = files
        .into_iter()
        .map(|(path, bytes)| Ok((id(&format!("/{path}"))?, Bytes::new(bytes))))
        .collect::<Result<HashMap<_, _>, String>>()?;
    let today =
        Datetime::from_ymd(date.0, date.1, date.2).ok_or_else(|| format!("bad date {date:?}"))?;
    let world = Memory { main, files, today };
    let doc: PagedDocument = typst::compile(&world)
        .output
        .map_err(|errors| messages(&errors))?;
    let options = PdfOptions {
        ident: Smart::Custom(ident.to_string()),
        timestamp: None,
        ..PdfOptions::default()
    };
    typst_pdf::pdf(&doc, &options).map_err(|errors| messages(&errors))
}

fn messages(errors: &[typst::diag::SourceDiagnostic]) -> String {
    errors
        .iter()
        .map(|e| e.message.to_string())
        .collect::<Vec<_>>()
        .join("; ")
}
