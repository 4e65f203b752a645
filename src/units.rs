//! Units: a message longer than a few sentences (a call transcript, a letter, a multi-line
//! cell) split into speaker turns or sentences, each judged alone, so that one violating
//! sentence is not diluted by the rest of the text.

use regex::Regex;
use serde::Serialize;
use std::ops::Range;

/// Who speaks a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The collector (坐席, 催收员, 客服, 业务员, or a `--collector-speakers` name): counts.
    Collector,
    /// The customer or debtor (客户, 用户, 借款人, 债务人): scored and reported, but a
    /// debtor's words do not make a collector's call violating.
    Customer,
    /// No speaker label, or one not known: counts, as a collector's would.
    Unknown,
}

impl Role {
    /// The name used in output.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Collector => "collector",
            Role::Customer => "customer",
            Role::Unknown => "unknown",
        }
    }

    /// Whether the unit's label can make the message's.
    pub fn counts(self) -> bool {
        self != Role::Customer
    }
}

/// One unit: a byte range of the message and its speaker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    /// Where it is in the message (bytes); the speaker label is not part of it.
    pub bytes: Range<usize>,
    /// The speaker label as written (`坐席`, `A`), if the message has speaker turns.
    pub speaker: Option<String>,
    /// Where the speaker label (with its timestamp and colon) is, before the unit.
    pub label: Option<Range<usize>>,
    /// Who speaks.
    pub role: Role,
}

/// Errors in the unit options.
#[derive(Debug, thiserror::Error)]
pub enum UnitError {
    /// `--speaker-pattern` is not a regular expression.
    #[error("--speaker-pattern: {0}")]
    Pattern(#[from] regex::Error),
    /// `--speaker-pattern` has no `speaker` group.
    #[error("--speaker-pattern must have a named group (?P<speaker>...) for the speaker label")]
    NoSpeakerGroup,
    /// The threshold is not a probability.
    #[error("the unit threshold must be between 0 and 1, not {0}")]
    Threshold(f64),
}

/// How messages are split into units.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitOptions {
    /// Split at all (`false`: every message is one unit, as a whole).
    pub split: bool,
    /// A regular expression matched at the start of a line, with a named group `speaker`
    /// (default: [`SPEAKER_PATTERN`]).
    pub speaker_pattern: Option<String>,
    /// Speaker labels that are the collector; when given, every other speaker is the
    /// customer.
    pub collector_speakers: Vec<String>,
    /// Judge a long message without speaker turns sentence by sentence (off by default:
    /// a sentence judged out of its context is wrong too often; see README).
    pub sentences: bool,
    /// Fewest sentences for a message without speaker turns to be judged sentence by
    /// sentence; shorter ones are judged whole.
    pub min_sentences: usize,
    /// Fewest characters for a message without speaker turns to be judged sentence by
    /// sentence: below it, dilution is small and a sentence out of its context is the
    /// bigger risk.
    pub min_chars: usize,
    /// A counting speaker turn makes the message violating when the probability of its
    /// violating label reaches this.
    pub threshold: f64,
    /// The same for a sentence of a message without speaker turns: a sentence is judged
    /// out of its context, so it needs more.
    pub sentence_threshold: f64,
}

impl Default for UnitOptions {
    fn default() -> Self {
        UnitOptions {
            split: true,
            speaker_pattern: None,
            collector_speakers: Vec::new(),
            sentences: false,
            min_sentences: MIN_SENTENCES,
            min_chars: MIN_CHARS,
            threshold: THRESHOLD,
            sentence_threshold: SENTENCE_THRESHOLD,
        }
    }
}

/// Fewest sentences for sentence units (fewer: judged whole).
pub const MIN_SENTENCES: usize = 3;
/// Fewest characters for sentence units.
pub const MIN_CHARS: usize = 400;
/// The default threshold for speaker turns.
pub const THRESHOLD: f64 = 0.5;
/// The default threshold for sentences.
pub const SENTENCE_THRESHOLD: f64 = 0.9;

/// Speaker labels at the start of a line: an optional timestamp (`[00:01:23]`, `00:01`),
/// a known role word (with up to four more characters: 坐席A, 客服小王) or one letter, and a
/// colon.
pub const SPEAKER_PATTERN: &str = r"^[ \t\u{3000}]*(?:[\[【(（]?\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?[\]】)）]?[ \t\u{3000}]*)?(?P<speaker>(?:坐席|催收员|催收专员|催收|客服|业务员|工作人员|专员|调解员|客户|用户|借款人|债务人|欠款人|本人)[\p{Han}A-Za-z0-9]{0,4}|[A-Za-z]|[甲乙])[ \t\u{3000}]*[:：]";

