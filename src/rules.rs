//! Rules that see the whole export: when a message was sent, how often a debtor (or a
//! number) was contacted, and whether a third party was told about the debt. The text
//! classifier says what a message says; these say whether the pattern of contacts was
//! allowed. Two rule sets, `cn` and `us`, each number an option.
//!
//! Per-message rules (quiet hours, third parties) are [`RuleSet::check`]; the counting
//! rules need every contact of a debtor first: add them to a [`ContactLog`] in any order,
//! then [`ContactLog::finish`] gives the findings per row.
//!
//! ```
//! use collectguard::rules::{self, Channel, ContactLog, Message, RuleSet};
//! let cn = RuleSet::cn();
//! let at = |t| Message {
//!     text: "您好，请按时还款",
//!     time: rules::parse_time(t, cn.tz),
//!     debtor: Some("D1"),
//!     channel: Some(Channel::Call),
//!     ..Message::default()
//! };
//! assert_eq!(rules::findings_field(&cn.check(&at("2026-11-03 23:14"))), "N1:23:14 in quiet hours 22:00-08:00");
//! let mut log = ContactLog::new(&cn);
//! for (row, t) in ["2026-11-03 15:00", "2026/11/3 9:00", "2026-11-03T10:00:00+08:00", "1793674800"].iter().enumerate() {
//!     log.add(row as u64 + 1, &at(t));
//! }
//! let found = log.finish();
//! assert_eq!(found.for_row(1)[0].to_string(), "N2:4th contact on 2026-11-03, limit 3");
//! ```

mod contacts;
mod message;
pub mod names;
mod third_party;
pub mod time;

pub use contacts::{ContactFindings, ContactLog, ContactWatch};
pub use message::{Message, Values};
pub use third_party::{Disclosure, disclosure};
pub use time::{Tz, TzError, parse_time};

use serde::Serialize;
use std::fmt;
use std::str::FromStr;

/// The two rule sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleSetName {
    /// China: GB/T 45251-2025 and the China Banking Association's 2026 guideline.
    Cn,
    /// United States: FDCPA and Regulation F.
    Us,
}

impl RuleSetName {
    /// `cn` or `us`.
    pub fn as_str(self) -> &'static str {
        match self {
            RuleSetName::Cn => "cn",
            RuleSetName::Us => "us",
        }
    }
}

/// A rule set name that is not `cn` or `us`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown rule set {0:?}: cn or us")]
pub struct RuleSetNameError(pub String);

impl FromStr for RuleSetName {
    type Err = RuleSetNameError;
    fn from_str(s: &str) -> Result<Self, RuleSetNameError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "cn" => Ok(RuleSetName::Cn),
            "us" => Ok(RuleSetName::Us),
            _ => Err(RuleSetNameError(s.to_string())),
        }
    }
}

/// Hours of the day with no collection: from `start` (inclusive) to `end` (exclusive),
/// in seconds since local midnight, across midnight when `start > end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuietHours {
    /// First quiet second of the day.
    pub start: u32,
    /// First allowed second after the quiet hours.
    pub end: u32,
}

impl QuietHours {
    /// Whether `second_of_day` falls in the quiet hours.
    pub fn contains(self, second_of_day: u32) -> bool {
        if self.start <= self.end {
            (self.start..self.end).contains(&second_of_day)
        } else {
            second_of_day >= self.start || second_of_day < self.end
        }
    }
}

impl fmt::Display for QuietHours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", time::clock(self.start), time::clock(self.end))
    }
}

/// Quiet hours that are not `HH:MM-HH:MM`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("quiet hours {0:?} are not HH:MM-HH:MM (such as 22:00-08:00)")]
pub struct QuietHoursError(pub String);

impl FromStr for QuietHours {
    type Err = QuietHoursError;
    fn from_str(s: &str) -> Result<Self, QuietHoursError> {
        let err = || QuietHoursError(s.to_string());
        let clock = |t: &str| -> Option<u32> {
            let (h, m) = t.trim().split_once(':')?;
            let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
            (h <= 24 && m < 60 && h * 60 + m <= 24 * 60).then_some((h * 3600 + m * 60) % time::DAY as u32)
        };
        let (a, b) = s.split_once('-').ok_or_else(err)?;
        Ok(QuietHours { start: clock(a).ok_or_else(err)?, end: clock(b).ok_or_else(err)? })
    }
}

