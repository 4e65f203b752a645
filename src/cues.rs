//! The cue lexicon: phrases that signal a violation, matched on normalised text and
//! reported on the original, with guards for negation and description.

use crate::label::{Label, LabelError};
use crate::negation::{NEGATORS, is_clause_end, is_sentence_end};
use crate::normalize::{Normalized, Span};
use crate::phrases::PhraseSet;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Arc;

mod builder;
pub mod check;
mod codes;

pub use builder::LexiconBuilder;

pub use codes::{CodeSet, CueCode, CueCodeError};

/// The lexicon compiled into the binary.
pub const LEXICON: &str = include_str!("../data/cues.tsv");

/// Most characters a gap pattern `A…B` allows between its parts.
pub const MAX_GAP: usize = 8;
/// How far back (in characters, within the clause) a negation suppresses a cue.
pub const NEGATION_WINDOW: usize = 6;

/// Words that mark a sentence as describing, reporting or forbidding violations rather
/// than committing one ("如受到威胁请投诉", news about violent collection, rules).
pub(crate) const DESCRIBERS: &[&str] = &[
    "如遇",
    "如果遇到",
    "如受到",
    "如您受到",
    "如果您受到",
    "若遇",
    "若受到",
    "遭遇",
    "遭到",
    "请投诉",
    "可投诉",
    "投诉电话",
    "进行投诉",
    "举报",
    "请报警",
    "立即报警",
    "及时报警",
    "可报警",
    "请立即报警",
    "据报道",
    "据了解",
    "据悉",
    "记者",
    "警方通报",
    "警方提醒",
    "犯罪嫌疑人",
    "嫌疑人",
    "被告人",
    "团伙",
    "涉嫌",
    "判处",
    "打掉",
    "抓获",
    "严惩",
    "行业",
    "公约",
    "条例",
    "监管部门",
    "暴力催收",
    "非法催收",
    "违规催收",
    "软暴力",
    "谨防",
    "防范",
    "冒充",
    "假冒",
    "不得",
    "严禁",
    "禁止",
    "不准",
    "杜绝",
    "从未授权",
    "催收非法债务罪",
    "受害者",
    "受害人",
    "新闻报道",
    "报道称",
    "发帖",
    "网友",
    "平台回应",
    "报备",
    "遭催收",
];

/// What is wrong with one lexicon line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LexiconProblem {
    /// Fewer than three tab-separated columns.
    #[error("expected pattern, code, label and note separated by tabs")]
    Columns,
    /// The code column is not a cue code.
    #[error("{0}")]
    Code(CueCodeError),
    /// The label column is not a label.
    #[error("{0}")]
    Label(LabelError),
    /// The label is not the code's label.
    #[error("code {code} is {} not {label}", code.label())]
    WrongLabel {
        /// The code given.
        code: CueCode,
        /// The label given.
        label: Label,
    },
    /// An empty pattern.
    #[error("empty pattern")]
    Empty,
    /// An empty part around `…`, or more than one `…`.
    #[error("bad gap pattern {0:?}: write first…second, one … with text on both sides")]
    Gap(String),
    /// A pattern (or one part of it) that normalises to nothing: no letter, digit or
    /// Chinese character, only spaces, punctuation or separators.
    #[error("pattern {0:?} normalises to nothing: it has no letter, digit, Chinese character or emoji")]
    NormalisesToNothing(String),
}

/// An error in a lexicon file: the file, its 1-based line and the problem.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {problem}")]
pub struct LexiconError {
    /// The file (`builtin` for the embedded lexicon).
    pub file: String,
    /// The line.
    pub line: usize,
    /// What is wrong.
    pub problem: LexiconProblem,
}

/// Every error found in the lexicon files, one per line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
pub struct LexiconErrors(pub Vec<LexiconError>);

/// A line that is accepted but probably not what was meant.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {pattern} ({code}) repeats {first_file}:{first_line}; the repeat is ignored")]
pub struct Duplicate {
    /// The file of the repeat.
    pub file: String,
    /// Its line.
    pub line: usize,
    /// The pattern as written there.
    pub pattern: String,
    /// Its code.
    pub code: CueCode,
    /// Where the pattern first appeared.
    pub first_file: String,
    /// Its line there.
    pub first_line: usize,
}