/// Speaker labels inside a line (a whole call in one cell, turns joined by spaces): the
/// role words only, not single letters, and only after a space or a timestamp
/// ([`INLINE_BEFORE`]). The role words come first so that the search skips ahead to them.
const INLINE_SPEAKER: &str = r"(?P<speaker>(?:坐席|催收员|催收专员|催收|客服|业务员|工作人员|专员|调解员|客户|用户|借款人|债务人|欠款人)[A-Za-z0-9]{0,2})[ \t\u{3000}]*[:：]";

/// What must come just before an inline speaker label: a space, with an optional
/// timestamp between.
const INLINE_BEFORE: &str =
    r"[ \t\u{3000}](?P<ts>[\[【(（]?\d{1,2}:\d{2}(?::\d{2})?[\]】)）]?[ \t\u{3000}]*)?$";

const COLLECTORS: &[&str] =
    &["坐席", "催收员", "催收专员", "催收", "客服", "业务员", "工作人员", "专员", "调解员"];
const CUSTOMERS: &[&str] = &["客户", "用户", "借款人", "债务人", "欠款人", "本人"];

/// Splits messages into units.
#[derive(Debug, Clone)]
pub struct Splitter {
    speaker: Regex,
    inline: Option<(Regex, Regex)>,
    collectors: Vec<String>,
    sentences: bool,
    min_sentences: usize,
    min_chars: usize,
}

impl Splitter {
    /// A splitter for `options`.
    pub fn new(options: &UnitOptions) -> Result<Self, UnitError> {
        let speaker = Regex::new(options.speaker_pattern.as_deref().unwrap_or(SPEAKER_PATTERN))?;
        if !speaker.capture_names().any(|n| n == Some("speaker")) {
            return Err(UnitError::NoSpeakerGroup);
        }
        let inline = match options.speaker_pattern {
            None => Some((
                Regex::new(INLINE_SPEAKER).expect("valid pattern"),
                Regex::new(INLINE_BEFORE).expect("valid pattern"),
            )),
            Some(_) => None,
        };
        Ok(Splitter {
            speaker,
            inline,
            collectors: options.collector_speakers.clone(),
            sentences: options.sentences,
            min_sentences: options.min_sentences,
            min_chars: options.min_chars,
        })
    }

    fn role(&self, speaker: &str) -> Role {
        if !self.collectors.is_empty() {
            return if self.collectors.iter().any(|c| c == speaker) {
                Role::Collector
            } else {
                Role::Customer
            };
        }
        if COLLECTORS.iter().any(|c| speaker.starts_with(c)) {
            Role::Collector
        } else if CUSTOMERS.iter().any(|c| speaker.starts_with(c)) {
            Role::Customer
        } else {
            Role::Unknown
        }
    }

    /// The units of `text`, or `None` when it is judged whole: no speaker turns and fewer
    /// than the minimum of sentences.
    pub fn split(&self, text: &str) -> Option<Vec<Unit>> {
        // The default labels end with a colon; a pattern of the user's needs lines.
        let may_have_turns = if self.inline.is_some() { has_two_colons(text) } else { has_line_break(text) };
        let may_have_sentences =
            self.sentences && (has_line_break(text) || sentence_ends(text) >= self.min_sentences);
        if !may_have_turns && !may_have_sentences {
            return None;
        }
        if let Some(turns) = self.turns(text) {
            return Some(turns);
        }
        if !self.sentences {
            return None;
        }
        // Bytes bound characters from above: a short text is judged whole at once.
        if text.len() < self.min_chars || text.chars().count() < self.min_chars {
            return None;
        }
        let sentences: Vec<Unit> = sentences(text)
            .into_iter()
            .map(|bytes| Unit { bytes, speaker: None, label: None, role: Role::Unknown })
            .collect();
        (sentences.len() >= self.min_sentences.max(2)).then_some(sentences)
    }

