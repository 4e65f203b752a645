//! Building a [`Lexicon`] from lexicon files: every line checked, patterns normalised,
//! repeats kept once.

use super::{
    BUILTIN, Cue, CueCode, Duplicate, LEXICON, Lexicon, LexiconError, LexiconErrors, LexiconProblem,
};
use crate::label::Label;
use std::collections::HashMap;
use std::sync::Arc;

/// Collects lexicon files into one [`Lexicon`]: patterns normalised as messages are (so a
/// pattern in traditional characters or full-width letters matches every disguise), every
/// bad line reported, repeats of a pattern with the same code kept once.
#[derive(Default)]
pub struct LexiconBuilder {
    cues: Vec<Cue>,
    errors: Vec<LexiconError>,
    duplicates: Vec<Duplicate>,
    seen: HashMap<(String, CueCode), usize>,
}

impl LexiconBuilder {
    /// No patterns yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds the embedded lexicon (source `builtin`).
    pub fn builtin(&mut self) -> &mut Self {
        self.add(BUILTIN, LEXICON)
    }

    /// Adds the `pattern<TAB>code<TAB>label<TAB>note` lines of `tsv`, read from `file`;
    /// `#` starts a comment line and a first line starting `pattern<TAB>` is a header.
    /// Bad lines are kept for [`LexiconBuilder::build`] to report.
    pub fn add(&mut self, file: &str, tsv: &str) -> &mut Self {
        let source: Arc<str> = Arc::from(file);
        let tsv = tsv.strip_prefix('\u{feff}').unwrap_or(tsv);
        for (n, line) in tsv.lines().enumerate() {
            let line = line.trim_end_matches('\r');
            if line.trim().is_empty() || line.starts_with('#') || (n == 0 && line.starts_with("pattern\t")) {
                continue;
            }
            match parse_line(line) {
                Ok((pattern, normalised, code, note)) => {
                    let mut parts = normalised.split('…');
                    let first = parts.next().unwrap_or_default().to_string();
                    let second = parts.next().map(str::to_string);
                    if let Some(&ci) = self.seen.get(&(normalised.clone(), code)) {
                        let first = &self.cues[ci];
                        self.duplicates.push(Duplicate {
                            file: file.to_string(),
                            line: n + 1,
                            pattern,
                            code,
                            first_file: first.source.to_string(),
                            first_line: first.line,
                        });
                        continue;
                    }
                    self.seen.insert((normalised.clone(), code), self.cues.len());
                    let source = source.clone();
                    self.cues.push(Cue {
                        pattern,
                        normalised,
                        code,
                        note,
                        source,
                        line: n + 1,
                        first,
                        second,
                    });
                }
                Err(problem) => {
                    self.errors.push(LexiconError { file: file.to_string(), line: n + 1, problem })
                }
            }
        }
        self
    }

    /// The entries added so far, in order.
    pub fn cues(&self) -> &[Cue] {
        &self.cues
    }

    /// The repeats found so far (each ignored).
    pub fn duplicates(&self) -> &[Duplicate] {
        &self.duplicates
    }

    /// The lexicon, with the repeats that were ignored; or every bad line.
    pub fn build(self) -> Result<(Lexicon, Vec<Duplicate>), LexiconErrors> {
        if !self.errors.is_empty() {
            return Err(LexiconErrors(self.errors));
        }
        Ok((Lexicon::compile(self.cues), self.duplicates))
    }
}

/// One lexicon line: the pattern as written and normalised, its code and note.
fn parse_line(line: &str) -> Result<(String, String, CueCode, String), LexiconProblem> {
    let cols: Vec<&str> = line.split('\t').collect();
    if cols.len() < 3 {
        return Err(LexiconProblem::Columns);
    }
    let code: CueCode = cols[1].parse().map_err(LexiconProblem::Code)?;
    let label: Label = cols[2].parse().map_err(LexiconProblem::Label)?;
    if label != code.label() {
        return Err(LexiconProblem::WrongLabel { code, label });
    }
    let pattern = cols[0].trim().to_string();
    if pattern.is_empty() {
        return Err(LexiconProblem::Empty);
    }
    let parts: Vec<&str> = pattern.split('…').collect();
    if parts.len() > 2 || parts.iter().any(|p| p.trim().is_empty()) {
        return Err(LexiconProblem::Gap(pattern));
    }
    let mut normalised = Vec::with_capacity(2);
    for part in parts {
        let n = crate::normalize::normalize(part).text;
        if !crate::tokenize::has_word_char(&n) {
            return Err(LexiconProblem::NormalisesToNothing(pattern));
        }
        normalised.push(n);
    }
    let note = cols.get(3).unwrap_or(&"").to_string();
    Ok((pattern, normalised.join("…"), code, note))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::normalize;

    fn codes(r: &super::super::CueReport) -> Vec<&str> {
        r.matches.iter().map(|m| m.code.as_str()).collect()
    }

    #[test]
    fn every_bad_line_is_reported_with_file_and_line() {
        let mut b = LexiconBuilder::new();
        b.add("my.tsv", "ok\tT1\tthreatening\nx\tT9\tthreatening\n\tT1\tthreatening\na…b…c\tT1\tthreatening\n，。\tH1\tharassing\nx\n");
        let errors = b.build().err().unwrap().0;
        let at: Vec<(usize, &LexiconProblem)> = errors.iter().map(|e| (e.line, &e.problem)).collect();
        assert_eq!(at.len(), 5);
        assert!(matches!(at[0], (2, LexiconProblem::Code(_))));
        assert!(matches!(at[1], (3, LexiconProblem::Empty)));
        assert!(matches!(at[2], (4, LexiconProblem::Gap(_))));
        assert!(matches!(at[3], (5, LexiconProblem::NormalisesToNothing(_))));
        assert!(matches!(at[4], (6, LexiconProblem::Columns)));
        assert!(errors[0].to_string().starts_with("my.tsv:2: "));
    }

    #[test]
    fn user_patterns_are_normalised_and_repeats_kept_once() {
        let mut b = LexiconBuilder::new();
        b.add(
            "a.tsv",
            "給你寄花圈\tT1\tthreatening\t\n给你寄花圈\tT1\tthreatening\t\n给你寄花圈\tT5\tthreatening\t\n",
        );
        let (l, dups) = b.build().unwrap();
        assert_eq!(l.cues().len(), 2);
        assert_eq!(l.cues()[0].normalised, "给你寄花圈");
        assert_eq!((dups[0].line, dups[0].first_line), (2, 1));
        let s = "明天給 你 寄 花 圈";
        let r = l.find(s, &normalize(s));
        assert_eq!(codes(&r), vec!["T1", "T5"]);
        assert_eq!((&*r.matches[0].source, r.matches[0].pattern.as_str()), ("a.tsv", "給你寄花圈"));
        assert_eq!(r.matches[0].span.text, "給 你 寄 花 圈");
    }
}
