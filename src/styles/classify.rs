//! Classification of indicator values into classes: quantiles, equal intervals, natural breaks, manual.

pub use crate::config::ClassMethod as Method;

/// Class edges: `n + 1` ascending values from the minimum to the maximum (fewer when values repeat).
///
/// ```
/// use ssepot::styles::classify::{breaks, Method};
/// let v = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0];
/// assert_eq!(breaks(&v, Method::Equal, 3, &[]), vec![1.0, 4.0, 7.0, 10.0]);
/// assert_eq!(breaks(&v, Method::Quantile, 2, &[]), vec![1.0, 5.5, 10.0]);
/// ```
pub fn breaks(values: &[f64], method: Method, n: usize, manual: &[f64]) -> Vec<f64> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    v.sort_by(f64::total_cmp);
    let (Some(&min), Some(&max)) = (v.first(), v.last()) else {
        return vec![];
    };
    let n = n.clamp(1, 9);
    let mut edges = match method {
        Method::Equal => (0..=n)
            .map(|i| min + (max - min) * i as f64 / n as f64)
            .collect(),
        Method::Quantile => (0..=n).map(|i| quantile(&v, i as f64 / n as f64)).collect(),
        Method::Jenks => jenks(&v, n),
        Method::Manual => {
            let mut e: Vec<f64> = vec![min];
            e.extend(manual.iter().copied().filter(|b| *b > min && *b < max));
            e.push(max);
            e
        }
    };
    edges.dedup_by(|a, b| (*a - *b).abs() <= f64::EPSILON * b.abs().max(1.0));
    if edges.len() == 1 {
        edges.push(max);
    }
    edges
}

fn quantile(sorted: &[f64], q: f64) -> f64 {
    let pos = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

/// Fisher–Jenks optimal breaks by dynamic programming (O(k·n²); indicator sets are small).
fn jenks(sorted: &[f64], k: usize) -> Vec<f64> {
    let n = sorted.len();
    let k = k.min(n);
    let mut prefix = vec![0.0; n + 1];
    let mut prefix2 = vec![0.0; n + 1];
    for (i, x) in sorted.iter().enumerate() {
        prefix[i + 1] = prefix[i] + x;
        prefix2[i + 1] = prefix2[i] + x * x;
    }
    // Sum of squared deviations of sorted[i..j].
    let ssd = |i: usize, j: usize| {
        let (s, s2, m) = (
            prefix[j] - prefix[i],
            prefix2[j] - prefix2[i],
            (j - i) as f64,
        );
        s2 - s * s / m
    };
    let mut cost = vec![vec![f64::INFINITY; n + 1]; k + 1];
    let mut cut = vec![vec![0usize; n + 1]; k + 1];
    cost[0][0] = 0.0;
    for c in 1..=k {
        for j in c..=n {
            for i in (c - 1)..j {
                let total = cost[c - 1][i] + ssd(i, j);
                if total < cost[c][j] {
                    cost[c][j] = total;
                    cut[c][j] = i;
                }
            }
        }
    }
    let mut edges = vec![sorted[n - 1]];
    let mut j = n;
    for c in (1..=k).rev() {
        let i = cut[c][j];
        edges.push(if i == 0 { sorted[0] } else { sorted[i] });
        j = i;
    }
    edges.reverse();
    edges
}

/// The class index (0-based) of a value, given edges from [`breaks`].
pub fn class_of(edges: &[f64], v: f64) -> Option<usize> {
    if edges.len() < 2 || v < edges[0] || v > edges[edges.len() - 1] {
        return None;
    }
    Some(
        edges[1..edges.len() - 1]
            .iter()
            .filter(|e| v >= **e)
            .count(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_breaks_find_obvious_groups() {
        let v = [1.0, 1.1, 1.2, 5.0, 5.1, 5.2, 9.0, 9.1];
        assert_eq!(breaks(&v, Method::Jenks, 3, &[]), vec![1.0, 5.0, 9.0, 9.1]);
        assert_eq!(class_of(&[1.0, 5.0, 9.0, 9.1], 5.05), Some(1));
        assert_eq!(class_of(&[1.0, 5.0, 9.0, 9.1], 9.1), Some(2));
    }

    #[test]
    fn manual_breaks_are_clamped_to_the_data_and_repeated_values_do_not_make_empty_classes() {
        assert_eq!(
            breaks(
                &[0.0, 10.0, 20.0],
                Method::Manual,
                5,
                &[-5.0, 5.0, 15.0, 50.0]
            ),
            vec![0.0, 5.0, 15.0, 20.0]
        );
        assert_eq!(
            breaks(&[3.0, 3.0, 3.0], Method::Quantile, 5, &[]),
            vec![3.0, 3.0]
        );
        assert!(breaks(&[], Method::Quantile, 5, &[]).is_empty());
    }
}