/// One lexicon entry: a literal, or `first…second` with at most [`MAX_GAP`] characters between.
#[derive(Debug, Clone)]
pub struct Cue {
    /// The pattern as written in its file (`A…B` for a gap).
    pub pattern: String,
    /// The pattern as matched: each part normalised.
    pub normalised: String,
    /// Its category.
    pub code: CueCode,
    /// The lexicon's note on the entry.
    pub note: String,
    /// The file it came from (`builtin` for the embedded lexicon).
    pub source: Arc<str>,
    /// Its 1-based line there.
    pub line: usize,
    first: String,
    second: Option<String>,
}

impl Cue {
    /// True for a gap pattern `A…B`.
    pub fn is_gap(&self) -> bool {
        self.second.is_some()
    }
}

/// A cue found in a message. Spans point into the original text: `start..end` in
/// characters, `byte_start..byte_end` in bytes, end exclusive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CueMatch {
    /// The cue's category.
    pub code: CueCode,
    /// The label the category belongs to.
    pub label: Label,
    /// The lexicon pattern that matched.
    pub pattern: String,
    #[serde(flatten)]
    /// Where it matched in the original text.
    pub span: Span,
    /// The lexicon file the pattern came from (`builtin` for the embedded lexicon).
    pub source: Arc<str>,
}

/// Why a cue that matched does not count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Guard {
    /// A negation before the cue (不会联系您的家人).
    Negation,
    /// The cue is described, not made (如受到威胁请投诉, news, rules).
    Description,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
/// The cues found in one message.
pub struct CueReport {
    /// Cues that count, in order of position.
    pub matches: Vec<CueMatch>,
    /// Cues that matched but were guarded, with the guard.
    pub suppressed: Vec<(CueMatch, Guard)>,
    /// Every match by normalised char range, with the guard that set it aside if any.
    pub found: Vec<(CueCode, usize, usize, Option<Guard>)>,
}

/// Distinct phrases and, for each, the cues that have it as a part.
struct PhraseParts {
    set: PhraseSet,
    cues: Vec<Vec<usize>>,
}

impl PhraseParts {
    fn new<'a>(parts: impl Iterator<Item = (&'a str, usize)>) -> Self {
        let mut ids: HashMap<&str, usize> = HashMap::new();
        let (mut phrases, mut cues): (Vec<&str>, Vec<Vec<usize>>) = (Vec::new(), Vec::new());
        for (phrase, ci) in parts {
            let id = *ids.entry(phrase).or_insert_with(|| {
                phrases.push(phrase);
                cues.push(Vec::new());
                phrases.len() - 1
            });
            cues[id].push(ci);
        }
        PhraseParts { set: PhraseSet::new(&phrases), cues }
    }

    /// Pushes `(cue, start, end)` for every ASCII-bounded occurrence of a part that
    /// starts within `starts`.
    fn find(&self, text: &[char], starts: std::ops::Range<usize>, out: &mut Vec<(usize, usize, usize)>) {
        self.set.find_each_from(text, starts, |phrase, s, e| {
            if ascii_bounded(text, s, e) {
                out.extend(self.cues[phrase as usize].iter().map(|&ci| (ci, s, e)));
            }
            false
        });
    }
}

/// Phrase hits of one message, reused from message to message on each thread.
#[derive(Default)]
struct Found {
    /// First parts and second parts of cues: (cue, start, end), char indices.
    firsts: Vec<(usize, usize, usize)>,
    seconds: Vec<(usize, usize, usize)>,
    /// Where second parts may start: char ranges.
    windows: Vec<(usize, usize)>,
    /// Whole cues: (start, end, cue).
    candidates: Vec<(usize, usize, usize)>,
}

/// Hits past which a thread's [`Found`] buffers are dropped after use.
const FOUND_BUDGET: usize = 1 << 14;

thread_local! {
    static FOUND: std::cell::RefCell<Found> = std::cell::RefCell::default();
}