/// A rule set: every number the rules use. `None` turns a rule off.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleSet {
    /// Which set the defaults came from.
    pub name: RuleSetName,
    /// The zone of times that name none, and of the local clock and day.
    pub tz: Tz,
    /// N1: no contact in these hours.
    pub quiet_hours: Option<QuietHours>,
    /// N2: most effective voice contacts (answered calls) per debtor per local day.
    pub daily_contacts: Option<u32>,
    /// N3: most unanswered call attempts per contact number per local day.
    pub daily_attempts: Option<u32>,
    /// N4: most calls per debtor within `window_days` consecutive days.
    pub window_calls: Option<u32>,
    /// N4: the length of that window, in days (the day of the first call is day 1).
    pub window_days: u32,
    /// N4: no call within this many days after a telephone conversation (the day of the
    /// conversation is day 1).
    pub conversation_days: Option<u32>,
    /// N5: a message to a third party must not disclose the debt or press for payment.
    pub third_party: bool,
}

impl RuleSet {
    /// China (`cn`): quiet 22:00–08:00 (GB/T 45251-2025; CBA 2026); at most 3 effective
    /// voice contacts per debtor per day (GB/T 45251-2025); at most 6 unanswered attempts
    /// per number per day (CBA 2026); third parties may only be asked to pass on a message.
    pub fn cn() -> Self {
        RuleSet {
            name: RuleSetName::Cn,
            tz: Tz::CHINA,
            quiet_hours: Some(QuietHours { start: 22 * 3600, end: 8 * 3600 }),
            daily_contacts: Some(3),
            daily_attempts: Some(6),
            window_calls: None,
            window_days: 7,
            conversation_days: None,
            third_party: true,
        }
    }

    /// United States (`us`): quiet before 08:00 and from 21:00 (FDCPA §1692c(a)(1); Reg F
    /// §1006.6(b)(1)(i)); more than 7 calls in 7 days, or a call within 7 days after a
    /// conversation (Reg F §1006.14(b)(2)); no disclosure to third parties (FDCPA §1692c(b);
    /// Reg F §1006.6(d)). Times without a zone are read as US Eastern standard time.
    pub fn us() -> Self {
        RuleSet {
            name: RuleSetName::Us,
            tz: Tz::US_EASTERN,
            quiet_hours: Some(QuietHours { start: 21 * 3600, end: 8 * 3600 }),
            daily_contacts: None,
            daily_attempts: None,
            window_calls: Some(7),
            window_days: 7,
            conversation_days: Some(7),
            third_party: true,
        }
    }

    /// The defaults of the set `name`.
    pub fn named(name: RuleSetName) -> Self {
        match name {
            RuleSetName::Cn => Self::cn(),
            RuleSetName::Us => Self::us(),
        }
    }

    /// Whether any rule needs the contacts of a debtor counted (a [`ContactLog`]).
    pub fn counts_contacts(&self) -> bool {
        self.daily_contacts.is_some()
            || self.daily_attempts.is_some()
            || self.window_calls.is_some()
            || self.conversation_days.is_some()
    }

    /// The rules that are on but cannot run with the information `have`, each with what
    /// it lacks (for one line on stderr each).
    pub fn skipped(&self, have: &Have) -> Vec<(Code, &'static str)> {
        let mut out = Vec::new();
        if self.quiet_hours.is_some() && !have.time {
            out.push((Code::N1, "no time column (name one with --time-column)"));
        }
        let counting = [
            (Code::N2, self.daily_contacts.is_some()),
            (Code::N3, self.daily_attempts.is_some()),
            (Code::N4, self.window_calls.is_some() || self.conversation_days.is_some()),
        ];
        for (code, on) in counting {
            let why = if !have.time {
                "no time column (name one with --time-column)"
            } else if !have.debtor {
                "no debtor column (name one with --debtor-column)"
            } else if !have.channel {
                "no channel column to tell calls from messages (name one with --channel-column)"
            } else {
                continue;
            };
            if on {
                out.push((code, why));
            }
        }
        if self.conversation_days.is_some() && have.time && have.debtor && have.channel && !have.answered {
            out.push((Code::N4, "calls after a conversation: no answered column (name one with --answered-column); the 7-in-7 count still runs"));
        }
        if self.third_party && !have.recipient {
            out.push((Code::N5, "no recipient or relation column (name one with --relation-column)"));
        }
        out
    }

    /// The per-message rules: quiet hours (N1) and third parties (N5).
    pub fn check(&self, m: &Message) -> Vec<Finding> {
        let mut out = Vec::new();
        if let (Some(q), Some(t)) = (self.quiet_hours, m.time) {
            let sod = self.tz.second_of_day(t);
            if q.contains(sod) {
                out.push(Finding::new(Code::N1, format!("{} in quiet hours {q}", time::clock(sod)), vec![]));
            }
        }
        if self.third_party
            && let Recipient::ThirdParty(relation) = &m.recipient
            && let Some(d) = disclosure(m.text)
        {
            let who = if relation.is_empty() { String::new() } else { format!(" ({relation})") };
            out.push(Finding::new(Code::N5, format!("message to a third party{who} {d}"), vec![]));
        }
        out
    }
}