    /// Speaker turns, when at least two lines start with a speaker label: each label
    /// starts a turn that runs to the next one; text before the first is a unit of its own.
    fn turns(&self, text: &str) -> Option<Vec<Unit>> {
        let mut labelled = Vec::new();
        let mut start = 0;
        let is_label = |speaker: &str| !speaker.contains(['您', '你', '好', '的']);
        for line in text.split_inclusive('\n') {
            let mut from = 0;
            if let Some(c) = self.speaker.captures(line)
                && let speaker = c.name("speaker").expect("checked in new").as_str()
                && is_label(speaker)
            {
                let whole = c.get(0).expect("group 0");
                labelled.push((start, start + whole.end(), speaker.to_string()));
                from = whole.end();
            }
            if let Some((inline, before)) = &self.inline {
                let rest = &line[from..];
                for c in inline.captures_iter(rest) {
                    let (whole, speaker) = (c.get(0).expect("group 0"), c.name("speaker").expect("group"));
                    let Some(b) = before.captures(&rest[..whole.start()]) else { continue };
                    if is_label(speaker.as_str()) {
                        // The label starts at its timestamp, or after the space before it.
                        let at = b.name("ts").map_or(whole.start(), |t| t.start());
                        labelled.push((
                            start + from + at,
                            start + from + whole.end(),
                            speaker.as_str().to_string(),
                        ));
                    }
                }
            }
            start += line.len();
        }
        if labelled.len() < 2 {
            return None;
        }
        let mut units = Vec::with_capacity(labelled.len() + 1);
        if let Some(bytes) = trimmed(text, 0..labelled[0].0) {
            units.push(Unit { bytes, speaker: None, label: None, role: Role::Unknown });
        }
        for (i, (at, content, speaker)) in labelled.iter().enumerate() {
            let end = labelled.get(i + 1).map_or(text.len(), |next| next.0);
            if let Some(bytes) = trimmed(text, *content..end) {
                let role = self.role(speaker);
                units.push(Unit { bytes, speaker: Some(speaker.clone()), label: Some(*at..*content), role });
            }
        }
        Some(units)
    }
}

/// Whether `text` holds two colons: every default label ends with one, and turns need two
/// labels, so most notices (one colon after the greeting) are settled here.
fn has_two_colons(text: &str) -> bool {
    // ':' or the last byte of '：' (EF BC 9A), checked behind.
    let b = text.as_bytes();
    memchr::memchr2_iter(b':', 0x9A, b)
        .filter(|&i| b[i] == b':' || (i >= 2 && b[i - 2] == 0xEF && b[i - 1] == 0xBC))
        .nth(1)
        .is_some()
}
fn has_line_break(text: &str) -> bool {
    memchr::memchr(b'\n', text.as_bytes()).is_some()
}

/// Sentence-ending characters in `text` (。！？!?), counted on bytes: cheap enough to run
/// on every message.
fn sentence_ends(text: &str) -> usize {
    let b = text.as_bytes();
    let mut n = 0;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'!' | b'?' => n += 1,
            0xE3 if b.get(i + 1) == Some(&0x80) && b.get(i + 2) == Some(&0x82) => n += 1,
            0xEF if b.get(i + 1) == Some(&0xBC) && matches!(b.get(i + 2), Some(0x81 | 0x9F)) => n += 1,
            _ => {}
        }
        i += 1;
    }
    n
}

fn is_end(c: char) -> bool {
    matches!(c, '。' | '！' | '？' | '!' | '?')
}

fn is_closing(c: char) -> bool {
    matches!(c, '”' | '」' | '』' | '’' | '"' | '）' | ')')
}

/// Sentence byte ranges: ends at 。！？!? outside quotation marks (with the marks and
/// closing quotes that follow) and at line breaks; blank pieces and pieces with no word
/// character are left out.
pub fn sentences(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut depth = 0usize;
    let mut ascii_quote = false;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '“' | '「' | '『' | '‘' => depth += 1,
            '”' | '」' | '』' | '’' => depth = depth.saturating_sub(1),
            '"' => ascii_quote = !ascii_quote,
            _ => {}
        }
        let end = if c == '\n' {
            depth = 0;
            ascii_quote = false;
            Some(i)
        } else if is_end(c) && depth == 0 && !ascii_quote {
            let mut end = i + c.len_utf8();
            while let Some(&(j, d)) = chars.peek() {
                if is_end(d) || (is_closing(d) && d != '"') {
                    end = j + d.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            Some(end)
        } else {
            None
        };
        if let Some(end) = end {
            out.extend(trimmed(text, start..end));
            start = if c == '\n' { i + 1 } else { end };
        }
    }
    out.extend(trimmed(text, start..text.len()));
    out
}

