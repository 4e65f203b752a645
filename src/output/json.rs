//! The JSON Lines record (a stable, documented schema) and its hand-written encoder,
//! which writes the same bytes as serde_json would for the derived `Serialize`.

use crate::allow::Allowed;
use crate::cues::CueMatch;
use crate::label::Label;
use crate::normalize::Span;
use crate::units::Role;
use crate::verdict::{DecidedBy, UnitVerdict, Verdict};
use serde::Serialize;
use std::io::{self, Write};
/// Probabilities by label name.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ScoreMap {
    /// Probability of compliant.
    pub compliant: f64,
    /// Probability of threatening.
    pub threatening: f64,
    /// Probability of harassing.
    pub harassing: f64,
}

impl ScoreMap {
    /// The scores, rounded to six decimals.
    pub fn new(s: [f64; 3]) -> Self {
        ScoreMap { compliant: round6(s[0]), threatening: round6(s[1]), harassing: round6(s[2]) }
    }
}

/// `x` rounded to six decimals, half away from zero (as `f64::round`).
pub fn round6(x: f64) -> f64 {
    let y = x * 1e6;
    // f64::round is a library call on baseline x86-64; for 0 <= y < 2^52 (probabilities)
    // the whole part and the exact fraction give the same result inline.
    if (0.0..4.5e15).contains(&y) {
        let whole = y as u64 as f64;
        (if y - whole >= 0.5 { whole + 1.0 } else { whole }) / 1e6
    } else {
        y.round() / 1e6
    }
}

/// One JSON Lines record: one per input line (or per file with `--whole-file`).
#[derive(Debug, Clone, Serialize)]
pub struct Record<'a> {
    /// The input's name (`-` for standard input).
    pub file: &'a str,
    /// 1-based line number in that input (1 with `--whole-file`).
    pub line: u64,
    /// The line as read.
    pub text: &'a str,
    /// True when the line is empty or blank; it is then compliant by definition.
    pub empty: bool,
    /// The verdict.
    pub label: Label,
    /// The probability of `label`, rounded.
    pub confidence: f64,
    /// All probabilities, rounded.
    pub scores: ScoreMap,
    /// What decided the label.
    pub decided_by: DecidedBy,
    /// Cues that count.
    pub matches: &'a [CueMatch],
    /// Spans an allow phrase covered (only when there are some).
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub allowed: &'a [Allowed],
    /// The units the message was judged by (only for a message of several).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub units: Vec<UnitRecord<'a>>,
}

/// One unit of a message judged by units: its span, speaker, verdict and cues.
#[derive(Debug, Clone, Serialize)]
pub struct UnitRecord<'a> {
    /// The unit's text.
    pub text: &'a str,
    /// First character in the message.
    pub start: usize,
    /// End character (exclusive).
    pub end: usize,
    /// First byte.
    pub byte_start: usize,
    /// End byte (exclusive).
    pub byte_end: usize,
    /// The speaker label as written, or null.
    pub speaker: Option<&'a str>,
    /// `collector`, `customer` or `unknown`.
    pub role: Role,
    /// The unit's label.
    pub label: Label,
    /// The probability of its label, rounded.
    pub confidence: f64,
    /// Its probabilities, rounded.
    pub scores: ScoreMap,
    /// Its cues.
    pub matches: &'a [CueMatch],
    /// Whether this unit decided the message's label.
    pub deciding: bool,
}

impl<'a> UnitRecord<'a> {
    /// The record of unit `u`.
    pub fn new(u: &'a UnitVerdict) -> Self {
        UnitRecord {
            text: &u.span.text,
            start: u.span.start,
            end: u.span.end,
            byte_start: u.span.byte_start,
            byte_end: u.span.byte_end,
            speaker: u.speaker.as_deref(),
            role: u.role,
            label: u.label,
            confidence: round6(u.confidence),
            scores: ScoreMap::new(u.scores),
            matches: &u.matches,
            deciding: u.deciding,
        }
    }
}

