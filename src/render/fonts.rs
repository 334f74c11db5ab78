//! The fonts shipped with ssepot (`fonts/`, DejaVu Sans with its licence), embedded in the binary: the PDF
//! embeds the subset it uses and the pages load the same faces, so print and PDF look alike on any machine.

/// `(file name, bytes)` of every face.
pub const FACES: &[(&str, &[u8])] = &[
    (
        "DejaVuSans.ttf",
        include_bytes!("../../fonts/DejaVuSans.ttf"),
    ),
    (
        "DejaVuSans-Bold.ttf",
        include_bytes!("../../fonts/DejaVuSans-Bold.ttf"),
    ),
    (
        "DejaVuSans-Oblique.ttf",
        include_bytes!("../../fonts/DejaVuSans-Oblique.ttf"),
    ),
];

/// The family name documents ask for.
pub const FAMILY: &str = "DejaVu Sans";

/// A face by file name (for `/ssepot/static/fonts/{file}`).
pub fn face(file: &str) -> Option<&'static [u8]> {
    FACES
        .iter()
        .find(|(name, _)| *name == file)
        .map(|(_, b)| *b)
}
