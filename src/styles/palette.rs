//! Colour-blind-safe palettes (ColorBrewer: YlGnBu sequential, PuOr diverging), and the `ND` fill.

/// Fill of territories without a value (`ND`): a light neutral grey no palette uses.
pub const ND_COLOR: &str = "#e0e0e0";
/// Outline of territories.
pub const LINE_COLOR: &str = "#4d4d4d";

const YLGNBU: [&[&str]; 7] = [
    &["#41b6c4"],
    &["#edf8b1", "#2c7fb8"],
    &["#edf8b1", "#7fcdbb", "#2c7fb8"],
    &["#ffffcc", "#a1dab4", "#41b6c4", "#225ea8"],
    &["#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"],
    &[
        "#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8", "#253494",
    ],
    &[
        "#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#0c2c84",
    ],
];

/// ColorBrewer PuOr, orange (negative) to purple (positive), odd sizes centred on a neutral class.
const PUOR: [&[&str]; 9] = [
    &["#f7f7f7"],
    &["#f1a340", "#998ec3"],
    &["#f1a340", "#f7f7f7", "#998ec3"],
    &["#e66101", "#fdb863", "#b2abd2", "#5e3c99"],
    &["#e66101", "#fdb863", "#f7f7f7", "#b2abd2", "#5e3c99"],
    &[
        "#b35806", "#f1a340", "#fee0b6", "#d8daeb", "#998ec3", "#542788",
    ],
    &[
        "#b35806", "#f1a340", "#fee0b6", "#f7f7f7", "#d8daeb", "#998ec3", "#542788",
    ],
    &[
        "#b35806", "#e08214", "#fdb863", "#fee0b6", "#d8daeb", "#b2abd2", "#8073ac", "#542788",
    ],
    &[
        "#b35806", "#e08214", "#fdb863", "#fee0b6", "#f7f7f7", "#d8daeb", "#b2abd2", "#8073ac",
        "#542788",
    ],
];

/// `n` sequential colours, light to dark (1 ≤ n ≤ 7).
pub fn sequential(n: usize) -> Vec<&'static str> {
    YLGNBU[n.clamp(1, 7) - 1].to_vec()
}

/// `n` diverging colours, negative to positive (1 ≤ n ≤ 9).
pub fn diverging(n: usize) -> Vec<&'static str> {
    PUOR[n.clamp(1, 9) - 1].to_vec()
}

/// Categorical colours of chart series (Okabe–Ito: told apart with the common colour-vision deficiencies); the
/// server's SVG charts use them in this order, as `web/dashboards.js` does for the interactive ones.
pub const CATEGORICAL: [&str; 8] = [
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000",
];
