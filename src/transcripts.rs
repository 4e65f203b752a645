//! Synthetic call transcripts built from labelled messages (a test hook, with the
//! `testing` feature): collector turns from compliant collector messages, customer turns
//! from debtor replies, one message inserted as a collector or customer turn. The unit
//! tests and the unit-threshold measurement (`examples/unit_threshold.rs`) use them.

use crate::label::Label;

/// Cue tags of compliant messages a collector would say.
const COLLECTOR_TAGS: &[&str] =
    &["C-credit", "C-fee", "C-identity", "C-lawsuit", "C-relief", "C-reminder", "C-visit"];

/// A labelled message with its cue tag (the `cue` column of `data/test.csv`).
#[derive(Debug, Clone)]
pub struct Tagged {
    /// The message.
    pub text: String,
    /// Its label.
    pub label: Label,
    /// Its cue tag (`C-reminder`, `T1`, `C-reply`, …).
    pub tag: String,
}

/// The pools turns are drawn from.
#[derive(Debug, Default)]
pub struct Pools {
    /// Compliant collector messages.
    pub collector: Vec<String>,
    /// Debtor replies.
    pub reply: Vec<String>,
    /// Violating collector messages (every threat and harassment code).
    pub violating: Vec<String>,
    /// Insults and profanity (H1, H2), for customer turns.
    pub abuse: Vec<String>,
}

impl Pools {
    /// Sorts `rows` into the pools: single-line messages that are not dialogues
    /// themselves (no speaker label), so that each is one turn.
    pub fn new(rows: &[Tagged]) -> Self {
        let mut p = Pools::default();
        let dialogue = |t: &str| {
            t.chars().take(8).any(|c| c == '：' || c == ':')
                || [
                    "坐席",
                    "催收员",
                    "催收：",
                    "客户：",
                    "客服：",
                    "业务员",
                    "用户：",
                    "借款人：",
                    "债务人：",
                    "联系人：",
                    "我：",
                ]
                .iter()
                .any(|w| t.contains(w))
        };
        for r in rows.iter().filter(|r| !r.text.contains(['\n', '\r']) && !dialogue(&r.text)) {
            let tag = r.tag.as_str();
            match r.label {
                Label::Compliant if COLLECTOR_TAGS.contains(&tag) => p.collector.push(r.text.clone()),
                Label::Compliant if tag == "C-reply" => p.reply.push(r.text.clone()),
                Label::Threatening | Label::Harassing if tag.len() == 2 => {
                    p.violating.push(r.text.clone());
                    if tag == "H1" || tag == "H2" {
                        p.abuse.push(r.text.clone());
                    }
                }
                _ => {}
            }
        }
        p
    }
}

/// Where the inserted message goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// The first turn.
    Start,
    /// The middle turn.
    Middle,
    /// The last turn.
    End,
}

/// A transcript and where its inserted turn is.
#[derive(Debug, Clone)]
pub struct Transcript {
    /// The whole call, one turn a line.
    pub text: String,
    /// Byte range of the inserted message, if any.
    pub inserted: Option<std::ops::Range<usize>>,
}

/// A small deterministic generator (SplitMix64).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from `seed`.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// The next number below `n`.
    pub fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) % n as u64) as usize
    }

    fn pick<'a>(&mut self, v: &'a [String]) -> &'a str {
        &v[self.below(v.len())]
    }
}

/// A call of at least `chars` characters of alternating 坐席 / 客户 turns (every other
/// line with a `[mm:ss]` timestamp), with `insert` said by the collector (or, with
/// `by_customer`, by the customer) at `place`.
pub fn call(pools: &Pools, rng: &mut Rng, chars: usize, insert: Option<(&str, Place, bool)>) -> Transcript {
    let mut turns: Vec<(bool, String)> = Vec::new();
    let mut len = 0;
    while len < chars || turns.len() < 2 {
        let collector = turns.len().is_multiple_of(2);
        let t = if collector { rng.pick(&pools.collector) } else { rng.pick(&pools.reply) };
        len += t.chars().count() + 3;
        turns.push((collector, t.to_string()));
    }
    let mut at = None;
    if let Some((text, place, by_customer)) = insert {
        let i = match place {
            Place::Start => 0,
            Place::Middle => turns.len() / 2,
            Place::End => turns.len(),
        };
        turns.insert(i, (!by_customer, text.to_string()));
        at = Some(i);
    }
    let mut out = String::new();
    let mut inserted = None;
    for (i, (collector, t)) in turns.iter().enumerate() {
        if i % 2 == 1 {
            out.push_str(&format!("[{:02}:{:02}] ", i / 6, (i * 10) % 60));
        }
        out.push_str(if *collector { "坐席：" } else { "客户：" });
        if at == Some(i) {
            inserted = Some(out.len()..out.len() + t.len());
        }
        out.push_str(t);
        out.push('\n');
    }
    Transcript { text: out, inserted }
}