/// The cue lexicon, compiled for search.
pub struct Lexicon {
    cues: Vec<Cue>,
    /// Every cue's first part (a literal's whole pattern).
    firsts: PhraseParts,
    /// The second parts of `A…B` patterns, searched only after a first part that needs
    /// one: they include single common characters (还, 打, 欠) that would otherwise be
    /// found in most messages.
    seconds: PhraseParts,
    negators: PhraseSet,
    describers: PhraseSet,
}

impl Lexicon {
    /// The lexicon compiled into the binary.
    pub fn embedded() -> Self {
        Self::parse(LEXICON).expect("embedded lexicon is checked by tests")
    }

    /// Parses one lexicon file's text as the built-in lexicon: see [`LexiconBuilder::add`].
    pub fn parse(tsv: &str) -> Result<Self, LexiconErrors> {
        let mut builder = LexiconBuilder::new();
        builder.add(BUILTIN, tsv);
        builder.build().map(|(lexicon, _)| lexicon)
    }

    /// A builder starting from no patterns.
    pub fn builder() -> LexiconBuilder {
        LexiconBuilder::new()
    }

    fn compile(cues: Vec<Cue>) -> Self {
        let firsts = PhraseParts::new(cues.iter().enumerate().map(|(ci, c)| (c.first.as_str(), ci)));
        let seconds =
            PhraseParts::new(cues.iter().enumerate().filter_map(|(ci, c)| Some((c.second.as_deref()?, ci))));
        Lexicon {
            cues,
            firsts,
            seconds,
            negators: PhraseSet::new(&NEGATORS),
            describers: PhraseSet::new(DESCRIBERS),
        }
    }

    /// Every entry, in lexicon order.
    pub fn cues(&self) -> &[Cue] {
        &self.cues
    }

    /// Finds the cues in a normalised message and maps them back onto `original`.
    pub fn find(&self, original: &str, norm: &Normalized) -> CueReport {
        FOUND.with_borrow_mut(|found| {
            let report = self.find_with(original, norm, found);
            // One message with thousands of hits does not keep its buffers.
            if found.firsts.capacity() + found.seconds.capacity() > FOUND_BUDGET {
                *found = Found::default();
            }
            report
        })
    }

    fn find_with(&self, original: &str, norm: &Normalized, found: &mut Found) -> CueReport {
        let text = norm.chars();
        let Found { firsts, seconds, windows, candidates } = found;
        firsts.clear();
        seconds.clear();
        windows.clear();
        candidates.clear();
        self.firsts.find(text, 0..text.len(), firsts);
        let mut report = CueReport::default();
        if firsts.is_empty() {
            return report;
        }
        // A second part counts only if it starts at most MAX_GAP characters after a first
        // part that needs one: only those windows are searched.
        windows.extend(
            firsts
                .iter()
                .filter(|&&(ci, _, _)| self.cues[ci].second.is_some())
                .map(|&(_, _, e)| (e, e + MAX_GAP + 1)),
        );
        windows.sort_unstable();
        let mut searched = 0;
        for &(from, to) in windows.iter() {
            let from = from.max(searched);
            if from < to {
                self.seconds.find(text, from..to, seconds);
                searched = to;
            }
        }
        for &(ci, s, e) in firsts.iter() {
            if self.cues[ci].second.is_none() {
                candidates.push((s, e, ci));
                continue;
            }
            let best = seconds
                .iter()
                .filter(|&&(cj, s2, _)| cj == ci && s2 >= e && gap_ok(&text[e..s2]))
                .min_by_key(|&&(_, s2, _)| s2);
            if let Some(&(_, _, e2)) = best {
                candidates.push((s, e2, ci));
            }
        }
        // Leftmost-longest within each code; different codes may overlap.
        candidates.sort_by(|a, b| {
            (self.cues[a.2].code, a.0, std::cmp::Reverse(a.1), a.2).cmp(&(
                self.cues[b.2].code,
                b.0,
                std::cmp::Reverse(b.1),
                b.2,
            ))
        });
        let mut last: Option<(CueCode, usize)> = None;
        for &(s, e, ci) in candidates.iter() {
            let code = self.cues[ci].code;
            if last.is_some_and(|(lc, lend)| lc == code && s < lend) {
                continue;
            }
            last = Some((code, e));
            let cue = &self.cues[ci];
            // Exposure already done is disclosure (H3), not a threat of it (T3).
            let code = if code == CueCode::T3 && already_done(text, s, e) { CueCode::H3 } else { code };
            let m = CueMatch {
                code,
                label: code.label(),
                pattern: cue.pattern.clone(),
                span: norm.span(original, s..e),
                source: cue.source.clone(),
            };
            let guard = self.guard(text, s, e);
            report.found.push((code, s, e, guard));
            match guard {
                Some(g) => report.suppressed.push((m, g)),
                None => report.matches.push(m),
            }
        }
        report.matches.sort_by_key(|m| (m.span.byte_start, m.span.byte_end, m.code));
        report.suppressed.sort_by_key(|(m, _)| (m.span.byte_start, m.span.byte_end, m.code));
        report
    }

