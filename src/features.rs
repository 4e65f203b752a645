//! TF-IDF features: sublinear term frequency times idf, rows L2-normalised, over a
//! vocabulary fixed at training time.

use std::collections::HashMap;
use std::ops::Range;

/// A message's features: sorted feature indices and their TF-IDF values.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SparseVec {
    pub indices: Vec<u32>,
    pub values: Vec<f64>,
}

/// A feature that fired, with the normalised char ranges where it occurs.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub index: u32,
    pub ranges: Vec<Range<usize>>,
}

/// Feature index and idf for each vocabulary term.
#[derive(Debug, Clone)]
pub struct Vocabulary {
    index: HashMap<String, u32>,
    idf: Vec<f64>,
}

impl Vocabulary {
    /// `terms[i]` gets index `i`. Duplicate terms are an error.
    pub fn new(terms: &[String], idf: Vec<f64>) -> Result<Self, String> {
        if terms.len() != idf.len() {
            return Err(format!("{} features but {} idf values", terms.len(), idf.len()));
        }
        let mut index = HashMap::with_capacity(terms.len());
        for (i, t) in terms.iter().enumerate() {
            if index.insert(t.clone(), i as u32).is_some() {
                return Err(format!("feature {t:?} appears twice"));
            }
        }
        Ok(Vocabulary { index, idf })
    }

    pub fn len(&self) -> usize {
        self.idf.len()
    }

    pub fn is_empty(&self) -> bool {
        self.idf.is_empty()
    }

    pub fn get(&self, term: &str) -> Option<u32> {
        self.index.get(term).copied()
    }

    /// Builds the TF-IDF row from the (index) stream of a message's terms.
    pub fn vectorize(&self, mut hits: Vec<u32>) -> SparseVec {
        hits.sort_unstable();
        let mut v = SparseVec::default();
        let mut i = 0;
        while i < hits.len() {
            let mut j = i;
            while j < hits.len() && hits[j] == hits[i] {
                j += 1;
            }
            let tf = 1.0 + ((j - i) as f64).ln();
            v.indices.push(hits[i]);
            v.values.push(tf * self.idf[hits[i] as usize]);
            i = j;
        }
        let norm = v.values.iter().map(|x| x * x).sum::<f64>().sqrt();
        if norm > 0.0 {
            v.values.iter_mut().for_each(|x| *x /= norm);
        }
        v
    }
}

/// Smoothed idf, as scikit-learn computes it: ln((1 + n) / (1 + df)) + 1.
pub fn smooth_idf(n_docs: usize, df: usize) -> f64 {
    ((1.0 + n_docs as f64) / (1.0 + df as f64)).ln() + 1.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sublinear_tf_idf_l2() {
        let vocab = Vocabulary::new(&["a".into(), "b".into()], vec![1.0, 2.0]).unwrap();
        let v = vocab.vectorize(vec![1, 0, 0]);
        assert_eq!(v.indices, vec![0, 1]);
        let (a, b) = (1.0 + 2f64.ln(), 2.0);
        let n = (a * a + b * b).sqrt();
        assert!((v.values[0] - a / n).abs() < 1e-12);
        assert!((v.values[1] - b / n).abs() < 1e-12);
        assert!(vocab.vectorize(vec![]).indices.is_empty());
    }

    #[test]
    fn duplicate_terms_rejected() {
        assert!(Vocabulary::new(&["a".into(), "a".into()], vec![1.0, 1.0]).is_err());
    }
}
