//! A set of phrases found character by character: every occurrence of every phrase,
//! overlapping ones included.
//!
//! The cue lexicon is a few hundred short Chinese phrases. A byte-level Aho-Corasick DFA
//! over them takes megabytes (one row per byte of every phrase), and searching it misses
//! the cache on nearly every byte while also evicting jieba's dictionary. Here a phrase is
//! a path in a character trie whose edges sit in one small [`PackedTable`], and a
//! bitmap of first characters and a small Bloom filter over first pairs skip the positions
//! where no phrase can start, which is nine in ten of them.

use crate::packed::PackedTable;
use rustc_hash::FxHashMap;

/// Phrase ids stored on a trie node that ends no phrase.
const NONE: u32 = u32::MAX;

/// Where an edge of the trie leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Edge {
    child: u32,
    /// The phrase that ends at `child`, or [`NONE`].
    phrase: u32,
}

/// Bits in the pair filter: 8 KiB, so it stays in the L1 cache.
const PAIR_BITS: u32 = 16;

#[derive(Debug, Clone)]
pub struct PhraseSet {
    /// Two bits per BMP character: some phrase starts with it, or it is a phrase alone.
    firsts: Vec<u64>,
    /// Whether some phrase starts outside the BMP (emoji): those positions always walk.
    astral: bool,
    /// A Bloom filter (one hash) of the first two characters of every longer phrase.
    pairs: Vec<u64>,
    /// The trie's edges by `(parent node, character)`.
    edges: PackedTable<u64, Edge>,
    #[cfg_attr(not(test), allow(dead_code))]
    len: usize,
}

/// An edge's key: `(parent node << 21 | char) + 1`, never zero.
#[inline(always)]
fn edge_key(parent: u32, c: char) -> u64 {
    (((parent as u64) << 21) | c as u64) + 1
}

/// The pair filter's bit for a phrase beginning `a`, `b`.
#[inline(always)]
fn pair_bit(a: char, b: char) -> usize {
    ((((a as u64) << 21) | b as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - PAIR_BITS)) as usize
}

const STARTS: u64 = 1;
const ALONE: u64 = 2;

impl PhraseSet {
    /// A set of `phrases`; phrase `i` is reported as id `i`. Empty phrases never match;
    /// a phrase given twice is reported under its first id.
    pub fn new<S: AsRef<str>>(phrases: &[S]) -> Self {
        let mut firsts = vec![0; 0x10000 / 32];
        let mut astral = false;
        let mut pairs = vec![0; (1 << PAIR_BITS) / 64];
        let mut edges: FxHashMap<u64, Edge> = FxHashMap::default();
        for (id, phrase) in phrases.iter().enumerate() {
            let phrase = phrase.as_ref();
            let mut cs = phrase.chars();
            let Some(first) = cs.next() else { continue };
            let second = cs.next();
            match first as usize {
                n @ 0..0x10000 => {
                    firsts[n / 32] |= (if second.is_none() { STARTS | ALONE } else { STARTS }) << (n % 32 * 2)
                }
                _ => astral = true,
            }
            if let Some(second) = second {
                let bit = pair_bit(first, second);
                pairs[bit / 64] |= 1 << (bit % 64);
            }
            let (mut node, mut last) = (0u32, 0u64);
            for c in phrase.chars() {
                let next = edges.len() as u32 + 1;
                last = edge_key(node, c);
                node = edges.entry(last).or_insert(Edge { child: next, phrase: NONE }).child;
            }
            let end = edges.get_mut(&last).expect("the phrase's last edge was just made");
            if end.phrase == NONE {
                end.phrase = id as u32;
            }
        }
        let edges: Vec<(u64, Edge)> = edges.into_iter().collect();
        PhraseSet {
            firsts,
            astral,
            pairs,
            edges: PackedTable::new(&edges, Edge { child: 0, phrase: NONE }),
            len: phrases.len(),
        }
    }

