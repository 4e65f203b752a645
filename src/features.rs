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
    idf: Vec<f64>,
}

const NONE: u32 = u32::MAX;

/// Up to three characters in one nonzero u64 (21 bits each, plus one so `\0` counts).
#[inline(always)]
fn pack_chars(word: &str) -> Option<u64> {
    let b = word.as_bytes();
    let (mut key, mut i, mut n) = (0u64, 0, 0);
    while i < b.len() {
        if n == 3 {
            return None;
        }
        // ASCII and three-byte characters (all of CJK) decoded in place; others by std.
        let c = match b[i] {
            x if x < 0x80 => {
                i += 1;
                x as u64
            }
            x @ 0xE0..=0xEF => {
                let c =
                    ((x as u64 & 0x0F) << 12) | ((b[i + 1] as u64 & 0x3F) << 6) | (b[i + 2] as u64 & 0x3F);
                i += 3;
                c
            }
            _ => {
                let c = word[i..].chars().next()?;
                i += c.len_utf8();
                c as u64
            }
        };
        key = (key << 21) | (c + 1);
        n += 1;
    }
    (key != 0).then_some(key)
}

/// Two BMP characters in one nonzero u32.
#[inline(always)]
fn pack_pair(a: char, b: char) -> Option<u32> {
    let (a, b) = (a as u32, b as u32);
    (a < 0x10000 && b < 0x10000 && (a | b) != 0).then_some((a << 16) | b)
}

fn as_bigram(key: &str) -> Option<(char, char)> {
    let mut cs = key.strip_prefix("b:")?.chars();
    match (cs.next(), cs.next(), cs.next()) {
        (Some(a), Some(b), None) => Some((a, b)),
        _ => None,
    }
}

/// A key of a [`PackedTable`]: nonzero (zero marks an empty slot), hashed by one
/// multiplication.
trait PackedKey: Copy + Eq + Default {
    fn spread(self) -> u64;
}

impl PackedKey for u32 {
    fn spread(self) -> u64 {
        (self as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
    }
}

impl PackedKey for u64 {
    fn spread(self) -> u64 {
        self.wrapping_mul(0x9E37_79B9_7F4A_7C15)
    }
}

/// An open-addressing table from nonzero packed keys, built once. Tokens are looked up
/// about fifty times per message, at random places: keys and values sit side by side in
/// one small array, so a probe costs a multiply, a shift and one cache line, where a
/// string hash map costs hashing and two or three lines.
#[derive(Debug, Clone)]
struct PackedTable<K, V> {
    slots: Vec<(K, V)>,
    shift: u32,
}

impl<K: PackedKey, V: Copy> PackedTable<K, V> {
    /// A table for `entries` (distinct nonzero keys), at most half full.
    fn new(entries: &[(K, V)], empty: V) -> Self {
        let size = (entries.len() * 2).next_power_of_two().max(16);
        let mut t =
            PackedTable { slots: vec![(K::default(), empty); size], shift: 64 - size.trailing_zeros() };
        for &(k, v) in entries {
            debug_assert!(k != K::default());
            let mut i = t.slot(k);
            while t.slots[i].0 != K::default() {
                i = (i + 1) & (size - 1);
            }
            t.slots[i] = (k, v);
        }
        t
    }

    fn slot(&self, key: K) -> usize {
        (key.spread() >> self.shift) as usize
    }

