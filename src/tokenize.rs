//! Tokenizer: jieba-rs words (with the domain dictionary) plus Han character bigrams.
//!
//! Each term comes out as a feature key (`w:` word, `b:` bigram) and the character range
//! of the normalised text it covers, so evidence can be mapped back to the original.

use crate::negation::{NEGATORS, is_clause_end};
use crate::normalize::{Normalized, is_han};
use crate::packed::{PackedTable, pack_word};
use jieba_rs::Jieba;
use std::ops::Range;

/// Domain words jieba's default dictionary splits badly (逾期, 催收, 通讯录, 老赖, ...).
pub(crate) const USER_DICT: &str = include_str!("../data/userdict.txt");

/// jieba with the domain dictionary, negation scope and Han bigrams.
pub struct Tokenizer {
    jieba: Jieba,
    /// [`NEGATORS`] (true) and [`SCOPE_ENDS`] (false), by packed word.
    scope_words: PackedTable<u64, Option<bool>>,
}

/// One term of a message: a word (digits folded), keyed `w:…` or, inside a negation's
/// scope, `n:…`; or a Han bigram, keyed `b:` and the two characters. Terms carry their
/// parts, not the key, so lookups need no string building; a word of up to three
/// characters also carries them packed (`pack_word`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Term<'a> {
    /// A word.
    Word {
        /// The word, digits folded.
        word: &'a str,
        /// Inside a negation's scope.
        negated: bool,
        /// The word packed, if it has at most three characters.
        packed: Option<u64>,
    },
    /// A Han character bigram.
    Bigram(char, char),
    /// Three Han characters, keyed `t:`.
    Trigram(char, char, char),
}

impl<'a> Term<'a> {
    /// A word term (its short form packed).
    pub fn word(word: &'a str, negated: bool) -> Self {
        Term::Word { word, negated, packed: pack_word(word) }
    }

    /// The feature key as stored in a model file.
    pub fn key(&self) -> String {
        let mut key = String::new();
        self.push_key(&mut key);
        key
    }

    /// Appends the feature key to `out`.
    pub fn push_key(&self, out: &mut String) {
        match self {
            Term::Word { word, negated, .. } => {
                out.push_str(if *negated { "n:" } else { "w:" });
                out.push_str(word);
            }
            Term::Bigram(a, b) => {
                out.push_str("b:");
                out.extend([a, b]);
            }
            Term::Trigram(a, b, c) => {
                out.push_str("t:");
                out.extend([a, b, c]);
            }
        }
    }
}