/// Which of the columns the rules use a table has.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Have {
    /// A time column.
    pub time: bool,
    /// A debtor column.
    pub debtor: bool,
    /// A recipient or relation column.
    pub recipient: bool,
    /// A channel column.
    pub channel: bool,
    /// An answered column.
    pub answered: bool,
}

/// The rule codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Code {
    /// Quiet hours.
    N1,
    /// Effective voice contacts per debtor per day.
    N2,
    /// Unanswered attempts per number per day.
    N3,
    /// Calls in a rolling window, or after a conversation.
    N4,
    /// Third-party disclosure.
    N5,
}

impl Code {
    /// Every code, in order.
    pub const ALL: [Code; 5] = [Code::N1, Code::N2, Code::N3, Code::N4, Code::N5];

    /// `N1` … `N5`.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::N1 => "N1",
            Code::N2 => "N2",
            Code::N3 => "N3",
            Code::N4 => "N4",
            Code::N5 => "N5",
        }
    }

    /// The rule's name.
    pub fn rule(self) -> &'static str {
        match self {
            Code::N1 => "quiet_hours",
            Code::N2 => "daily_contacts",
            Code::N3 => "daily_attempts",
            Code::N4 => "call_frequency",
            Code::N5 => "third_party",
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A rule a message (or its place among a debtor's contacts) breaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The rule's code.
    pub code: Code,
    /// The rule's name.
    pub rule: &'static str,
    /// What happened, such as `23:14 in quiet hours 22:00-08:00`.
    pub detail: String,
    /// The other rows involved (1-based, header excluded), such as the contacts that
    /// used up the day's limit.
    pub rows: Vec<u64>,
}

impl Finding {
    /// A finding of rule `code`.
    pub fn new(code: Code, detail: String, rows: Vec<u64>) -> Self {
        Finding { code, rule: code.rule(), detail, rows }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.code, self.detail)
    }
}

/// Findings as one CSV field: `N1:23:14 in quiet hours 22:00-08:00;N2:…`.
pub fn findings_field(findings: &[Finding]) -> String {
    findings.iter().map(Finding::to_string).collect::<Vec<_>>().join(";")
}

/// How a message was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// A telephone call (a voice contact or an attempt at one).
    Call,
    /// A text message.
    Sms,
    /// WeChat or another chat app.
    Chat,
    /// A visit in person.
    Visit,
    /// Anything else (letter, e-mail).
    Other,
}

impl Channel {
    /// A channel column's value: `call`, `电话`, `外呼`, `sms`, `短信`, `wechat`, `微信`,
    /// `visit`, `上门` …; `None` when empty.
    pub fn parse(s: &str) -> Option<Channel> {
        let v = s.trim().to_lowercase();
        if v.is_empty() {
            return None;
        }
        let has = |words: &[&str]| words.iter().any(|w| v.contains(w));
        Some(if has(&["短信", "sms", "text", "message", "彩信"]) {
            Channel::Sms
        } else if has(&["微信", "wechat", "weixin", "chat", "qq", "app", "im"]) {
            Channel::Chat
        } else if has(&["上门", "外访", "面访", "visit"]) {
            Channel::Visit
        } else if has(&[
            "电话", "通话", "语音", "外呼", "呼叫", "拨打", "来电", "call", "phone", "voice", "tel", "ivr",
        ]) {
            Channel::Call
        } else {
            Channel::Other
        })
    }
}

/// An answered column's value: `true` for 是, 接通, 已接听, yes, 1, answered …, `false`
/// for 否, 未接通, 无人接听, 拒接, no, 0, missed …, `None` when empty or unknown.
pub fn parse_answered(s: &str) -> Option<bool> {
    let v = s.trim().to_lowercase();
    const NO: &[&str] = &[
        "0",
        "false",
        "no",
        "n",
        "否",
        "未接通",
        "未接",
        "未接听",
        "无人接听",
        "拒接",
        "关机",
        "占线",
        "停机",
        "空号",
        "unanswered",
        "missed",
        "busy",
        "no answer",
        "not answered",
        "failed",
    ];
    const YES: &[&str] = &[
        "1",
        "true",
        "yes",
        "y",
        "是",
        "接通",
        "已接通",
        "接听",
        "已接听",
        "answered",
        "connected",
        "success",
    ];
    if NO.contains(&v.as_str()) {
        Some(false)
    } else if YES.contains(&v.as_str()) {
        Some(true)
    } else {
        None
    }
}

/// Who a message went to.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Recipient {
    /// The debtor.
    Debtor,
    /// Someone else, with their relation as given (同事, 紧急联系人 …), possibly empty.
    ThirdParty(String),
    /// Not known.
    #[default]
    Unknown,
}

