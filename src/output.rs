//! Printing verdicts: the JSON Lines record (a stable, documented schema), CSV fields and
//! the human-readable text line.

use crate::cues::CueMatch;
use crate::label::Label;
use crate::verdict::{DecidedBy, Verdict};
use serde::Serialize;
use std::io::{self, Write};

/// Probabilities by label name.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ScoreMap {
    pub compliant: f64,
    pub threatening: f64,
    pub harassing: f64,
}

impl ScoreMap {
    pub fn new(s: [f64; 3]) -> Self {
        ScoreMap { compliant: round6(s[0]), threatening: round6(s[1]), harassing: round6(s[2]) }
    }
}

pub fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// One JSON Lines record: one per input line (or per file with `--whole-file`).
#[derive(Debug, Clone, Serialize)]
pub struct Record<'a> {
    /// The input's name (`-` for standard input).
    pub file: &'a str,
    /// 1-based line number in that input (1 with `--whole-file`).
    pub line: u64,
    pub text: &'a str,
    /// True when the line is empty or blank; it is then compliant by definition.
    pub empty: bool,
    pub label: Label,
    pub confidence: f64,
    pub scores: ScoreMap,
    pub decided_by: DecidedBy,
    pub matches: &'a [CueMatch],
}

impl<'a> Record<'a> {
    pub fn new(file: &'a str, line: u64, text: &'a str, v: &'a Verdict) -> Self {
        Record {
            file,
            line,
            text,
            empty: v.decided_by == DecidedBy::Empty,
            label: v.label,
            confidence: round6(v.confidence),
            scores: ScoreMap::new(v.scores),
            decided_by: v.decided_by,
            matches: &v.matches,
        }
    }

    pub fn write(&self, w: &mut impl Write) -> io::Result<()> {
        serde_json::to_writer(&mut *w, self)?;
        w.write_all(b"\n")
    }
}

/// Cues as one CSV field: `T5:抓你坐牢@3-7; H1:废物@9-11` (character spans, end exclusive).
pub fn cues_field(matches: &[CueMatch]) -> String {
    matches
        .iter()
        .map(|m| format!("{}:{}@{}-{}", m.code, m.span.text, m.span.start, m.span.end))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Header of the columns a verdict adds to a CSV row.
pub const VERDICT_COLUMNS: [&str; 6] =
    ["label", "confidence", "p_compliant", "p_threatening", "p_harassing", "cues"];

/// The verdict's CSV fields, in [`VERDICT_COLUMNS`] order.
pub fn verdict_fields(v: &Verdict) -> [String; 6] {
    [
        v.label.to_string(),
        format!("{:.4}", v.confidence),
        format!("{:.4}", v.scores[0]),
        format!("{:.4}", v.scores[1]),
        format!("{:.4}", v.scores[2]),
        cues_field(&v.matches),
    ]
}

const RESET: &str = "\x1b[0m";

fn label_color(l: Label) -> &'static str {
    match l {
        Label::Compliant => "\x1b[32m",
        Label::Threatening => "\x1b[1;31m",
        Label::Harassing => "\x1b[1;33m",
    }
}

/// `label  confidence  message  [code text, ...]`; with colour, the label is coloured and
/// the cues are highlighted inside the message.
pub fn write_text(w: &mut impl Write, text: &str, v: &Verdict, color: bool) -> io::Result<()> {
    if color {
        write!(w, "{}{:<11}{RESET} {:.2}  ", label_color(v.label), v.label.as_str(), v.confidence)?;
        let mut at = 0;
        let mut spans: Vec<(usize, usize, Label)> =
            v.matches.iter().map(|m| (m.span.byte_start, m.span.byte_end, m.label)).collect();
        spans.sort();
        for (s, e, l) in spans {
            if s < at {
                continue;
            }
            write!(w, "{}\x1b[4m{}{RESET}{}", &text[at..s], label_color(l), &text[s..e])?;
            at = e;
        }
        w.write_all(&text.as_bytes()[at..])?;
    } else {
        write!(w, "{:<11} {:.2}  {}", v.label.as_str(), v.confidence, text)?;
    }
    if !v.matches.is_empty() {
        let cues: Vec<String> = v.matches.iter().map(|m| format!("{} {}", m.code, m.span.text)).collect();
        write!(w, "  [{}]", cues.join(", "))?;
    }
    w.write_all(b"\n")
}
