//! Counting contacts per debtor, per number and per day, in rows of any order: every call
//! is logged compactly (24 bytes: time, row, debtor and number ids, flags; the text and
//! the other columns are not kept), then sorted by debtor and time once and swept. The
//! findings are kept per row, sorted, for the pass that writes the rows.

use super::time::{self, Tz};
use super::{Channel, Code, Finding, Message, Recipient, RuleSet, ordinal};
use rustc_hash::FxHashMap;

/// The number id of a call whose number is the debtor's own.
const DEBTOR_NUMBER: u32 = u32::MAX;

const ANSWERED: u8 = 1;
const UNANSWERED: u8 = 2;
const THIRD_PARTY: u8 = 4;

/// Whether call `m` was answered, and whether it went to a third party.
fn call_flags(m: &Message) -> u8 {
    let answered = match m.answered {
        Some(true) => ANSWERED,
        Some(false) => UNANSWERED,
        None => 0,
    };
    answered | if matches!(m.recipient, Recipient::ThirdParty(_)) { THIRD_PARTY } else { 0 }
}

#[derive(Debug, Clone, Copy)]
struct Contact {
    time: i64,
    row: u32,
    debtor: u32,
    number: u32,
    flags: u8,
}

impl Contact {
    /// An effective voice contact with the debtor (N2): not known to be unanswered.
    fn effective(&self) -> bool {
        self.flags & (UNANSWERED | THIRD_PARTY) == 0
    }
    /// A call to the debtor (N4).
    fn with_debtor(&self) -> bool {
        self.flags & THIRD_PARTY == 0
    }
    /// An attempt on a number (N3): not known to be answered.
    fn attempt(&self) -> bool {
        self.flags & ANSWERED == 0
    }
    /// A telephone conversation with the debtor (N4).
    fn conversation(&self) -> bool {
        self.flags & (ANSWERED | THIRD_PARTY) == ANSWERED
    }
}

/// The calls of an export, as they are read, in any order.
pub struct ContactLog {
    rules: RuleSet,
    debtors: FxHashMap<Box<str>, u32>,
    numbers: FxHashMap<Box<str>, u32>,
    contacts: Vec<Contact>,
}

fn intern(map: &mut FxHashMap<Box<str>, u32>, key: &str) -> u32 {
    if let Some(&id) = map.get(key) {
        return id;
    }
    let id = map.len() as u32;
    map.insert(key.into(), id);
    id
}

impl ContactLog {
    /// An empty log for the counting rules of `rules`.
    pub fn new(rules: &RuleSet) -> Self {
        ContactLog {
            rules: rules.clone(),
            debtors: FxHashMap::default(),
            numbers: FxHashMap::default(),
            contacts: Vec::new(),
        }
    }

    /// Logs message `m` of row `row` (1-based, below 2³²) if it is a call with a time and a
    /// debtor; returns whether it was logged.
    pub fn add(&mut self, row: u64, m: &Message) -> bool {
        let (Some(time), Some(debtor), Some(Channel::Call)) = (m.time, m.debtor.map(str::trim), m.channel)
        else {
            return false;
        };
        let Ok(row) = u32::try_from(row) else { return false };
        if debtor.is_empty() {
            return false;
        }
        let debtor = intern(&mut self.debtors, debtor);
        let number = match m.number.map(str::trim) {
            Some(n) if !n.is_empty() => intern(&mut self.numbers, n),
            _ => DEBTOR_NUMBER,
        };
        let flags = call_flags(m);
        self.contacts.push(Contact { time, row, debtor, number, flags });
        true
    }

    /// Calls logged so far.
    pub fn len(&self) -> usize {
        self.contacts.len()
    }

    /// Whether no call was logged.
    pub fn is_empty(&self) -> bool {
        self.contacts.is_empty()
    }

    /// Distinct debtors logged so far.
    pub fn debtors(&self) -> usize {
        self.debtors.len()
    }