impl Recipient {
    /// A relation column's value: 本人, 借款人, self, debtor … are the debtor; any other
    /// value (联系人, 紧急联系人, 同事, 家人 …) a third party; empty is unknown.
    pub fn from_relation(s: &str) -> Recipient {
        let v = s.trim();
        if v.is_empty() {
            Recipient::Unknown
        } else if names::DEBTOR_RELATIONS.iter().any(|d| v.eq_ignore_ascii_case(d)) {
            Recipient::Debtor
        } else {
            Recipient::ThirdParty(v.to_string())
        }
    }

    /// A recipient column's value: a relation word is read as one; otherwise the
    /// recipient is the debtor when it equals the debtor column's value and a third party
    /// when it differs; unknown without a debtor value.
    pub fn from_recipient(recipient: &str, debtor: Option<&str>) -> Recipient {
        let r = recipient.trim();
        if r.is_empty() {
            return Recipient::Unknown;
        }
        if names::is_relation(r) {
            return Recipient::from_relation(r);
        }
        match debtor.map(str::trim) {
            Some(d) if !d.is_empty() && d == r => Recipient::Debtor,
            Some(d) if !d.is_empty() => Recipient::ThirdParty(String::new()),
            _ => Recipient::Unknown,
        }
    }
}

/// `1st`, `2nd`, `3rd`, `4th`, `11th`, `21st` …
pub fn ordinal(n: u32) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quiet_hours_across_midnight() {
        let q: QuietHours = "22:00-08:00".parse().unwrap();
        assert!(q.contains(23 * 3600 + 14 * 60));
        assert!(q.contains(22 * 3600));
        assert!(q.contains(7 * 3600 + 59 * 60));
        assert!(!q.contains(8 * 3600));
        assert!(!q.contains(21 * 3600 + 30 * 60));
        assert_eq!(q.to_string(), "22:00-08:00");
        let day: QuietHours = "12:00-13:30".parse().unwrap();
        assert!(day.contains(13 * 3600) && !day.contains(14 * 3600));
        assert!("22-08".parse::<QuietHours>().is_err());
    }

    #[test]
    fn values_of_channel_answered_and_relation() {
        assert_eq!(Channel::parse("电话"), Some(Channel::Call));
        assert_eq!(Channel::parse("Call"), Some(Channel::Call));
        assert_eq!(Channel::parse("短信"), Some(Channel::Sms));
        assert_eq!(Channel::parse("WeChat"), Some(Channel::Chat));
        assert_eq!(Channel::parse("上门"), Some(Channel::Visit));
        assert_eq!(Channel::parse(""), None);
        assert_eq!(parse_answered("已接通"), Some(true));
        assert_eq!(parse_answered("无人接听"), Some(false));
        assert_eq!(parse_answered("?"), None);
        assert_eq!(Recipient::from_relation("本人"), Recipient::Debtor);
        assert_eq!(Recipient::from_relation("同事"), Recipient::ThirdParty("同事".into()));
        assert_eq!(Recipient::from_recipient("13800000000", Some("13800000000")), Recipient::Debtor);
        assert_eq!(
            Recipient::from_recipient("13900000000", Some("13800000000")),
            Recipient::ThirdParty(String::new())
        );
        assert_eq!(
            Recipient::from_recipient("紧急联系人", Some("13800000000")),
            Recipient::ThirdParty("紧急联系人".into())
        );
        assert_eq!(ordinal(4), "4th");
        assert_eq!(ordinal(22), "22nd");
        assert_eq!(ordinal(12), "12th");
    }

    #[test]
    fn per_message_rules() {
        let cn = RuleSet::cn();
        let t = parse_time("2026-11-03 23:14:05", cn.tz).unwrap();
        let m = Message { text: "您好，请按时还款", time: Some(t), ..Message::default() };
        assert_eq!(findings_field(&cn.check(&m)), "N1:23:14 in quiet hours 22:00-08:00");
        let us = RuleSet::us();
        let t = parse_time("2026-11-03 21:30", us.tz).unwrap();
        assert_eq!(us.check(&Message { time: Some(t), ..Message::default() })[0].code, Code::N1);
        let t = parse_time("2026-11-03 21:30", cn.tz).unwrap();
        assert!(cn.check(&Message { time: Some(t), ..Message::default() }).is_empty());

        let colleague = Recipient::from_relation("同事");
        let told = Message {
            text: "您的同事张三在我司借款已逾期，请转告他",
            recipient: colleague.clone(),
            ..Message::default()
        };
        let f = cn.check(&told);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].code, Code::N5);
        assert!(f[0].detail.contains("同事"), "{}", f[0].detail);
        let callback = Message {
            text: "您好，麻烦转告张三给我们回个电话，谢谢",
            recipient: colleague,
            ..Message::default()
        };
        assert!(cn.check(&callback).is_empty());
        let to_debtor = Message { text: told.text, recipient: Recipient::Debtor, ..Message::default() };
        assert!(cn.check(&to_debtor).is_empty());
    }
}
