//! TF-IDF features: sublinear term frequency times idf, rows L2-normalised, over a
//! vocabulary fixed at training time.

use crate::packed::{PackedTable, pack_pair, pack_word};
use crate::tokenize::Term;
use rustc_hash::FxHashMap;
use std::ops::Range;

/// A message's features: sorted feature indices and their TF-IDF values.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SparseVec {
    /// Feature indices, ascending.
    pub indices: Vec<u32>,
    /// The value of each feature.
    pub values: Vec<f64>,
}

/// A feature that fired, with the normalised char ranges where it occurs.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// The feature's index.
    pub index: u32,
    /// Where it occurs in the normalised text.
    pub ranges: Vec<Range<usize>>,
}

/// Feature index and idf for each vocabulary term.
#[derive(Debug, Clone)]
pub struct Vocabulary {
    /// Every feature that is not a bigram, by its key.
    index: FxHashMap<Box<str>, u32>,
    /// Word features of up to three characters, by the packed characters: the `w:` and
    /// the `n:` index ([`NONE`] if absent), so a token costs one probe whatever its scope.
    short_words: PackedTable<u64, [u32; 2]>,
    /// Longer word features, by the word.
    long_words: FxHashMap<Box<str>, [u32; 2]>,
    /// Bigram features (`b:` + two chars) of two BMP characters (all Han bigrams but
    /// the rare supplementary ideographs), by the two chars packed in a u32.
    bigrams: PackedTable<u32, u32>,
    /// The other bigram features.
    other_bigrams: FxHashMap<(char, char), u32>,
    /// Trigram features (`t:` + three chars), by the characters packed as [`pack_word`] does.
    trigrams: PackedTable<u64, u32>,
    idf: Vec<f64>,
}

const NONE: u32 = u32::MAX;

fn as_trigram(key: &str) -> Option<u64> {
    let rest = key.strip_prefix("t:")?;
    (rest.chars().count() == 3).then(|| pack_word(rest)).flatten()
}

fn pack3(a: char, b: char, c: char) -> u64 {
    [a, b, c].iter().fold(0u64, |k, &ch| (k << 21) | (ch as u64 + 1))
}

fn as_bigram(key: &str) -> Option<(char, char)> {
    let mut cs = key.strip_prefix("b:")?.chars();
    match (cs.next(), cs.next(), cs.next()) {
        (Some(a), Some(b), None) => Some((a, b)),
        _ => None,
    }
}

/// Errors building a [`Vocabulary`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VocabularyError {
    /// Features and idf values differ in number.
    #[error("{features} features but {idf} idf values")]
    Lengths {
        /// Number of features.
        features: usize,
        /// Number of idf values.
        idf: usize,
    },
    /// A feature is listed twice.
    #[error("feature {0:?} appears twice")]
    Duplicate(String),
}

impl Vocabulary {
    /// `terms[i]` gets index `i`. Duplicate terms are an error.
    pub fn new(terms: &[String], idf: Vec<f64>) -> Result<Self, VocabularyError> {
        if terms.len() != idf.len() {
            return Err(VocabularyError::Lengths { features: terms.len(), idf: idf.len() });
        }
        let mut index = FxHashMap::default();
        let mut words: FxHashMap<&str, [u32; 2]> = FxHashMap::default();
        let mut bigrams: FxHashMap<(char, char), u32> = FxHashMap::default();
        let mut trigrams: FxHashMap<u64, u32> = FxHashMap::default();
        for (i, t) in terms.iter().enumerate() {
            let i = i as u32;
            let dup = match (as_bigram(t), as_trigram(t)) {
                (Some(pair), _) => bigrams.insert(pair, i).is_some(),
                (_, Some(k)) => trigrams.insert(k, i).is_some(),
                _ => index.insert(t.as_str().into(), i).is_some(),
            };
            if dup {
                return Err(VocabularyError::Duplicate(t.clone()));
            }
            let scoped = [("w:", 0), ("n:", 1)].into_iter().find_map(|(p, s)| Some((t.strip_prefix(p)?, s)));
            if let Some((word, scope)) = scoped {
                words.entry(word).or_insert([NONE; 2])[scope] = i;
            }
        }
        let mut short_words = Vec::new();
        let mut long_words = FxHashMap::default();
        for (word, ix) in words {
            match pack_word(word) {
                Some(k) => short_words.push((k, ix)),
                None => {
                    long_words.insert(word.into(), ix);
                }
            }
        }
        let mut packed = Vec::new();
        let mut other_bigrams = FxHashMap::default();
        for ((a, b), i) in bigrams {
            match pack_pair(a, b) {
                Some(k) => packed.push((k, i)),
                None => {
                    other_bigrams.insert((a, b), i);
                }
            }
        }
        Ok(Vocabulary {
            index,
            short_words: PackedTable::with_filter(&short_words, [NONE; 2]),
            long_words,
            bigrams: PackedTable::with_filter(&packed, NONE),
            other_bigrams,
            trigrams: PackedTable::with_filter(&trigrams.into_iter().collect::<Vec<_>>(), NONE),
            idf,
        })
    }

    /// Number of features.
    pub fn len(&self) -> usize {
        self.idf.len()
    }