    /// Counts the calls by debtor, number and day and gives the findings per row.
    pub fn finish(self) -> ContactFindings {
        let ContactLog { rules, debtors, numbers, mut contacts } = self;
        drop((debtors, numbers));
        let mut found = ContactFindings { rules, hits: Vec::new(), related: Vec::new() };
        let tz = found.rules.tz;
        contacts.sort_unstable_by_key(|c| (c.debtor, c.time, c.row));
        for calls in contacts.chunk_by(|a, b| a.debtor == b.debtor) {
            if let Some(limit) = found.rules.daily_contacts {
                let effective: Vec<Contact> = calls.iter().filter(|c| c.effective()).copied().collect();
                found.per_day(&effective, tz, limit, |nth, day| HitKind::Daily { nth, day });
            }
            let to_debtor: Vec<Contact> = calls.iter().filter(|c| c.with_debtor()).copied().collect();
            if let Some(limit) = found.rules.window_calls {
                found.window(&to_debtor, tz, limit, found.rules.window_days.max(1));
            }
            if let Some(days) = found.rules.conversation_days {
                found.after_conversation(&to_debtor, tz, days);
            }
        }
        if let Some(limit) = found.rules.daily_attempts {
            // Per number; a call without one is on the debtor's own number.
            let key = |c: &Contact| if c.number == DEBTOR_NUMBER { (0, c.debtor) } else { (1, c.number) };
            contacts.sort_unstable_by_key(|c| (key(c), c.time, c.row));
            for calls in contacts.chunk_by(|a, b| key(a) == key(b)) {
                let attempts: Vec<Contact> = calls.iter().filter(|c| c.attempt()).copied().collect();
                found.per_day(&attempts, tz, limit, |nth, day| HitKind::Attempts { nth, day });
            }
        }
        drop(contacts);
        found.hits.sort_by_key(|h| (h.row, h.kind.code()));
        found.hits.shrink_to_fit();
        found
    }
}

#[derive(Debug, Clone, Copy)]
enum HitKind {
    Daily { nth: u32, day: i64 },
    Attempts { nth: u32, day: i64 },
    Window { nth: u32, day: i64 },
    AfterConversation { day: i64 },
}

