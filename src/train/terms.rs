//! The training set's terms: each message's feature keys, and every distinct key interned
//! once as an id with its presence counts per label.

use crate::context;
use crate::cues::Lexicon;
use crate::label::Label;
use crate::normalize::normalize;
use crate::tokenize::Tokenizer;

/// The feature keys of a message, in order, as the classifier would look them up: words,
/// bigrams, then the context features of its cues.
#[cfg(any(test, feature = "testing"))]
pub(crate) fn term_keys(tokenizer: &Tokenizer, lexicon: &Lexicon, text: &str) -> Vec<String> {
    let keys = Keys::of(tokenizer, lexicon, text);
    keys.iter().map(|(k, _)| k.to_string()).collect()
}

/// A message's feature keys in one string (one allocation a message, not one a term),
/// each with its 128-bit fingerprint, computed beside the tokenizing so that interning,
/// which is serial, costs one probe and no string comparison. Distinct keys share a
/// fingerprint with odds of about n² / 2¹²⁹: for a million keys, 10⁻²⁷.
pub(super) struct Keys {
    text: String,
    ends: Vec<u32>,
    hashes: Vec<u128>,
}

impl Keys {
    pub(super) fn of(tokenizer: &Tokenizer, lexicon: &Lexicon, text: &str) -> Self {
        let norm = normalize(text);
        let mut k =
            Keys { text: String::with_capacity(8 * text.len()), ends: Vec::new(), hashes: Vec::new() };
        let close = |k: &mut Keys| {
            let start = k.ends.last().copied().unwrap_or(0) as usize;
            k.hashes.push(xxhash_rust::xxh3::xxh3_128(&k.text.as_bytes()[start..]));
            k.ends.push(k.text.len() as u32);
        };
        tokenizer.terms(&norm, |t, _| {
            t.push_key(&mut k.text);
            close(&mut k);
        });
        let cues = lexicon.find(text, &norm);
        context::features(text, &norm, &cues, |i| {
            k.text.push_str(context::KEYS[i]);
            close(&mut k);
        });
        k
    }

    fn iter(&self) -> impl Iterator<Item = (&str, u128)> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts.zip(&self.ends).zip(&self.hashes).map(|((a, &b), &h)| (&self.text[a as usize..b as usize], h))
    }
}

/// Every distinct key once, in order of first appearance, with its presence count per
/// label; each message as the ids of its keys. The caller drops a chunk's [`Keys`] once
/// they are added, so memory grows with the distinct terms, not with every term of every
/// message.
pub(super) struct Interner {
    ids: hashbrown::HashTable<(u128, u32)>,
    /// The keys, by id.
    pub(super) terms: Vec<Box<str>>,
    /// Messages with each key, per label, by id.
    pub(super) counts: Vec<[u32; 3]>,
    /// Each message's key ids, in order.
    pub(super) docs: Vec<Vec<u32>>,
    seen: Vec<u32>,
}

impl Interner {
    pub(super) fn with_capacity(messages: usize) -> Self {
        Interner {
            ids: hashbrown::HashTable::new(),
            terms: Vec::new(),
            counts: Vec::new(),
            docs: Vec::with_capacity(messages),
            seen: Vec::new(),
        }
    }

    pub(super) fn add(&mut self, doc: &Keys, label: Label) {
        let Interner { ids, terms, counts, docs, seen } = self;
        let row: Vec<u32> = doc
            .iter()
            .map(|(k, h)| match ids.find(h as u64, |&(f, _)| f == h) {
                Some(&(_, id)) => id,
                None => {
                    let id = terms.len() as u32;
                    terms.push(k.into());
                    counts.push([0; 3]);
                    ids.insert_unique(h as u64, (h, id), |&(f, _)| f as u64);
                    id
                }
            })
            .collect();
        seen.clear();
        seen.extend_from_slice(&row);
        seen.sort_unstable();
        seen.dedup();
        for &t in seen.iter() {
            counts[t as usize][label.index()] += 1;
        }
        docs.push(row);
    }
}