impl Tokenizer {
    /// jieba's default dictionary plus the embedded domain dictionary.
    pub fn new() -> Self {
        let mut jieba = Jieba::new();
        for line in USER_DICT.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut parts = line.split_whitespace();
            let word = parts.next().unwrap_or_default();
            let freq = parts.next().and_then(|f| f.parse().ok());
            jieba.add_word(word, freq, None);
        }
        let scope: Vec<(u64, Option<bool>)> = NEGATORS
            .iter()
            .map(|w| (w, true))
            .chain(SCOPE_ENDS.iter().map(|w| (w, false)))
            .map(|(w, open)| (pack_word(w).expect("scope words are one to three characters"), Some(open)))
            .collect();
        Tokenizer { jieba, scope_words: PackedTable::with_room(&scope, None, 16) }
    }

    /// Calls `emit(term, chars)` for every term of a normalised message: first the
    /// words, then the bigrams. `chars` is a char range of the normalised text.
    pub fn terms(&self, norm: &Normalized, mut emit: impl FnMut(Term<'_>, Range<usize>)) {
        self.words(&norm.text, &mut emit);
        bigrams(norm.chars(), emit);
    }

    /// The word terms of `text`, in order.
    ///
    /// Words inside a negation's scope (after 不会, 禁止, 从不, ... up to the end of the
    /// clause or a turn like 但是/否则) are keyed `n:` instead of `w:`, so "我们不会联系您的
    /// 家人" does not look like "我们会联系你的家人".
    pub fn words(&self, text: &str, mut emit: impl FnMut(Term<'_>, Range<usize>)) {
        let mut folded = String::new();
        let mut negated = false;
        for token in self.jieba.cut(text, HMM) {
            let word = token.word;
            if !is_wordlike(word) {
                if word.chars().any(is_clause_end) {
                    negated = false;
                }
                continue;
            }
            let packed = pack_word(word);
            let scope = packed.and_then(|k| self.scope_words.get(k)).flatten();
            if scope == Some(false) {
                negated = false;
            }
            // A word of only three-byte characters (most of them: CJK) has no digits.
            let all_cjk = word.len() == 3 * (token.end - token.start);
            let term = if !all_cjk && word.bytes().any(|b| b.is_ascii_digit()) {
                folded.clear();
                fold_digits(word, &mut folded);
                Term::word(&folded, negated)
            } else {
                Term::Word { word, negated, packed }
            };
            emit(term, token.start..token.end);
            if scope == Some(true) {
                negated = true;
            }
        }
    }
}

/// The Han character bigrams (and trigrams, see [`TRIGRAMS`]) of `text`, in order (none
/// across anything else).
pub(crate) fn bigrams(text: &[char], mut emit: impl FnMut(Term<'_>, Range<usize>)) {
    let (mut prev, mut prev2): (Option<char>, Option<char>) = (None, None);
    for (i, &c) in text.iter().enumerate() {
        let han = is_han(c);
        if let (Some(p), true) = (prev, han) {
            emit(Term::Bigram(p, c), i - 1..i + 1);
            if TRIGRAMS && let Some(q) = prev2 {
                emit(Term::Trigram(q, p, c), i - 2..i + 1);
            }
        }
        prev2 = if han { prev } else { None };
        prev = han.then_some(c);
    }
}

/// Whether Han character trigrams are features beside the bigrams.
pub const TRIGRAMS: bool = true;

impl Default for Tokenizer {
    fn default() -> Self {
        Self::new()
    }
}

/// jieba's HMM guesses unknown words; the bigrams already cover them, and without it
/// segmentation is about a fifth faster.
pub(crate) const HMM: bool = false;

/// Whether a token is a word (has a letter, digit, Han character or emoji), not
/// punctuation or space.
#[inline(always)]
fn is_wordlike(word: &str) -> bool {
    // Nearly every token starts with a CJK ideograph (U+4E00..=U+9FFF: E4 B8.. to E9 ..)
    // or an ASCII letter or digit.
    match word.as_bytes() {
        [0xE5..=0xE9, ..] | [0xE4, 0xB8..=0xBF, ..] => true,
        [b, ..] if b.is_ascii_alphanumeric() => true,
        // One ASCII character that is not alphanumeric: punctuation or space.
        [_] => false,
        _ => has_word_char(word),
    }
}

#[inline(never)]
pub(crate) fn has_word_char(word: &str) -> bool {
    word.chars().any(|c| {
        let n = c as u32;
        if c.is_ascii() {
            c.is_ascii_alphanumeric()
        } else if (0x4E00..=0x9FFF).contains(&n) {
            true
        } else if crate::normalize::is_common_cjk_punct(c) {
            false
        } else {
            crate::normalize::is_han(c) || c.is_alphanumeric() || crate::normalize::is_emoji(c)
        }
    })
}

/// Words that close a negation scope early.
pub(crate) const SCOPE_ENDS: [&str; 9] = ["但", "但是", "可是", "否则", "不然", "如果", "要是", "就", "只是"];

#[cfg(test)]
fn is_negator(word: &str) -> bool {
    NEGATORS.contains(&word)
}

/// Replaces each run of ASCII digits with one `0`: amounts, dates and phone numbers
/// become shapes, not thousands of one-off features.
pub(crate) fn fold_digits(word: &str, out: &mut String) {
    if !word.bytes().any(|b| b.is_ascii_digit()) {
        out.push_str(word);
        return;
    }
    let mut in_digits = false;
    for c in word.chars() {
        if c.is_ascii_digit() {
            if !in_digits {
                out.push('0');
            }
            in_digits = true;
        } else {
            out.push(c);
            in_digits = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::normalize;

    #[test]
    fn digits_fold_to_shapes() {
        let mut s = String::new();
        fold_digits("3021.66元", &mut s);
        assert_eq!(s, "0.0元");
    }

    #[test]
    fn domain_words_stay_whole_and_bigrams_follow() {
        let t = Tokenizer::new();
        let mut keys = Vec::new();
        t.terms(&normalize("爆通讯录,逾期3天"), |k, r| keys.push((k.key(), r)));
        assert!(keys.iter().any(|(k, _)| k == "w:爆通讯录"), "{keys:?}");
        assert!(keys.iter().any(|(k, r)| k == "w:0" && *r == (7..8)), "{keys:?}");
        assert!(keys.iter().any(|(k, r)| k == "b:爆通" && *r == (0..2)));
        // Negation scope: words after 不会 up to the clause end are keyed n:.
        let mut neg = Vec::new();
        t.terms(&normalize("我们不会联系您的家人,但会联系你"), |k, _| neg.push(k.key()));
        assert!(neg.contains(&"n:联系".to_string()) && neg.contains(&"n:家人".to_string()), "{neg:?}");
        assert!(neg.contains(&"w:联系".to_string()), "scope ends at the clause: {neg:?}");
        // No bigram across punctuation or digits.
        assert!(!keys.iter().any(|(k, _)| k == "b:录逾"));
        assert!(!keys.iter().any(|(k, _)| k == "w:,"));
    }

    #[test]
    fn wordlike_shortcuts_agree_with_the_definition() {
        for c in ['，', '。', '、', '【', '】', '“', '”', '—', '〇', '々', '〰', '还', 'a', '9', ' ', '-']
        {
            let full = crate::normalize::is_han(c)
                || c.is_ascii_alphanumeric()
                || (!c.is_ascii() && (c.is_alphanumeric() || crate::normalize::is_emoji(c)));
            assert_eq!(is_wordlike(c.encode_utf8(&mut [0; 4])), full, "{c}");
        }
    }

    #[test]
    fn scope_words_open_and_close_by_table() {
        let t = Tokenizer::new();
        let scope = |w: &str| pack_word(w).and_then(|k| t.scope_words.get(k)).flatten();
        for w in NEGATORS {
            assert_eq!(scope(w), Some(true), "{w}");
        }
        for w in SCOPE_ENDS {
            assert_eq!(scope(w), Some(false), "{w}");
        }
        assert!(is_negator("绝不会") && !is_negator("会") && !is_negator(""));
        assert_eq!(scope("还钱"), None);
        assert_eq!(scope("会"), None);
    }
}