impl HitKind {
    fn code(self) -> Code {
        match self {
            HitKind::Daily { .. } => Code::N2,
            HitKind::Attempts { .. } => Code::N3,
            HitKind::Window { .. } | HitKind::AfterConversation { .. } => Code::N4,
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Hit {
    row: u32,
    kind: HitKind,
    related: (u32, u32),
}

/// The counting rules' findings, by row.
pub struct ContactFindings {
    rules: RuleSet,
    hits: Vec<Hit>,
    related: Vec<u32>,
}

impl ContactFindings {
    /// No findings (for a table whose counting rules cannot run).
    pub fn none(rules: &RuleSet) -> Self {
        ContactFindings { rules: rules.clone(), hits: Vec::new(), related: Vec::new() }
    }

    fn hit(&mut self, row: u32, kind: HitKind, related: impl IntoIterator<Item = u32>) {
        let start = self.related.len() as u32;
        self.related.extend(related);
        self.hits.push(Hit { row, kind, related: (start, self.related.len() as u32 - start) });
    }

    /// Contacts past `limit` on one local day, in time order.
    fn per_day(&mut self, calls: &[Contact], tz: Tz, limit: u32, kind: impl Fn(u32, i64) -> HitKind) {
        for day in calls.chunk_by(|a, b| tz.day(a.time) == tz.day(b.time)) {
            for (i, c) in day.iter().enumerate().skip(limit as usize) {
                let allowed = day[..limit as usize].iter().map(|a| a.row);
                self.hit(c.row, kind(i as u32 + 1, tz.day(c.time)), allowed);
            }
        }
    }

    /// Calls past `limit` within `days` consecutive local days.
    fn window(&mut self, calls: &[Contact], tz: Tz, limit: u32, days: u32) {
        let mut lo = 0;
        for (i, c) in calls.iter().enumerate() {
            let day = tz.day(c.time);
            while tz.day(calls[lo].time) <= day - i64::from(days) {
                lo += 1;
            }
            let nth = (i - lo + 1) as u32;
            if nth > limit {
                let earlier: Vec<u32> = calls[lo..lo + limit as usize].iter().map(|a| a.row).collect();
                self.hit(c.row, HitKind::Window { nth, day }, earlier);
            }
        }
    }

    /// Calls within `days` local days after a conversation (the day of the conversation
    /// counts as the first).
    fn after_conversation(&mut self, calls: &[Contact], tz: Tz, days: u32) {
        let mut last: Option<Contact> = None;
        for c in calls {
            if let Some(conv) = last
                && c.time > conv.time
                && tz.day(c.time) - tz.day(conv.time) < i64::from(days)
            {
                self.hit(c.row, HitKind::AfterConversation { day: tz.day(conv.time) }, [conv.row]);
            }
            if c.conversation() {
                last = Some(*c);
            }
        }
    }

    /// Rows with at least one finding.
    pub fn rows(&self) -> usize {
        self.hits.chunk_by(|a, b| a.row == b.row).count()
    }

    /// The findings of row `row`, in code order.
    pub fn for_row(&self, row: u64) -> Vec<Finding> {
        let Ok(row) = u32::try_from(row) else { return Vec::new() };
        let from = self.hits.partition_point(|h| h.row < row);
        let r = &self.rules;
        self.hits[from..]
            .iter()
            .take_while(|h| h.row == row)
            .map(|h| {
                let (start, len) = h.related;
                let rows: Vec<u64> = self.related[start as usize..(start + len) as usize]
                    .iter()
                    .map(|&r| u64::from(r))
                    .collect();
                let detail = detail(r, h.kind);
                Finding::new(h.kind.code(), detail, rows)
            })
            .collect()
    }
}

/// What a counting finding says.
fn detail(r: &RuleSet, kind: HitKind) -> String {
    let limit = |l: Option<u32>| l.unwrap_or(0);
    match kind {
        HitKind::Daily { nth, day } => {
            format!("{} contact on {}, limit {}", ordinal(nth), time::date(day), limit(r.daily_contacts))
        }
        HitKind::Attempts { nth, day } => format!(
            "{} unanswered attempt on one number on {}, limit {}",
            ordinal(nth),
            time::date(day),
            limit(r.daily_attempts)
        ),
        HitKind::Window { nth, day } => {
            let days = r.window_days.max(1);
            format!(
                "{} call in {days} days ({} to {}), limit {}",
                ordinal(nth),
                time::date(day - i64::from(days) + 1),
                time::date(day),
                limit(r.window_calls)
            )
        }
        HitKind::AfterConversation { day } => format!(
            "call within {} days after the conversation on {}",
            limit(r.conversation_days),
            time::date(day)
        ),
    }
}

/// A call seen by a [`ContactWatch`].
#[derive(Debug, Clone, Copy)]
struct Seen {
    time: i64,
    row: u64,
    flags: u8,
}

/// The counting rules on a stream, one message at a time, as a gate sees them: each call
/// is judged against the calls seen before it (with earlier times), and forgotten once it
/// is older than every window. Memory grows with the debtors and numbers, not the rows.
pub struct ContactWatch {
    rules: RuleSet,
    debtors: FxHashMap<Box<str>, Vec<Seen>>,
    numbers: FxHashMap<Box<str>, Vec<Seen>>,
}

impl ContactWatch {
    /// A watch for the counting rules of `rules`.
    pub fn new(rules: &RuleSet) -> Self {
        ContactWatch { rules: rules.clone(), debtors: FxHashMap::default(), numbers: FxHashMap::default() }
    }

    /// The findings of message `m` (row or line `row`) against the calls seen so far;
    /// then remembers it if it is a call with a time and a debtor.
    pub fn check(&mut self, row: u64, m: &Message) -> Vec<Finding> {
        let (Some(t), Some(debtor), Some(Channel::Call)) = (m.time, m.debtor.map(str::trim), m.channel)
        else {
            return Vec::new();
        };
        if debtor.is_empty() {
            return Vec::new();
        }
        let flags = call_flags(m);
        let now = Seen { time: t, row, flags };
        let probe = |s: &Seen| Contact { time: s.time, row: 0, debtor: 0, number: 0, flags: s.flags };
        let me = probe(&now);
        let tz = self.rules.tz;
        let day = tz.day(t);
        let horizon = i64::from(self.rules.window_days.max(self.rules.conversation_days.unwrap_or(1)).max(1));
        let mut kinds: Vec<(HitKind, Vec<u64>)> = Vec::new();
        let rules = self.rules.clone();
        let seen = self.debtors.entry(debtor.into()).or_default();
        seen.retain(|s| tz.day(s.time) > day - horizon);
        let before: Vec<Seen> = seen.iter().filter(|s| s.time <= t).copied().collect();
        if let Some(limit) = rules.daily_contacts
            && me.effective()
        {
            let same: Vec<&Seen> =
                before.iter().filter(|s| probe(s).effective() && tz.day(s.time) == day).collect();
            if same.len() >= limit as usize {
                let rows = same.iter().take(limit as usize).map(|s| s.row).collect();
                kinds.push((HitKind::Daily { nth: same.len() as u32 + 1, day }, rows));
            }
        }
        if me.with_debtor() {
            let calls: Vec<&Seen> = before.iter().filter(|s| probe(s).with_debtor()).collect();
            if let Some(limit) = rules.window_calls {
                let days = i64::from(rules.window_days.max(1));
                let window: Vec<&&Seen> = calls.iter().filter(|s| tz.day(s.time) > day - days).collect();
                if window.len() >= limit as usize {
                    let rows = window.iter().take(limit as usize).map(|s| s.row).collect();
                    kinds.push((HitKind::Window { nth: window.len() as u32 + 1, day }, rows));
                }
            }
            if let Some(days) = rules.conversation_days
                && let Some(conv) = calls
                    .iter()
                    .filter(|s| {
                        probe(s).conversation() && s.time < t && day - tz.day(s.time) < i64::from(days)
                    })
                    .max_by_key(|s| s.time)
            {
                kinds.push((HitKind::AfterConversation { day: tz.day(conv.time) }, vec![conv.row]));
            }
        }
        let at = seen.partition_point(|s| s.time <= t);
        seen.insert(at, now);
        if let Some(limit) = rules.daily_attempts {
            let key = match m.number.map(str::trim) {
                Some(n) if !n.is_empty() => format!("n:{n}"),
                _ => format!("d:{debtor}"),
            };
            let seen = self.numbers.entry(key.into()).or_default();
            seen.retain(|s| tz.day(s.time) > day - 1);
            if me.attempt() {
                let same: Vec<&Seen> = seen
                    .iter()
                    .filter(|s| s.time <= t && probe(s).attempt() && tz.day(s.time) == day)
                    .collect();
                if same.len() >= limit as usize {
                    let rows = same.iter().take(limit as usize).map(|s| s.row).collect();
                    kinds.push((HitKind::Attempts { nth: same.len() as u32 + 1, day }, rows));
                }
            }
            let at = seen.partition_point(|s| s.time <= t);
            seen.insert(at, now);
        }
        kinds.sort_by_key(|(k, _)| k.code());
        kinds.into_iter().map(|(k, rows)| Finding::new(k.code(), detail(&rules, k), rows)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::parse_time;

    fn call<'a>(time: &str, debtor: &'a str, answered: Option<bool>, rules: &RuleSet) -> Message<'a> {
        Message {
            time: parse_time(time, rules.tz),
            debtor: Some(debtor),
            channel: Some(Channel::Call),
            answered,
            ..Message::default()
        }
    }

    #[test]
    fn the_fourth_contact_of_a_day_in_any_row_order() {
        let cn = RuleSet::cn();
        let times = [
            "2026-11-03 15:00",
            "2026-11-03 09:00",
            "2026-11-04 09:00",
            "2026-11-03 11:00",
            "2026-11-03 10:00",
        ];
        let mut log = ContactLog::new(&cn);
        for (i, t) in times.iter().enumerate() {
            assert!(log.add(i as u64 + 1, &call(t, "d1", None, &cn)));
        }
        // Another debtor's calls and an unanswered call do not count towards d1's limit.
        log.add(6, &call("2026-11-03 12:00", "d2", None, &cn));
        log.add(7, &call("2026-11-03 08:30", "d1", Some(false), &cn));
        let found = log.finish();
        // Row 1 (15:00) is the 4th effective contact on 2026-11-03; rows 2, 5, 4 came first.
        let f = found.for_row(1);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].to_string(), "N2:4th contact on 2026-11-03, limit 3");
        assert_eq!(f[0].rows, [2, 5, 4]);
        for row in 2..=7 {
            assert!(found.for_row(row).is_empty(), "row {row}");
        }
    }

    #[test]
    fn unanswered_attempts_per_number() {
        let cn = RuleSet::cn();
        let mut log = ContactLog::new(&cn);
        for i in 0..8u64 {
            let mut m = call(&format!("2026-11-03 1{i}:00"), "d1", Some(false), &cn);
            m.number = Some("13900000000");
            log.add(i + 1, &m);
        }
        let found = log.finish();
        assert!(found.for_row(6).is_empty());
        assert_eq!(found.for_row(7)[0].code, Code::N3);
        assert!(found.for_row(8)[0].detail.starts_with("8th unanswered attempt"));
    }

    #[test]
    fn a_watch_on_a_stream_in_time_order_finds_what_the_log_finds() {
        for rules in [RuleSet::cn(), RuleSet::us()] {
            let mut log = ContactLog::new(&rules);
            let mut watch = ContactWatch::new(&rules);
            let mut streamed = Vec::new();
            for i in 0..60u64 {
                let t = format!("2026-11-{:02} {:02}:{:02}", 1 + i / 10, 8 + i % 10, i % 60);
                let mut m = call(&t, if i % 4 == 0 { "d2" } else { "d1" }, Some(i % 3 != 0), &rules);
                m.number = (i % 5 == 0).then_some("139");
                log.add(i + 1, &m);
                streamed.push(watch.check(i + 1, &m));
            }
            let found = log.finish();
            for (i, f) in streamed.iter().enumerate() {
                assert_eq!(f, &found.for_row(i as u64 + 1), "{} row {}", rules.name.as_str(), i + 1);
            }
            assert!(streamed.iter().any(|f| !f.is_empty()));
        }
    }

    #[test]
    fn us_rolling_window_and_after_conversation() {
        let us = RuleSet::us();
        let mut log = ContactLog::new(&us);
        // Eight unanswered calls on eight of nine days: the 8th within 7 days is a finding
        // only if days 1..7 hold eight calls.
        let days = [1, 2, 3, 3, 4, 5, 6, 7, 9];
        for (i, d) in days.iter().enumerate() {
            log.add(i as u64 + 1, &call(&format!("2026-11-{d:02} 10:00"), "d1", Some(false), &us));
        }
        let found = log.finish();
        assert!(found.for_row(7).is_empty());
        let f = found.for_row(8);
        assert_eq!(f[0].to_string(), "N4:8th call in 7 days (2026-11-01 to 2026-11-07), limit 7");
        assert_eq!(f[0].rows.len(), 7);
        assert!(found.for_row(9).is_empty(), "day 9's window holds days 3 to 9: 7 calls");

        let mut log = ContactLog::new(&us);
        log.add(1, &call("2026-11-01 10:00", "d1", Some(true), &us));
        log.add(2, &call("2026-11-07 10:00", "d1", Some(false), &us));
        log.add(3, &call("2026-11-08 10:00", "d1", Some(false), &us));
        let found = log.finish();
        assert_eq!(
            found.for_row(2)[0].to_string(),
            "N4:call within 7 days after the conversation on 2026-11-01"
        );
        assert_eq!(found.for_row(2)[0].rows, [1]);
        assert!(found.for_row(3).is_empty());
    }
}