    /// Negation just before the cue (chars `s..e`) in its clause, or a describing sentence.
    fn guard(&self, text: &[char], s: usize, e: usize) -> Option<Guard> {
        let clause_start = text[..s].iter().rposition(|&c| is_clause_end(c)).map_or(0, |i| i + 1);
        let window_start = s.saturating_sub(NEGATION_WINDOW).max(clause_start);
        if self.negators.is_match(&text[window_start..s]) {
            return Some(Guard::Negation);
        }
        let sent_start = text[..s].iter().rposition(|&c| is_sentence_end(c)).map_or(0, |i| i + 1);
        let sent_end = text[e..].iter().position(|&c| is_sentence_end(c)).map_or(text.len(), |i| e + i);
        if self.describers.is_match(&text[sent_start..sent_end]) {
            return Some(Guard::Description);
        }
        None
    }
}

/// The name of the embedded lexicon as a source.
pub const BUILTIN: &str = "builtin";

/// Words that put an act in the past ("已经发给你通讯录") or in the future ("明天都会知道").
const DONE_MARKERS: &[&str] = &["已经", "已", "早就", "刚刚", "刚才", "都发了"];
const FUTURE_MARKERS: &[&str] =
    &["会", "将", "要", "就", "准备", "马上", "明天", "今晚", "再不", "不还", "如果", "否则"];

/// Whether the clause holding chars `s..e` tells of the act as done: a past marker before
/// it, or 了 just after it, and no future marker before it in the clause.
fn already_done(text: &[char], s: usize, e: usize) -> bool {
    let clause_start = text[..s].iter().rposition(|&c| is_clause_end(c)).map_or(0, |i| i + 1);
    let before: String = text[clause_start..s].iter().collect();
    let after: String = text[e..(e + 2).min(text.len())].iter().collect();
    if FUTURE_MARKERS.iter().any(|m| before.contains(m)) {
        return false;
    }
    DONE_MARKERS.iter().any(|m| before.contains(m)) || after.contains('了')
}

/// An ASCII pattern (sb, nmsl) must not sit inside a longer ASCII word (usb).
pub(crate) fn ascii_bounded(text: &[char], s: usize, e: usize) -> bool {
    let word = |c: &char| c.is_ascii_alphanumeric();
    let glued_before = word(&text[s]) && s > 0 && word(&text[s - 1]);
    let glued_after = word(&text[e - 1]) && text.get(e).is_some_and(word);
    !glued_before && !glued_after
}