/// `range` of `text` without surrounding whitespace; `None` when nothing with a word
/// character is left.
fn trimmed(text: &str, range: Range<usize>) -> Option<Range<usize>> {
    let piece = &text[range.clone()];
    let lead = piece.len() - piece.trim_start().len();
    let inner = piece.trim();
    (crate::tokenize::has_word_char(inner)).then(|| range.start + lead..range.start + lead + inner.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts<'a>(text: &'a str, units: &[Unit]) -> Vec<&'a str> {
        units.iter().map(|u| &text[u.bytes.clone()]).collect()
    }

    #[test]
    fn short_messages_are_judged_whole() {
        let s = Splitter::new(&UnitOptions { sentences: true, ..UnitOptions::default() }).unwrap();
        let long = "您好，这是一条很长的提醒。".repeat(40);
        assert_eq!(s.split(&long).unwrap().len(), 40);
        assert!(Splitter::new(&UnitOptions::default()).unwrap().split(&long).is_none());
        assert!(s.split("您好，请按时还款。").is_none());
        assert!(s.split("您好。请按时还款！").is_none());
        assert!(s.split("！！！真的！！！").is_none());
    }

    #[test]
    fn one_colon_is_no_transcript_and_two_labels_are() {
        assert!(has_two_colons("客户：您好 催收员：请还款") && has_two_colons("a:b:c"));
        assert!(!has_two_colons("尊敬的客户：您好，请按时还款") && !has_two_colons("12:30 见"));
        let s = Splitter::new(&UnitOptions::default()).unwrap();
        assert!(s.split("催收员：您好，请按时还款").is_none());
        assert_eq!(s.split("催收员：您好，请按时还款 客户：知道了").map(|u| u.len()), Some(2));
    }

    #[test]
    fn sentences_keep_quotes_whole() {
        let t = "催收员说：“明天去你家。你跑不了！”这合法吗？我该怎么办？\n谢谢";
        let r: Vec<&str> = sentences(t).into_iter().map(|r| &t[r]).collect();
        assert_eq!(r, ["催收员说：“明天去你家。你跑不了！”这合法吗？", "我该怎么办？", "谢谢"]);
        let t = "第一句。。。第二句！？”  第三句";
        let r: Vec<&str> = sentences(t).into_iter().map(|r| &t[r]).collect();
        assert_eq!(r, ["第一句。。。", "第二句！？”", "第三句"]);
    }

    #[test]
    fn speaker_turns_with_roles_and_timestamps() {
        let s = Splitter::new(&UnitOptions::default()).unwrap();
        let t = "通话录音\n[00:00:01] 坐席：您好，这里是某某金融。\n[00:00:05] 客户：你他妈别打了\n我没钱\n坐席A：好的，我们会再联系您。";
        let units = s.split(t).unwrap();
        assert_eq!(
            texts(t, &units),
            ["通话录音", "您好，这里是某某金融。", "你他妈别打了\n我没钱", "好的，我们会再联系您。"]
        );
        let roles: Vec<Role> = units.iter().map(|u| u.role).collect();
        assert_eq!(roles, [Role::Unknown, Role::Collector, Role::Customer, Role::Collector]);
        assert_eq!(units[3].speaker.as_deref(), Some("坐席A"));
        // A whole call in one line, turns joined by spaces.
        let t = "催收员：您好，是王先生吗？ 客户：滚，别烦我 催收员：好的，打扰了。";
        let units = s.split(t).unwrap();
        assert_eq!(texts(t, &units), ["您好，是王先生吗？", "滚，别烦我", "好的，打扰了。"]);
        assert_eq!(units[1].role, Role::Customer);
        // A colon in an ordinary message is no speaker label.
        assert!(s.split("请联系客服：4001234567，谢谢").is_none());
    }

    #[test]
    fn letters_and_named_collectors() {
        let t = "A：您好\nB：你滚\nA：再见";
        let units = Splitter::new(&UnitOptions::default()).unwrap().split(t).unwrap();
        assert!(units.iter().all(|u| u.role == Role::Unknown));
        let opts = UnitOptions { collector_speakers: vec!["A".into()], ..UnitOptions::default() };
        let units = Splitter::new(&opts).unwrap().split(t).unwrap();
        let roles: Vec<Role> = units.iter().map(|u| u.role).collect();
        assert_eq!(roles, [Role::Collector, Role::Customer, Role::Collector]);
        let opts =
            UnitOptions { speaker_pattern: Some(r"^(?P<speaker>\w+)>".into()), ..UnitOptions::default() };
        let t = "agent> 您好\nclient> 滚\nagent> 好的";
        let units = Splitter::new(&opts).unwrap().split(t).unwrap();
        assert_eq!(texts(t, &units), ["您好", "滚", "好的"]);
        let bad = UnitOptions { speaker_pattern: Some(r"^\w+:".into()), ..UnitOptions::default() };
        assert!(matches!(Splitter::new(&bad), Err(UnitError::NoSpeakerGroup)));
    }
}
