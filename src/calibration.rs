//! How far the probabilities can be trusted: a reliability table and the expected
//! calibration error (ECE) of the top label's confidence, in equal-width bins.

use serde::Serialize;

/// One confidence bin: messages whose top-label confidence falls in `[low, high)`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bin {
    /// Lower edge of the bin.
    pub low: f64,
    /// Upper edge (exclusive but for the last bin).
    pub high: f64,
    /// Messages in the bin.
    pub count: usize,
    /// Mean confidence of the messages in the bin.
    pub confidence: f64,
    /// Share of them whose label was right.
    pub accuracy: f64,
}

/// A reliability table and its expected calibration error.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reliability {
    /// The bins, lowest confidence first.
    pub bins: Vec<Bin>,
    /// Count-weighted mean of |accuracy − confidence| over the bins.
    pub ece: f64,
}

/// The reliability of `(confidence, correct)` pairs in `bins` equal-width bins over [0, 1]
/// (a confidence of exactly 1 goes to the last bin). Empty bins are kept, with zeros.
pub fn reliability(pairs: &[(f64, bool)], bins: usize) -> Reliability {
    let bins = bins.max(1);
    let mut sums = vec![(0usize, 0.0f64, 0usize); bins];
    for &(c, ok) in pairs {
        let i = ((c.clamp(0.0, 1.0) * bins as f64) as usize).min(bins - 1);
        sums[i].0 += 1;
        sums[i].1 += c;
        sums[i].2 += ok as usize;
    }
    let n = pairs.len().max(1) as f64;
    let mut ece = 0.0;
    let bins: Vec<Bin> = sums
        .iter()
        .enumerate()
        .map(|(i, &(count, csum, right))| {
            let (confidence, accuracy) =
                if count == 0 { (0.0, 0.0) } else { (csum / count as f64, right as f64 / count as f64) };
            ece += count as f64 / n * (accuracy - confidence).abs();
            Bin {
                low: i as f64 / bins as f64,
                high: (i + 1) as f64 / bins as f64,
                count,
                confidence,
                accuracy,
            }
        })
        .collect();
    Reliability { bins, ece }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perfectly_calibrated_pairs_have_no_error() {
        // In the 0.7-0.8 bin, 0.75 confidence and 3 of 4 right.
        let pairs = [(0.75, true), (0.75, true), (0.75, true), (0.75, false)];
        let r = reliability(&pairs, 10);
        assert!(r.ece.abs() < 1e-12);
        assert_eq!(r.bins[7].count, 4);
        assert_eq!(r.bins.len(), 10);
    }

    #[test]
    fn overconfidence_is_measured() {
        let pairs = [(1.0, false), (0.95, true)];
        let r = reliability(&pairs, 10);
        assert_eq!(r.bins[9].count, 2);
        assert!((r.ece - (0.975 - 0.5)).abs() < 1e-12);
        assert_eq!(reliability(&[], 5).ece, 0.0);
    }
}