    /// Number of phrases the set was built from.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether a phrase may start at `a`, followed by `b` (if any).
    #[inline(always)]
    fn may_start(&self, a: char, b: Option<&char>) -> bool {
        let n = a as usize;
        if n >= 0x10000 {
            return self.astral;
        }
        let bits = self.firsts[n / 32] >> (n % 32 * 2);
        if bits & ALONE != 0 {
            return true;
        }
        match b {
            Some(&b) if bits & STARTS != 0 => {
                let bit = pair_bit(a, b);
                self.pairs[bit / 64] & (1 << (bit % 64)) != 0
            }
            _ => false,
        }
    }

    /// Calls `f(phrase, start, end)` for every occurrence of every phrase in `text`
    /// (character indices, end exclusive), by start and then by length. Stops early,
    /// returning `true`, when `f` returns `true`.
    pub fn find_each(&self, text: &[char], f: impl FnMut(u32, usize, usize) -> bool) -> bool {
        self.find_each_from(text, 0..text.len(), f)
    }

    /// [`PhraseSet::find_each`] for the occurrences that start within `starts`.
    pub fn find_each_from(
        &self,
        text: &[char],
        starts: std::ops::Range<usize>,
        mut f: impl FnMut(u32, usize, usize) -> bool,
    ) -> bool {
        let (mut i, end) = (starts.start, starts.end.min(text.len()));
        loop {
            // A tight scan to the next place a phrase may start.
            while i < end && !self.may_start(text[i], text.get(i + 1)) {
                i += 1;
            }
            if i >= end {
                return false;
            }
            if self.walk(text, i, &mut f) {
                return true;
            }
            i += 1;
        }
    }

    /// The phrases starting at `text[i]`. Kept out of line: the scan above runs for every
    /// character, and stays small in registers without the walk and the callback.
    #[inline(never)]
    fn walk(&self, text: &[char], i: usize, f: &mut impl FnMut(u32, usize, usize) -> bool) -> bool {
        let mut node = 0u32;
        for (j, &d) in text[i..].iter().enumerate() {
            let Some(edge) = self.edges.get(edge_key(node, d)) else { break };
            if edge.phrase != NONE && f(edge.phrase, i, i + j + 1) {
                return true;
            }
            node = edge.child;
        }
        false
    }

    /// Whether any phrase occurs in `text`.
    pub fn is_match(&self, text: &[char]) -> bool {
        self.find_each(text, |_, _, _| true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    fn all(set: &PhraseSet, text: &str) -> Vec<(u32, usize, usize)> {
        let mut v = Vec::new();
        set.find_each(&chars(text), |p, s, e| {
            v.push((p, s, e));
            false
        });
        v
    }

    /// Every occurrence of every phrase, by brute force.
    fn naive(phrases: &[&str], text: &str) -> Vec<(u32, usize, usize)> {
        let text = chars(text);
        let mut v = Vec::new();
        for s in 0..text.len() {
            let mut found: Vec<(u32, usize, usize)> = Vec::new();
            for (id, p) in phrases.iter().enumerate() {
                let first = phrases.iter().position(|q| q == p).unwrap();
                let p = chars(p);
                if !p.is_empty() && first == id && text[s..].starts_with(&p) {
                    found.push((id as u32, s, s + p.len()));
                }
            }
            found.sort_by_key(|&(_, _, e)| e);
            v.extend(found);
        }
        v
    }

    #[test]
    fn overlapping_occurrences_are_all_found() {
        let phrases = ["上门", "上门催收", "门催", "催收", "sb", "🔪", "刀🔪", "", "催收"];
        let set = PhraseSet::new(&phrases);
        for text in ["我们上门催收", "上上门门催收收", "usb 🔪刀🔪", "", "没有", "催收催收"]
        {
            assert_eq!(all(&set, text), naive(&phrases, text), "{text}");
        }
        assert!(set.is_match(&chars("明天上门")) && !set.is_match(&chars("明天上班")));
        assert_eq!(set.len(), phrases.len());
    }

    #[test]
    fn stops_when_asked() {
        let set = PhraseSet::new(&["a", "b"]);
        let mut seen = 0;
        assert!(set.find_each(&chars("aab"), |_, _, _| {
            seen += 1;
            seen == 2
        }));
        assert_eq!(seen, 2);
        assert!(!PhraseSet::new::<&str>(&[]).is_match(&chars("abc")));
    }
}