    #[inline(always)]
    fn get(&self, key: K) -> Option<V> {
        let mask = self.slots.len() - 1;
        let mut i = self.slot(key);
        loop {
            let (k, v) = self.slots[i];
            if k == key {
                return Some(v);
            }
            if k == K::default() {
                return None;
            }
            i = (i + 1) & mask;
        }
    }
}

impl Vocabulary {
    /// `terms[i]` gets index `i`. Duplicate terms are an error.
    pub fn new(terms: &[String], idf: Vec<f64>) -> Result<Self, String> {
        if terms.len() != idf.len() {
            return Err(format!("{} features but {} idf values", terms.len(), idf.len()));
        }
        let mut index = FxHashMap::default();
        let mut words: FxHashMap<&str, [u32; 2]> = FxHashMap::default();
        let mut bigrams: FxHashMap<(char, char), u32> = FxHashMap::default();
        for (i, t) in terms.iter().enumerate() {
            let i = i as u32;
            let dup = match as_bigram(t) {
                Some(pair) => bigrams.insert(pair, i).is_some(),
                None => index.insert(t.as_str().into(), i).is_some(),
            };
            if dup {
                return Err(format!("feature {t:?} appears twice"));
            }
            let scoped = [("w:", 0), ("n:", 1)].into_iter().find_map(|(p, s)| Some((t.strip_prefix(p)?, s)));
            if let Some((word, scope)) = scoped {
                words.entry(word).or_insert([NONE; 2])[scope] = i;
            }
        }
        let mut short_words = Vec::new();
        let mut long_words = FxHashMap::default();
        for (word, ix) in words {
            match pack_chars(word) {
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
            short_words: PackedTable::new(&short_words, [NONE; 2]),
            long_words,
            bigrams: PackedTable::new(&packed, NONE),
            other_bigrams,
            idf,
        })
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
            Some((a, b)) => self.bigram(a, b),
            None => self.index.get(key).copied(),
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
            Term::Word { word, negated } => {
                let ix = match pack_chars(word) {
                    Some(k) => self.short_words.get(k),
                    None => self.long_words.get(word).copied(),
                };
                ix.map(|ix| ix[negated as usize]).filter(|&i| i != NONE)
            }
            Term::Bigram(a, b) => self.bigram(a, b),
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
pub fn sublinear_tf(count: usize) -> f64 {
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
        let keys = ["b:还钱".into(), "w:还钱".into(), "b:x".into(), "b:𠀀钱".into(), "b:\0\0".into()];
        let vocab = Vocabulary::new(&keys, vec![1.0; 5]).unwrap();
        assert_eq!(vocab.get_term(Term::Bigram('𠀀', '钱')), Some(3));
        assert_eq!(vocab.get_term(Term::Bigram('\0', '\0')), Some(4));
        assert_eq!(vocab.get("b:𠀀钱"), Some(3));
        assert_eq!(vocab.get("b:还钱"), Some(0));
        assert_eq!(vocab.get_term(Term::Bigram('还', '钱')), Some(0));
        assert_eq!(vocab.get_term(Term::Word { word: "还钱", negated: false }), Some(1));
        assert_eq!(vocab.get_term(Term::Word { word: "还钱", negated: true }), None);
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
        assert_eq!(vocab.get_term(Term::Word { word: "通讯录", negated: false }), Some(4));
        assert_eq!(vocab.get_term(Term::Word { word: "爆通讯录", negated: false }), Some(5));
        assert_eq!(vocab.get_term(Term::Word { word: "爆通讯", negated: false }), None);
        assert_eq!(vocab.get_term(Term::Word { word: "", negated: false }), Some(6));
        assert_eq!(vocab.get_term(Term::Word { word: "\0", negated: false }), Some(7));
        assert_eq!(vocab.get_term(Term::Word { word: "联系", negated: false }), Some(1));
        assert_eq!(vocab.get_term(Term::Word { word: "联系", negated: true }), Some(0));
        assert_eq!(vocab.get_term(Term::Word { word: "n:x", negated: false }), Some(2));
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

    #[test]
    fn packed_characters_are_the_characters() {
        let slow = |w: &str| {
            let cs: Vec<char> = w.chars().collect();
            (cs.len() <= 3 && !cs.is_empty())
                .then(|| cs.iter().fold(0u64, |k, &c| (k << 21) | (c as u64 + 1)))
        };
        for w in ["", "a", "还", "还钱", "通讯录", "爆通讯录", "é字", "𠀀a", "\0", "a\0b", "ab€", "abcd"]
        {
            assert_eq!(pack_chars(w), slow(w), "{w:?}");
        }
    }

    #[test]
    fn packed_table_finds_every_key_and_nothing_else() {
        let entries: Vec<(u64, u32)> = (1..=1000u64).map(|k| (k * 7919, k as u32)).collect();
        let small: Vec<(u32, u32)> = entries.iter().map(|&(k, v)| (k as u32, v)).collect();
        let t32 = PackedTable::new(&small, NONE);
        assert!(small.iter().all(|&(k, v)| t32.get(k) == Some(v)) && t32.get(1).is_none());
        let t = PackedTable::new(&entries, NONE);
        for &(k, v) in &entries {
            assert_eq!(t.get(k), Some(v));
        }
        assert!((1..=1000u64).all(|k| t.get(k * 7919 + 1).is_none()));
    }
}