fn gap_ok(gap: &[char]) -> bool {
    gap.len() <= MAX_GAP && !gap.iter().any(|&c| is_sentence_end(c))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::normalize;

    #[test]
    fn exposure_already_done_is_disclosure() {
        let lex = Lexicon::embedded();
        let codes =
            |t: &str| -> Vec<CueCode> { lex.find(t, &normalize(t)).matches.iter().map(|m| m.code).collect() };
        assert_eq!(codes("已经给你通讯录里所有人都发了短信"), [CueCode::H3]);
        assert_eq!(codes("再不还就给你通讯录里所有人都发短信"), [CueCode::T3]);
        assert!(already_done(&"你同事已经通知了".chars().collect::<Vec<_>>(), 2, 6));
        assert!(!already_done(&"明天就通知你同事".chars().collect::<Vec<_>>(), 4, 8));
    }

    fn lex() -> Lexicon {
        Lexicon::parse(
            "pattern\tcode\tlabel\tnote\n弄死你\tT1\tthreatening\t\n上门…堵\tT6\tthreatening\tcontext\n废物\tH1\tharassing\t\n联系…家人\tT2\tthreatening\t\n",
        )
        .unwrap()
    }

    fn codes(r: &CueReport) -> Vec<&str> {
        r.matches.iter().map(|m| m.code.as_str()).collect()
    }

    #[test]
    fn literal_and_gap_patterns_match() {
        let l = lex();
        let s = "今晚上门把你堵在家里，废物";
        let r = l.find(s, &normalize(s));
        assert_eq!(codes(&r), vec!["T6", "H1"]);
        assert_eq!(r.matches[0].span.text, "上门把你堵");
    }

    #[test]
    fn second_parts_are_found_in_every_first_part_window() {
        let l = lex();
        // Overlapping windows from repeated first parts; only the last is close enough.
        let s = "上门，上门，上门把你堵了";
        let r = l.find(s, &normalize(s));
        assert_eq!(codes(&r), vec!["T6"]);
        assert_eq!(r.matches[0].span.text, "上门，上门，上门把你堵");
        // A second part before its first part does not count.
        let s = "堵在上门";
        assert!(l.find(s, &normalize(s)).matches.is_empty());
    }

    #[test]
    fn gap_too_wide_or_across_sentences_does_not_match() {
        let l = lex();
        for s in ["上门拜访前我们会提前预约并出示证件绝不堵", "上门。堵"] {
            assert!(l.find(s, &normalize(s)).matches.is_empty(), "{s}");
        }
    }

    #[test]
    fn negation_suppresses_and_its_absence_does_not() {
        let l = lex();
        let s = "我们不会联系您的家人";
        let r = l.find(s, &normalize(s));
        assert!(r.matches.is_empty());
        assert_eq!(r.suppressed[0].1, Guard::Negation);
        let s = "我们会联系你的家人";
        assert_eq!(codes(&l.find(s, &normalize(s))), vec!["T2"]);
    }

    #[test]
    fn negation_stops_at_clause_boundary() {
        let l = lex();
        let s = "钱不会自己来，我弄死你";
        assert_eq!(codes(&l.find(s, &normalize(s))), vec!["T1"]);
    }

    #[test]
    fn description_suppresses_whole_sentence_only() {
        let l = lex();
        let s = "如遇催收人员说要弄死你，请投诉。";
        let r = l.find(s, &normalize(s));
        assert!(r.matches.is_empty());
        assert_eq!(r.suppressed[0].1, Guard::Description);
        let s = "如有疑问请投诉。今晚弄死你";
        assert_eq!(codes(&l.find(s, &normalize(s))), vec!["T1"]);
    }

    #[test]
    fn spans_point_at_original_disguised_text() {
        let l = lex();
        let s = "你這個廢 物";
        let r = l.find(s, &normalize(s));
        let m = &r.matches[0].span;
        assert_eq!(m.text, "廢 物");
        assert_eq!(&s[m.byte_start..m.byte_end], m.text);
        assert_eq!((m.start, m.end), (3, 6));
    }

    #[test]
    fn ascii_patterns_need_word_boundaries() {
        let l = Lexicon::parse("sb\tH1\tharassing\t\n").unwrap();
        assert!(l.find("usb接口", &normalize("usb接口")).matches.is_empty());
        assert_eq!(l.find("你个SB", &normalize("你个SB")).matches.len(), 1);
    }

    #[test]
    fn bad_lexicon_lines_rejected() {
        assert!(Lexicon::parse("x\tT9\tthreatening\n").is_err());
        assert!(Lexicon::parse("x\tT1\tharassing\n").is_err());
        assert!(Lexicon::parse("a…\tT1\tthreatening\n").is_err());
    }
}