    /// True when there are no features.
    pub fn is_empty(&self) -> bool {
        self.idf.is_empty()
    }

    /// Index of a feature by its key.
    pub fn get(&self, key: &str) -> Option<u32> {
        match (as_bigram(key), as_trigram(key)) {
            (Some((a, b)), _) => self.bigram(a, b),
            (_, Some(k)) => self.trigrams.get(k),
            _ => self.index.get(key).copied(),
        }
    }

    #[inline(always)]
    fn bigram(&self, a: char, b: char) -> Option<u32> {
        match pack_pair(a, b) {
            Some(k) => self.bigrams.get(k),
            None => self.other_bigrams.get(&(a, b)).copied(),
        }
    }

    /// Index of a term as the tokenizer emits it.
    #[inline(always)]
    pub fn get_term(&self, term: Term<'_>) -> Option<u32> {
        match term {
            Term::Word { word, negated, packed } => {
                let ix = match packed {
                    Some(k) => self.short_words.get(k),
                    None => self.long_words.get(word).copied(),
                };
                ix.map(|ix| ix[negated as usize]).filter(|&i| i != NONE)
            }
            Term::Bigram(a, b) => self.bigram(a, b),
            Term::Trigram(a, b, c) => self.trigrams.get(pack3(a, b, c)),
        }
    }

    /// Builds the TF-IDF row from the (index) stream of a message's terms.
    pub fn vectorize(&self, mut hits: Vec<u32>) -> SparseVec {
        hits.sort_unstable();
        let mut v =
            SparseVec { indices: Vec::with_capacity(hits.len()), values: Vec::with_capacity(hits.len()) };
        for run in hits.chunk_by(|a, b| a == b) {
            v.indices.push(run[0]);
            v.values.push(sublinear_tf(run.len()) * self.idf[run[0] as usize]);
        }
        let norm = v.values.iter().map(|x| x * x).sum::<f64>().sqrt();
        if norm > 0.0 {
            v.values.iter_mut().for_each(|x| *x /= norm);
        }
        v
    }
}

/// 1 + ln(count); nearly every term occurs once, where that is exactly 1.
pub(crate) fn sublinear_tf(count: usize) -> f64 {
    // Repeats are a few per message, and a logarithm costs more than the rest of scoring.
    const TABLED: usize = 64;
    static TABLE: std::sync::LazyLock<[f64; TABLED]> =
        std::sync::LazyLock::new(|| std::array::from_fn(|k| 1.0 + (k as f64).ln()));
    match count {
        1 => 1.0,
        2..TABLED => TABLE[count],
        _ => 1.0 + (count as f64).ln(),
    }
}

/// Smoothed idf, as scikit-learn computes it: ln((1 + n) / (1 + df)) + 1.
pub(crate) fn smooth_idf(n_docs: usize, df: usize) -> f64 {
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
        let keys = ["b:还钱".into(), "w:还钱".into(), "b:x".into(), "b:𠀀钱".into(), "b:\0\0".into()];
        let vocab = Vocabulary::new(&keys, vec![1.0; 5]).unwrap();
        assert_eq!(vocab.get_term(Term::Bigram('𠀀', '钱')), Some(3));
        assert_eq!(vocab.get_term(Term::Bigram('\0', '\0')), Some(4));
        assert_eq!(vocab.get("b:𠀀钱"), Some(3));
        assert_eq!(vocab.get("b:还钱"), Some(0));
        assert_eq!(vocab.get_term(Term::Bigram('还', '钱')), Some(0));
        assert_eq!(vocab.get_term(Term::word("还钱", false)), Some(1));
        assert_eq!(vocab.get_term(Term::word("还钱", true)), None);
        assert_eq!(vocab.get("b:x"), Some(2));
        assert_eq!(vocab.get("b:钱还"), None);
    }

    #[test]
    fn words_resolve_by_scope() {
        let keys = [
            "n:联系".to_string(),
            "w:联系".into(),
            "w:n:x".into(),
            "联系".into(),
            "w:通讯录".into(),
            "w:爆通讯录".into(),
            "w:".into(),
            "w:\0".into(),
        ];
        let vocab = Vocabulary::new(&keys, vec![1.0; keys.len()]).unwrap();
        assert_eq!(vocab.get_term(Term::word("通讯录", false)), Some(4));
        assert_eq!(vocab.get_term(Term::word("爆通讯录", false)), Some(5));
        assert_eq!(vocab.get_term(Term::word("爆通讯", false)), None);
        assert_eq!(vocab.get_term(Term::word("", false)), Some(6));
        assert_eq!(vocab.get_term(Term::word("\0", false)), Some(7));
        assert_eq!(vocab.get_term(Term::word("联系", false)), Some(1));
        assert_eq!(vocab.get_term(Term::word("联系", true)), Some(0));
        assert_eq!(vocab.get_term(Term::word("n:x", false)), Some(2));
        assert_eq!(vocab.get("联系"), Some(3));
        for (i, k) in keys.iter().enumerate() {
            assert_eq!(vocab.get(k), Some(i as u32), "{k}");
        }
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
        assert!(Vocabulary::new(&["b:还钱".into(), "b:还钱".into()], vec![1.0, 1.0]).is_err());
    }
}
