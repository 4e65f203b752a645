//! TF-IDF features: sublinear term frequency times idf, rows L2-normalised, over a
//! vocabulary fixed at training time.

use crate::tokenize::Term;
use rustc_hash::FxHashMap;
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
    index: FxHashMap<Box<str>, u32>,
    /// Bigram features (`b:` + two chars), keyed by the two chars packed in a u64.
    bigrams: FxHashMap<u64, u32>,
    idf: Vec<f64>,
}

fn pack(a: char, b: char) -> u64 {
    ((a as u64) << 32) | b as u64
}

fn as_bigram(key: &str) -> Option<(char, char)> {
    let mut cs = key.strip_prefix("b:")?.chars();
    match (cs.next(), cs.next(), cs.next()) {
        (Some(a), Some(b), None) => Some((a, b)),
        _ => None,
    }
}

impl Vocabulary {
    /// `terms[i]` gets index `i`. Duplicate terms are an error.
    pub fn new(terms: &[String], idf: Vec<f64>) -> Result<Self, String> {
        if terms.len() != idf.len() {
            return Err(format!("{} features but {} idf values", terms.len(), idf.len()));
        }
        let mut index = FxHashMap::default();
        let mut bigrams = FxHashMap::default();
        for (i, t) in terms.iter().enumerate() {
            let dup = match as_bigram(t) {
                Some((a, b)) => bigrams.insert(pack(a, b), i as u32).is_some(),
                None => index.insert(t.as_str().into(), i as u32).is_some(),
            };
            if dup {
                return Err(format!("feature {t:?} appears twice"));
            }
        }
        Ok(Vocabulary { index, bigrams, idf })
    }

    pub fn len(&self) -> usize {
        self.idf.len()
    }

    pub fn is_empty(&self) -> bool {
        self.idf.is_empty()
    }

    /// Index of a feature by its key.
    pub fn get(&self, key: &str) -> Option<u32> {
        match as_bigram(key) {
            Some((a, b)) => self.bigrams.get(&pack(a, b)).copied(),
            None => self.index.get(key).copied(),
        }
    }

    /// Index of a term as the tokenizer emits it.
    pub fn get_term(&self, term: Term<'_>) -> Option<u32> {
        match term {
            Term::Word(k) => self.index.get(k).copied(),
            Term::Bigram(a, b) => self.bigrams.get(&pack(a, b)).copied(),
        }
    }

    /// Builds the TF-IDF row from the (index) stream of a message's terms.
    pub fn vectorize(&self, mut hits: Vec<u32>) -> SparseVec {
        hits.sort_unstable();
        let mut v =
            SparseVec { indices: Vec::with_capacity(hits.len()), values: Vec::with_capacity(hits.len()) };
        let mut i = 0;
        while i < hits.len() {
            let mut j = i;
            while j < hits.len() && hits[j] == hits[i] {
                j += 1;
            }
            let tf = sublinear_tf(j - i);
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

/// 1 + ln(count); nearly every term occurs once, where that is exactly 1.
fn sublinear_tf(count: usize) -> f64 {
    if count == 1 { 1.0 } else { 1.0 + (count as f64).ln() }
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
    fn bigram_and_word_keys_resolve_alike() {
        let vocab = Vocabulary::new(&["b:还钱".into(), "w:还钱".into(), "b:x".into()], vec![1.0; 3]).unwrap();
        assert_eq!(vocab.get("b:还钱"), Some(0));
        assert_eq!(vocab.get_term(Term::Bigram('还', '钱')), Some(0));
        assert_eq!(vocab.get_term(Term::Word("w:还钱")), Some(1));
        assert_eq!(vocab.get("b:x"), Some(2));
        assert_eq!(vocab.get("b:钱还"), None);
    }

    #[test]
    fn tf_table_equals_the_formula() {
        for k in 1..20 {
            assert_eq!(sublinear_tf(k), 1.0 + (k as f64).ln(), "{k}");
        }
    }

    #[test]
    fn duplicate_terms_rejected() {
        assert!(Vocabulary::new(&["a".into(), "a".into()], vec![1.0, 1.0]).is_err());
    }
}
