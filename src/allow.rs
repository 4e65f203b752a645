//! Allow lists: phrases that are never cues and that the model does not see (a team's
//! 废物回收站, its product names). A span of a message covered by an allow phrase, after
//! normalisation, so that disguises are covered too, gives no cue and no features.

use crate::cues::ascii_bounded;
use crate::normalize::{Normalized, Span, normalize};
use crate::phrases::PhraseSet;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Arc;

/// An error in an allow file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{file}:{line}: allow phrase {phrase:?} normalises to nothing: it has no letter, digit, Chinese character or emoji"
)]
pub struct AllowError {
    /// The file.
    pub file: String,
    /// Its 1-based line.
    pub line: usize,
    /// The phrase as written.
    pub phrase: String,
}

/// Every error found in the allow files.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
pub struct AllowErrors(pub Vec<AllowError>);

/// An allow phrase written twice (the repeat is ignored).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: allow phrase {phrase:?} repeats {first_file}:{first_line}; the repeat is ignored")]
pub struct AllowDuplicate {
    /// The file of the repeat.
    pub file: String,
    /// Its line.
    pub line: usize,
    /// The phrase as written there.
    pub phrase: String,
    /// Where it first appeared.
    pub first_file: String,
    /// Its line there.
    pub first_line: usize,
}

/// An allow phrase found in a message: the phrase as written in its file and the span of
/// the original text it covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Allowed {
    /// The phrase as written in the allow file.
    pub phrase: Arc<str>,
    /// Where it is in the original text.
    #[serde(flatten)]
    pub span: Span,
    /// The allow file.
    pub source: Arc<str>,
}

#[derive(Debug, Clone)]
struct Phrase {
    written: Arc<str>,
    source: Arc<str>,
    line: usize,
}

/// The allow phrases, compiled for search.
#[derive(Default)]
pub struct AllowList {
    phrases: Vec<Phrase>,
    set: Option<PhraseSet>,
}

/// Collects allow files into one [`AllowList`].
#[derive(Default)]
pub struct AllowBuilder {
    phrases: Vec<Phrase>,
    normalised: Vec<String>,
    index: HashMap<String, usize>,
    errors: Vec<AllowError>,
    duplicates: Vec<AllowDuplicate>,
}

impl AllowBuilder {
    /// No phrases yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds the phrases of `text`, read from `file`: one per line, `#` starts a comment
    /// line, blank lines are skipped. Bad lines are kept for [`AllowBuilder::build`].
    pub fn add(&mut self, file: &str, text: &str) -> &mut Self {
        let source: Arc<str> = Arc::from(file);
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        for (n, line) in text.lines().enumerate() {
            let phrase = line.trim();
            if phrase.is_empty() || phrase.starts_with('#') {
                continue;
            }
            let normalised = normalize(phrase).text;
            if !crate::tokenize::has_word_char(&normalised) {
                self.errors.push(AllowError {
                    file: file.to_string(),
                    line: n + 1,
                    phrase: phrase.to_string(),
                });
                continue;
            }
            if let Some(&i) = self.index.get(&normalised) {
                let first = &self.phrases[i];
                self.duplicates.push(AllowDuplicate {
                    file: file.to_string(),
                    line: n + 1,
                    phrase: phrase.to_string(),
                    first_file: first.source.to_string(),
                    first_line: first.line,
                });
                continue;
            }
            self.index.insert(normalised.clone(), self.phrases.len());
            self.normalised.push(normalised);
            self.phrases.push(Phrase { written: Arc::from(phrase), source: source.clone(), line: n + 1 });
        }
        self
    }

    /// The list ready for search, with the repeats that were ignored; or every bad line.
    pub fn build(self) -> Result<(AllowList, Vec<AllowDuplicate>), AllowErrors> {
        if !self.errors.is_empty() {
            return Err(AllowErrors(self.errors));
        }
        let set = (!self.normalised.is_empty()).then(|| PhraseSet::new(&self.normalised));
        Ok((AllowList { phrases: self.phrases, set }, self.duplicates))
    }
}

impl AllowList {
    /// No phrases.
    pub fn new() -> Self {
        Self::default()
    }

    /// A builder starting from no phrases.
    pub fn builder() -> AllowBuilder {
        AllowBuilder::new()
    }

    /// True when there are no phrases.
    pub fn is_empty(&self) -> bool {
        self.phrases.is_empty()
    }

    /// Number of phrases.
    pub fn len(&self) -> usize {
        self.phrases.len()
    }

    /// The phrases as written, with their file and line.
    pub fn phrases(&self) -> impl Iterator<Item = (&str, &str, usize)> {
        self.phrases.iter().map(|p| (&*p.written, &*p.source, p.line))
    }

    /// Every occurrence of an allow phrase in a normalised message: the normalised char
    /// range and what to report on the original. An ASCII phrase must not sit inside a
    /// longer ASCII word.
    pub(crate) fn find(&self, original: &str, norm: &Normalized) -> Vec<((usize, usize), Allowed)> {
        let Some(set) = &self.set else { return Vec::new() };
        let text = norm.chars();
        let mut out = Vec::new();
        set.find_each(text, |id, s, e| {
            if ascii_bounded(text, s, e) {
                let p = &self.phrases[id as usize];
                let allowed = Allowed {
                    phrase: p.written.clone(),
                    span: norm.span(original, s..e),
                    source: p.source.clone(),
                };
                out.push(((s, e), allowed));
            }
            false
        });
        out.sort_by_key(|&((s, e), _)| (s, std::cmp::Reverse(e)));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(text: &str) -> AllowList {
        let mut l = AllowList::builder();
        l.add("allow.txt", text);
        l.build().unwrap().0
    }

    #[test]
    fn phrases_cover_their_disguises() {
        let l = list("# a comment\n\n废物回收\n");
        let s = "小区廢物 回收站周六开放";
        let found = l.find(s, &normalize(s));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].1.span.text, "廢物 回收");
        assert_eq!((&*found[0].1.phrase, &*found[0].1.source), ("废物回收", "allow.txt"));
        assert!(l.find("你就是个废物", &normalize("你就是个废物")).is_empty());
    }

    #[test]
    fn bad_and_repeated_lines_are_reported() {
        let mut l = AllowList::builder();
        l.add("a.txt", "废物回收\n，，\n廢物回收\n");
        let errors = l.build().err().unwrap();
        assert_eq!(errors.0[0].line, 2);
        let mut l = AllowList::builder();
        l.add("a.txt", "废物回收\n廢物回收\n");
        let (l, dups) = l.build().unwrap();
        assert_eq!((l.len(), dups[0].line, dups[0].first_line), (1, 2, 1));
    }
}
