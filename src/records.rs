//! JSON Lines records for pipelines: one JSON object per line, its text field classified,
//! every field passed through to the output record with the verdict (and the rules'
//! findings) added. The counting rules run on the stream as a gate sees it
//! ([`ContactWatch`]): each call against the calls before it.

use crate::batch::{BATCH_LINES, classify_all};
use crate::input::Lines;
use crate::output::{ScoreMap, UnitRecord, round6};
use crate::rules::{ContactWatch, Finding, Message, RuleSet, Values};
use crate::source::{Notice, Notify};
use crate::{Classifier, Label, Verdict};
use serde_json::{Map, Value};
use std::io::{self, BufRead, Write};

/// Errors reading or writing JSON Lines records.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// A line is not a JSON object.
    #[error("{input}: line {line}: not a JSON object: {reason}")]
    NotAnObject {
        /// The input's name.
        input: String,
        /// The 1-based line.
        line: u64,
        /// What is wrong.
        reason: String,
    },
    /// Reading the input or writing the records failed.
    #[error("{input}: reading or writing records")]
    Io {
        /// The input's name.
        input: String,
        /// Why.
        source: io::Error,
    },
}

/// The fields a record's message and the rules are read from.
#[derive(Debug, Clone)]
pub struct FieldNames {
    /// The message text (a record without it is the empty message).
    pub text: String,
    /// When it was sent (a string in any form [`rules::parse_time`] reads, or a number).
    pub time: Option<String>,
    /// The debtor.
    pub debtor: Option<String>,
    /// Who received it (a number, or a relation word).
    pub recipient: Option<String>,
    /// The recipient's relation to the debtor.
    pub relation: Option<String>,
    /// How it was sent.
    pub channel: Option<String>,
    /// Whether a call was answered.
    pub answered: Option<String>,
}

impl Default for FieldNames {
    fn default() -> Self {
        FieldNames {
            text: "text".to_string(),
            time: None,
            debtor: None,
            recipient: None,
            relation: None,
            channel: None,
            answered: None,
        }
    }
}

/// A record read and its text, before classification.
pub struct Parsed {
    line: u64,
    object: Map<String, Value>,
    text: String,
}

/// A field's value as text: strings as they are, numbers and booleans written out, null
/// and objects as nothing.
fn field(object: &Map<String, Value>, name: Option<&str>) -> Option<String> {
    match object.get(name?)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Classifies records and checks the rules on them, in order.
pub struct RecordScorer<'c> {
    classifier: &'c Classifier,
    rules: Option<RuleSet>,
    fields: FieldNames,
    watch: Option<ContactWatch>,
    input: String,
    notify: Notify,
}

impl<'c> RecordScorer<'c> {
    /// A scorer for the records of `input`; `rules` `None` adds no findings.
    pub fn new(
        classifier: &'c Classifier,
        rules: Option<RuleSet>,
        fields: FieldNames,
        input: &str,
        notify: &Notify,
    ) -> Self {
        let watch = rules.as_ref().filter(|r| r.counts_contacts()).map(ContactWatch::new);
        RecordScorer { classifier, rules, fields, watch, input: input.to_string(), notify: notify.clone() }
    }