impl<'a> Record<'a> {
    /// The record for verdict `v` on `text`, line `line` of `file`.
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
            allowed: &v.allowed,
            units: v.units.iter().map(UnitRecord::new).collect(),
        }
    }

    /// Writes the record as one JSON line.
    pub fn write(&self, w: &mut impl Write) -> io::Result<()> {
        let mut buf = Vec::with_capacity(256 + self.text.len());
        self.encode(&mut buf);
        w.write_all(&buf)
    }

    /// Appends the record as one JSON line (newline included) to `out`: the same bytes
    /// as serde_json gives for the derived `Serialize`, written directly, since encoding
    /// is a good part of the per-message cost.
    pub fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"file\":");
        json_str(out, self.file);
        out.extend_from_slice(b",\"line\":");
        out.extend_from_slice(itoa::Buffer::new().format(self.line).as_bytes());
        out.extend_from_slice(b",\"text\":");
        json_str(out, self.text);
        out.extend_from_slice(if self.empty { b",\"empty\":true" } else { b",\"empty\":false" });
        out.extend_from_slice(b",\"label\":\"");
        out.extend_from_slice(self.label.as_str().as_bytes());
        out.extend_from_slice(b"\",\"confidence\":");
        json_f64(out, self.confidence);
        out.extend_from_slice(b",\"scores\":{\"compliant\":");
        json_f64(out, self.scores.compliant);
        out.extend_from_slice(b",\"threatening\":");
        json_f64(out, self.scores.threatening);
        out.extend_from_slice(b",\"harassing\":");
        json_f64(out, self.scores.harassing);
        out.extend_from_slice(b"},\"decided_by\":\"");
        out.extend_from_slice(self.decided_by.as_str().as_bytes());
        out.extend_from_slice(b"\",\"matches\":[");
        for (i, m) in self.matches.iter().enumerate() {
            out.extend_from_slice(if i == 0 { b"{\"code\":\"" } else { b",{\"code\":\"" });
            out.extend_from_slice(m.code.as_str().as_bytes());
            out.extend_from_slice(b"\",\"label\":\"");
            out.extend_from_slice(m.label.as_str().as_bytes());
            out.extend_from_slice(b"\",\"pattern\":");
            json_str(out, &m.pattern);
            span_fields(out, &m.span);
            out.extend_from_slice(b",\"source\":");
            json_str(out, &m.source);
            out.push(b'}');
        }
        out.push(b']');
        if !self.allowed.is_empty() {
            out.extend_from_slice(b",\"allowed\":[");
            for (i, a) in self.allowed.iter().enumerate() {
                out.extend_from_slice(if i == 0 { b"{\"phrase\":" } else { b",{\"phrase\":" });
                json_str(out, &a.phrase);
                span_fields(out, &a.span);
                out.extend_from_slice(b",\"source\":");
                json_str(out, &a.source);
                out.push(b'}');
            }
            out.push(b']');
        }
        if !self.units.is_empty() {
            // Long messages only: serde_json's own bytes.
            out.extend_from_slice(b",\"units\":");
            serde_json::to_writer(&mut *out, &self.units).expect("writing to a Vec");
        }
        out.extend_from_slice(b"}\n");
    }
}

/// A span's fields as `Span` serialises them flattened: text, start, end, byte offsets.
fn span_fields(out: &mut Vec<u8>, span: &Span) {
    out.extend_from_slice(b",\"text\":");
    json_str(out, &span.text);
    let mut num = itoa::Buffer::new();
    for (key, n) in [
        (&b",\"start\":"[..], span.start),
        (b",\"end\":", span.end),
        (b",\"byte_start\":", span.byte_start),
        (b",\"byte_end\":", span.byte_end),
    ] {
        out.extend_from_slice(key);
        out.extend_from_slice(num.format(n).as_bytes());
    }
}