    /// Reads line `line` as a record.
    pub fn parse(&self, line: u64, text: &str) -> Result<Parsed, RecordError> {
        let bad = |reason: String| RecordError::NotAnObject { input: self.input.clone(), line, reason };
        let object = match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(o)) => o,
            Ok(other) => return Err(bad(format!("a JSON {}", kind(&other)))),
            Err(e) => return Err(bad(e.to_string())),
        };
        let text = field(&object, Some(&self.fields.text)).unwrap_or_default();
        Ok(Parsed { line, object, text })
    }

    /// The output record for `p` with verdict `v`: its fields, then `label`, `confidence`,
    /// `scores`, `decided_by`, `matches` and with rules `findings` and `flagged` (each
    /// prefixed with `collectguard_` where the record has a field of that name).
    pub fn record(&mut self, p: Parsed, v: &Verdict) -> Map<String, Value> {
        let Parsed { line, mut object, text } = p;
        let mut findings: Option<Vec<Finding>> = None;
        if let Some(set) = &self.rules {
            let f = &self.fields;
            let get = |name: &Option<String>| {
                field(&object, name.as_deref()).map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
            };
            let (time, debtor, to, relation, channel, answered) = (
                get(&f.time),
                get(&f.debtor),
                get(&f.recipient),
                get(&f.relation),
                get(&f.channel),
                get(&f.answered),
            );
            let values = Values {
                time: time.as_deref(),
                debtor: debtor.as_deref(),
                recipient: to.as_deref(),
                relation: relation.as_deref(),
                channel: channel.as_deref(),
                answered: answered.as_deref(),
            };
            let (m, unreadable) = Message::read(&text, values, set.tz);
            if let Some(value) = unreadable {
                (self.notify)(Notice::BadTime {
                    input: self.input.clone(),
                    row: line,
                    value: value.to_string(),
                });
            }
            let mut all = set.check(&m);
            if let Some(w) = &mut self.watch {
                all.extend(w.check(line, &m));
            }
            all.sort_by_key(|f| f.code);
            findings = Some(all);
        }
        let mut put = |key: &str, value: Value| {
            let key = if object.contains_key(key) { format!("collectguard_{key}") } else { key.to_string() };
            object.insert(key, value);
        };
        put("label", Value::from(v.label.as_str()));
        put("confidence", Value::from(round6(v.confidence)));
        put("scores", to_value(&ScoreMap::new(v.scores)));
        put("decided_by", Value::from(v.decided_by.as_str()));
        put("matches", to_value(&v.matches));
        if !v.allowed.is_empty() {
            put("allowed", to_value(&v.allowed));
        }
        if !v.units.is_empty() {
            put("units", to_value(&v.units.iter().map(UnitRecord::new).collect::<Vec<_>>()));
        }
        if let Some(f) = findings {
            let flagged = v.label != Label::Compliant || !f.is_empty();
            put("findings", to_value(&f));
            put("flagged", Value::from(flagged));
        }
        object
    }

    /// Reads every record of `lines` (blank lines skipped), classifies them in batches
    /// (one record at a time with `line_buffered`, each flushed as it is written: a gate
    /// that writes a message and reads its verdict) and writes one JSON line per record to
    /// `out`; returns the number of records.
    pub fn run<R: BufRead, W: Write>(
        &mut self,
        lines: &mut Lines<R>,
        mut out: W,
        line_buffered: bool,
    ) -> Result<u64, RecordError> {
        let input = self.input.clone();
        let io_err = |source| RecordError::Io { input: input.clone(), source };
        let batch_size = if line_buffered { 1 } else { BATCH_LINES };
        let (mut line_no, mut records) = (0u64, 0u64);
        let mut text = String::new();
        let mut buf = Vec::new();
        let mut done = false;
        while !done {
            let mut batch = Vec::with_capacity(batch_size);
            while batch.len() < batch_size {
                text.clear();
                if !lines.read_line_into(&mut text).map_err(io_err)? {
                    done = true;
                    break;
                }
                line_no += 1;
                if !text.trim().is_empty() {
                    batch.push(self.parse(line_no, &text)?);
                }
            }
            let verdicts = classify_all(&batch, |p| self.classifier.classify(&p.text));
            for (p, v) in batch.into_iter().zip(&verdicts) {
                let record = self.record(p, v);
                buf.clear();
                serde_json::to_writer(&mut buf, &record).expect("a JSON map always serialises");
                buf.push(b'\n');
                out.write_all(&buf).map_err(io_err)?;
                records += 1;
                if line_buffered {
                    out.flush().map_err(io_err)?;
                }
            }
        }
        out.flush().map_err(io_err)?;
        Ok(records)
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// A verdict part as a JSON value.
fn to_value<T: serde::Serialize + ?Sized>(x: &T) -> Value {
    serde_json::to_value(x).expect("verdict parts always serialise")
}