/// A JSON string, escaped as serde_json escapes it.
fn json_str(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    let bytes = s.as_bytes();
    // Checked 16 bytes at a time without early exit, which the compiler vectorises; the
    // tail is padded with spaces (which need no escape) to a whole chunk.
    let dirty = |c: &[u8; 16]| c.iter().fold(false, |acc, &b| acc | (b < 0x20) | (b == b'"') | (b == b'\\'));
    let chunks = bytes.chunks_exact(16);
    let mut tail = [b' '; 16];
    tail[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
    let clean = !dirty(&tail) && chunks.into_iter().all(|c| !dirty(c.try_into().expect("16 bytes")));
    if clean {
        out.extend_from_slice(bytes);
    } else {
        let mut from = 0;
        for (i, &b) in bytes.iter().enumerate() {
            let esc: &[u8] = match b {
                b'"' => b"\\\"",
                b'\\' => b"\\\\",
                b'\n' => b"\\n",
                b'\r' => b"\\r",
                b'\t' => b"\\t",
                0x08 => b"\\b",
                0x0C => b"\\f",
                0..0x20 => b"",
                _ => continue,
            };
            out.extend_from_slice(&bytes[from..i]);
            if esc.is_empty() {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(&[
                    b'\\',
                    b'u',
                    b'0',
                    b'0',
                    HEX[(b >> 4) as usize],
                    HEX[(b & 15) as usize],
                ]);
            } else {
                out.extend_from_slice(esc);
            }
            from = i + 1;
        }
        out.extend_from_slice(&bytes[from..]);
    }
    out.push(b'"');
}

/// A JSON number as serde_json writes an f64 (`null` if not finite).
fn json_f64(out: &mut Vec<u8>, x: f64) {
    if let Some(micros) = as_micros(x) {
        // A probability rounded to six decimals, written as its shortest digits (which
        // these are: a unit test checks every one against serde_json).
        match micros {
            0 => out.extend_from_slice(b"0.0"),
            1_000_000 => out.extend_from_slice(b"1.0"),
            _ => {
                let mut digits = *b"0.000000";
                let mut k = micros as usize;
                for at in [6, 4, 2] {
                    digits[at..at + 2].copy_from_slice(&PAIRS[2 * (k % 100)..2 * (k % 100) + 2]);
                    k /= 100;
                }
                let end = digits.iter().rposition(|&d| d != b'0').map_or(2, |i| i + 1);
                out.extend_from_slice(&digits[..end]);
            }
        }
    } else if x.is_finite() {
        serde_json::ser::Formatter::write_f64(&mut serde_json::ser::CompactFormatter, out, x)
            .expect("writing to a Vec cannot fail");
    } else {
        out.extend_from_slice(b"null");
    }
}

/// "00" to "99".
const PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
                            2021222324252627282930313233343536373839\
                            4041424344454647484950515253545556575859\
                            6061626364656667686970717273747576777879\
                            8081828384858687888990919293949596979899";

/// `x` as a count of millionths, when it is exactly one of the values [`round6`] gives in
/// 0.001..=1 (or 0): the range where serde_json writes plain decimals.
fn as_micros(x: f64) -> Option<u32> {
    if x.to_bits() == 0 {
        return Some(0);
    }
    let y = x * 1e6;
    // Truncating y + 0.5 rounds here: the check after it rejects anything else.
    let k = (y + 0.5) as u32;
    ((999.5..=1e6).contains(&y) && k as f64 / 1e6 == x).then_some(k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round6_rounds_half_away_from_zero_like_f64_round() {
        let mut x = 0.0f64;
        while x <= 1.0 {
            for y in [x, x + 5e-7, x + 4.999_999e-7, x - 5e-7] {
                assert_eq!(round6(y).to_bits(), ((y * 1e6).round() / 1e6).to_bits(), "{y}");
            }
            x += 0.000_123_7;
        }
        for y in [0.0, 1.0, 0.5e-6, 1.5e-6, 2.5e-6, 0.999_999_5, -0.25, 3e12, f64::NAN] {
            assert_eq!(round6(y).to_bits(), ((y * 1e6).round() / 1e6).to_bits(), "{y}");
        }
    }

    #[test]
    fn rounded_probabilities_print_as_serde_json_prints_them() {
        let serde = |x: f64| serde_json::to_string(&x).unwrap();
        let mut out = Vec::new();
        for k in 0..=1_000_000u32 {
            let x = round6(k as f64 / 1e6);
            out.clear();
            json_f64(&mut out, x);
            assert_eq!(std::str::from_utf8(&out).unwrap(), serde(x), "{k}");
        }
        for x in [1e-7, 0.0004, 0.999_999_5, 0.123_456_7, -0.5, 2.0, f64::MIN_POSITIVE, -0.0] {
            out.clear();
            json_f64(&mut out, x);
            assert_eq!(std::str::from_utf8(&out).unwrap(), serde(x), "{x}");
        }
    }
    use crate::cues::CueCode;
    use crate::normalize::Span;
    use proptest::prelude::*;

    fn verdict(matches: Vec<CueMatch>, scores: [f64; 3]) -> Verdict {
        crate::verdict::decide(scores, matches)
    }

    fn cue(pattern: &str, text: &str) -> CueMatch {
        CueMatch {
            code: CueCode::T5,
            label: Label::Threatening,
            pattern: pattern.to_string(),
            span: Span { text: text.to_string(), start: 3, end: 7, byte_start: 9, byte_end: 21 },
            source: "my \"lexicon\".tsv".into(),
        }
    }

    fn same_as_serde(file: &str, line: u64, text: &str, v: &Verdict) {
        let r = Record::new(file, line, text, v);
        let mut ours = Vec::new();
        r.encode(&mut ours);
        let theirs = serde_json::to_string(&r).unwrap() + "\n";
        assert_eq!(String::from_utf8(ours).unwrap(), theirs);
    }

    #[test]
    fn encoding_equals_serde_json() {
        let plain = verdict(vec![], [0.9, 0.05, 0.05]);
        same_as_serde("-", 1, "您好，请按时还款。", &plain);
        let cued = verdict(
            vec![cue("抓你坐牢", "抓 你 坐 牢"), cue("a\"b\\c", "\u{1}\u{1f}\t\n\r\u{8}\u{c}\u{7f}")],
            [0.4, 0.35, 0.25],
        );
        same_as_serde("dir/\"x\".txt", u64::MAX, "\"quoted\" \\ back\u{0}slash\u{2028}", &cued);
        same_as_serde("", 0, "", &crate::verdict::empty());
        let mut allowed = verdict(vec![cue("x", "y")], [0.9, 0.05, 0.05]);
        for phrase in ["废物回收", "a\"b"] {
            let span = Span { text: "廢物 回收".into(), start: 2, end: 7, byte_start: 6, byte_end: 19 };
            allowed.allowed.push(Allowed { phrase: phrase.into(), span, source: "allow.txt".into() });
        }
        same_as_serde("-", 3, "小区廢物 回收站", &allowed);
        let odd = verdict(vec![], [1.0 / 3.0, 1e-7, 1.0 - 1.0 / 3.0 - 1e-7]);
        same_as_serde("a", 7, &"长".repeat(40), &odd);
    }

    proptest! {
        #[test]
        fn any_text_encodes_as_serde_json(text in "\\PC*|[\\x00-\\x7f]{0,40}", p in 0.0f64..1.0, line in any::<u64>()) {
            let v = verdict(vec![cue(&text, &text)], [p, (1.0 - p) / 2.0, (1.0 - p) / 2.0]);
            same_as_serde(&text, line, &text, &v);
        }
    }
}
