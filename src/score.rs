//! Scoring a CSV table: every row and column kept, in order, plus the verdict columns
//! ([`output::VERDICT_COLUMNS`]) for the message column, and with a rule set the
//! `findings` and `flagged` columns of the [`rules`].
//!
//! The counting rules need all of a debtor's calls before the first row is written, so
//! with them a table is read twice: [`Scorer::log_contacts`] reads every row and logs its
//! calls, [`Scorer::reread`] starts again at the top, and [`Scorer::write_to`] writes.

mod summary;

pub use summary::{Counts, Summary};

mod flexible;
mod xlsx;

use crate::batch::{BATCH_LINES, classify_all};
use crate::output::{self, ScoreMap, round6};
use crate::rules::{self, ContactFindings, ContactLog, Finding, Have, Message, RuleSet, Values, names};
use crate::source::{Notice, Notify};
use crate::table::{Table, TableError};
use crate::{Classifier, CueMatch, DecidedBy, Label, Verdict};
use csv::StringRecord;
use serde::Serialize;
use serde::ser::SerializeMap;
use std::io::{self, Read, Write};

/// Errors scoring a table.
#[derive(Debug, thiserror::Error)]
pub enum ScoreError {
    /// Reading the table failed.
    #[error(transparent)]
    Table(#[from] TableError),
    /// Writing the scored table failed.
    #[error("cannot write the scored rows")]
    Write(#[from] io::Error),
    /// The scored rows do not fit a workbook (Excel's limits: 1,048,576 rows, 16,384
    /// columns, 32,767 characters in a cell).
    #[error("cannot write the workbook: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
}

/// What the scored rows are written as.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ScoreFormat {
    /// The input's CSV with the verdict columns added.
    #[default]
    Csv,
    /// One JSON object per row: the input's columns, the verdict and the findings.
    Jsonl,
    /// An `.xlsx` workbook: the CSV's columns on one sheet, the header frozen with
    /// filters, violating rows filled (threatening, harassing, flagged by the rules alone).
    Xlsx,
}

/// The columns the rules read, by name; each one not named is picked by the names in
/// [`rules::names`], if the table has one.
#[derive(Debug, Clone, Default)]
pub struct RuleColumnNames {
    /// When the message was sent.
    pub time: Option<String>,
    /// The debtor (id, name or number).
    pub debtor: Option<String>,
    /// Who received it (a number, or a relation word).
    pub recipient: Option<String>,
    /// The recipient's relation to the debtor.
    pub relation: Option<String>,
    /// How it was sent.
    pub channel: Option<String>,
    /// Whether a call was answered.
    pub answered: Option<String>,
    /// The collector (for the summary).
    pub collector: Option<String>,
}

/// How to read the table.
#[derive(Debug, Clone, Default)]
pub struct ScoreOptions {
    /// The message column (default: picked by [`Table::text_column`]).
    pub text_column: Option<String>,
    /// Keep rows whose field count differs from the header's: short rows padded, the
    /// extra fields of long rows under `extra_1`, `extra_2`, … (see [`Scorer::write_to`]).
    pub flexible: bool,
    /// The rules to check; `None` adds no `findings` or `flagged` column.
    pub rules: Option<RuleSet>,
    /// The columns the rules read.
    pub columns: RuleColumnNames,
    /// Look for a collector column, for [`Summary::collectors`].
    pub by_collector: bool,
    /// The output format.
    pub format: ScoreFormat,
    /// The byte between fields (default: detected, see [`Table::with_delimiter`]); the
    /// output uses the same.
    pub delimiter: Option<u8>,
}

/// The indices of the columns the rules read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RuleColumns {
    /// When the message was sent.
    pub time: Option<usize>,
    /// The debtor.
    pub debtor: Option<usize>,
    /// Who received it.
    pub recipient: Option<usize>,
    /// The recipient's relation to the debtor.
    pub relation: Option<usize>,
    /// How it was sent.
    pub channel: Option<usize>,
    /// Whether a call was answered.
    pub answered: Option<usize>,
    /// The collector.
    pub collector: Option<usize>,
}

impl RuleColumns {
    /// Which columns the rules have.
    pub fn have(&self) -> Have {
        Have {
            time: self.time.is_some(),
            debtor: self.debtor.is_some(),
            recipient: self.recipient.is_some() || self.relation.is_some(),
            channel: self.channel.is_some(),
            answered: self.answered.is_some(),
        }
    }

    /// Picks the columns: those `names` names (an error if missing), then the others by
    /// their usual names, never the message column or one already taken; a pick by name
    /// is told to `notify`.
    fn pick<R: Read>(
        table: &Table<R>,
        text: usize,
        names: &RuleColumnNames,
        by_collector: bool,
        notify: &Notify,
    ) -> Result<Self, TableError> {
        let headers: Vec<&str> = table.headers().iter().collect();
        let roles: [(&Option<String>, &[&str], &'static str, bool); 7] = [
            (&names.time, names::TIME_COLUMNS, "time", true),
            (&names.debtor, names::DEBTOR_COLUMNS, "debtor", true),
            (&names.relation, names::RELATION_COLUMNS, "relation", true),
            (&names.recipient, names::RECIPIENT_COLUMNS, "recipient", true),
            (&names.channel, names::CHANNEL_COLUMNS, "channel", true),
            (&names.answered, names::ANSWERED_COLUMNS, "answer status", true),
            (&names.collector, names::COLLECTOR_COLUMNS, "collector", by_collector),
        ];
        let mut taken = vec![text];
        let mut found = [None; 7];
        for (i, (wanted, _, role, _)) in roles.iter().enumerate() {
            if let Some(w) = wanted {
                let c = table.named_column(w, role)?;
                taken.push(c);
                found[i] = Some(c);
            }
        }
        for (i, (wanted, candidates, role, wanted_at_all)) in roles.iter().enumerate() {
            if wanted.is_some() || !wanted_at_all {
                continue;
            }
            let free: Vec<&str> =
                headers.iter().enumerate().map(|(c, h)| if taken.contains(&c) { "" } else { h }).collect();
            if let Some(c) = names::pick(&free, candidates) {
                notify(Notice::Column {
                    input: table.input().to_string(),
                    column: headers[c].to_string(),
                    role,
                });
                taken.push(c);
                found[i] = Some(c);
            }
        }
        let [time, debtor, relation, recipient, channel, answered, collector] = found;
        Ok(RuleColumns { time, debtor, recipient, relation, channel, answered, collector })
    }

    /// The message of `rec`, with what the columns say about it; and the time as written
    /// when it is there but cannot be read.
    pub fn message<'r>(
        &self,
        rules: &RuleSet,
        rec: &'r StringRecord,
        text: &'r str,
    ) -> (Message<'r>, Option<&'r str>) {
        let get = |c: Option<usize>| c.and_then(|i| rec.get(i)).map(str::trim).filter(|v| !v.is_empty());
        let values = Values {
            time: get(self.time),
            debtor: get(self.debtor),
            recipient: get(self.recipient),
            relation: get(self.relation),
            channel: get(self.channel),
            answered: get(self.answered),
        };
        Message::read(text, values, rules.tz)
    }
}

/// Rows whose unreadable time is told one by one; the rest are counted.
const BAD_TIMES_TOLD: u64 = 10;

struct Rules {
    set: RuleSet,
    columns: RuleColumns,
    contacts: ContactFindings,
    counting: bool,
}

/// A table ready to score: header read and message column chosen.
pub struct Scorer<'c, R: Read> {
    classifier: &'c Classifier,
    table: Table<R>,
    column: usize,
    flexible: bool,
    format: ScoreFormat,
    rules: Option<Rules>,
    collector: Option<usize>,
    notify: Notify,
}

impl<'c, R: Read> Scorer<'c, R> {
    /// Reads the header of the table `input` and picks its message column (and the
    /// columns the rules read, telling `notify` which, and which rules cannot run);
    /// `None` for an empty input (told to `notify`), which has nothing to score.
    pub fn new(
        classifier: &'c Classifier,
        reader: R,
        input: &str,
        options: &ScoreOptions,
        notify: &Notify,
    ) -> Result<Option<Self>, TableError> {
        let table = Table::with_delimiter(reader, input, options.flexible, options.delimiter)?;
        Self::from_table(classifier, table, options, notify)
    }

    /// As [`Scorer::new`], on a table already opened (such as a workbook's sheet,
    /// [`crate::workbook::Sheet::table`]).
    pub fn from_table(
        classifier: &'c Classifier,
        table: Table<R>,
        options: &ScoreOptions,
        notify: &Notify,
    ) -> Result<Option<Self>, TableError> {
        let input = table.input().to_string();
        let input = input.as_str();
        if table.headers().is_empty() {
            notify(Notice::EmptyTable { input: input.to_string() });
            return Ok(None);
        }
        let column = table.text_column(options.text_column.as_deref(), notify)?;
        let mut collector = None;
        let rules = match &options.rules {
            Some(set) => {
                let columns =
                    RuleColumns::pick(&table, column, &options.columns, options.by_collector, notify)?;
                let have = columns.have();
                for (code, reason) in set.skipped(&have) {
                    let rule = format!("{code} ({})", code.rule());
                    notify(Notice::RuleSkipped { input: input.to_string(), rule, reason });
                }
                collector = columns.collector;
                let counting = set.counts_contacts() && have.time && have.debtor && have.channel;
                Some(Rules { set: set.clone(), columns, contacts: ContactFindings::none(set), counting })
            }
            None if options.by_collector => {
                let names: Vec<&str> = table.headers().iter().collect();
                collector = match &options.columns.collector {
                    Some(w) => Some(table.named_column(w, "collector")?),
                    None => names::pick(&names, names::COLLECTOR_COLUMNS).filter(|&c| c != column),
                };
                None
            }
            None => None,
        };
        let (flexible, format, notify) = (options.flexible, options.format, notify.clone());
        Ok(Some(Scorer { classifier, table, column, flexible, format, rules, collector, notify }))
    }

    /// The index of the message column.
    pub fn text_column(&self) -> usize {
        self.column
    }

    /// The columns the rules read, when a rule set is given.
    pub fn rule_columns(&self) -> Option<RuleColumns> {
        self.rules.as_ref().map(|r| r.columns)
    }

    /// Whether the table must be read twice: a counting rule can run on it.
    pub fn counts_contacts(&self) -> bool {
        self.rules.as_ref().is_some_and(|r| r.counting)
    }

    /// The first pass: reads every row and logs its calls for the counting rules; with
    /// `spool`, the table is also written there as CSV (header first), for a second pass
    /// over an input that cannot be read twice. Returns the number of calls logged.
    pub fn log_contacts(&mut self, spool: Option<&mut dyn Write>) -> Result<usize, ScoreError> {
        let Some(rules) = &mut self.rules else { return Ok(0) };
        let mut log = ContactLog::new(&rules.set);
        let mut spool = spool.map(|s| csv::WriterBuilder::new().flexible(true).from_writer(s));
        if let Some(w) = &mut spool {
            w.write_record(self.table.headers()).map_err(output::csv_io)?;
        }
        let mut batch = Vec::with_capacity(BATCH_LINES);
        let mut row = 0u64;
        let mut more = true;
        while more {
            more = self.table.read_batch(&mut batch, BATCH_LINES)?;
            for rec in &batch {
                row += 1;
                if rules.counting {
                    log.add(row, &rules.columns.message(&rules.set, rec, "").0);
                }
                if let Some(w) = &mut spool {
                    w.write_record(rec).map_err(output::csv_io)?;
                }
            }
        }
        if let Some(mut w) = spool {
            w.flush()?;
        }
        let calls = log.len();
        rules.contacts = log.finish();
        Ok(calls)
    }

    /// The same scorer on `reader`, the same table read again from the top (its header
    /// skipped), for the second pass after [`Scorer::log_contacts`].
    pub fn reread<R2: Read>(self, reader: R2) -> Result<Scorer<'c, R2>, TableError> {
        let delimiter = Some(self.table.delimiter());
        let table = Table::with_delimiter(reader, self.table.input(), self.flexible, delimiter)?;
        Ok(self.reread_table(table))
    }

    /// As [`Scorer::reread`], on the same table opened again.
    pub fn reread_table<R2: Read>(self, table: Table<R2>) -> Scorer<'c, R2> {
        let Scorer { classifier, column, flexible, format, rules, collector, notify, .. } = self;
        Scorer { classifier, table, column, flexible, format, rules, collector, notify }
    }

    /// The output header: the input's columns, then the verdict columns and `worst_unit`
    /// (the text of the unit that decided a message judged by units), then with rules
    /// `findings` and `flagged` (each prefixed with `collectguard_` where a name clashes
    /// with an input column).
    pub fn header(&self) -> Vec<String> {
        let mut header: Vec<String> = self.table.headers().iter().map(str::to_string).collect();
        let added: &[&str] =
            if self.rules.is_some() { &["worst_unit", "findings", "flagged"] } else { &["worst_unit"] };
        for c in output::VERDICT_COLUMNS.iter().chain(added) {
            let name =
                if header.iter().any(|h| h == c) { format!("collectguard_{c}") } else { c.to_string() };
            header.push(name);
        }
        header
    }

    /// Scores every row into `out` (CSV or JSON Lines), calling `progress` with the rows
    /// done after each batch; returns the summary of the rows.
    pub fn write_to<W: Write>(
        mut self,
        out: W,
        progress: &mut dyn FnMut(u64),
    ) -> Result<Summary, ScoreError> {
        let width = self.table.headers().len();
        let input = self.table.input().to_string();
        let json_keys = json_keys(self.table.headers());
        let mut summary = Summary::new(self.collector.is_some());
        let mut csv_out = None;
        let mut json_out = None;
        let mut sheet_out = None;
        // A flexible table's rows wait in a spool until the widest is known.
        let mut spool = None;
        let mut widest = width;
        let delimiter = self.table.delimiter();
        let mut out = Some(out);
        match self.format {
            ScoreFormat::Csv | ScoreFormat::Xlsx if self.flexible => spool = Some(flexible::Spool::new()?),
            ScoreFormat::Xlsx => {
                sheet_out = Some(xlsx::SheetWriter::new(&self.header(), self.layout(width))?)
            }
            ScoreFormat::Csv => {
                let mut w =
                    csv::WriterBuilder::new().delimiter(delimiter).from_writer(out.take().expect("once"));
                w.write_record(self.header()).map_err(output::csv_io)?;
                csv_out = Some(w);
            }
            ScoreFormat::Jsonl => json_out = Some(io::BufWriter::new(out.take().expect("once"))),
        }
        let mut bad = 0u64;
        let mut rows = 0u64;
        let mut batch = Vec::with_capacity(BATCH_LINES);
        let mut line = Vec::new();
        let mut more = true;
        while more {
            more = self.table.read_batch(&mut batch, BATCH_LINES)?;
            let col = self.column;
            let verdicts: Vec<Verdict> =
                classify_all(&batch, |r| self.classifier.classify(r.get(col).unwrap_or("")));
            for (rec, v) in batch.iter().zip(&verdicts) {
                rows += 1;
                let text = rec.get(col).unwrap_or("");
                let mut findings: Vec<Finding> = Vec::new();
                let mut hour = None;
                if let Some(r) = &self.rules {
                    let (m, unreadable) = r.columns.message(&r.set, rec, text);
                    if let Some(value) = unreadable {
                        bad += 1;
                        if bad <= BAD_TIMES_TOLD {
                            let value = value.to_string();
                            (self.notify)(Notice::BadTime { input: input.clone(), row: rows, value });
                        }
                    }
                    hour = m.time.map(|t| r.set.tz.second_of_day(t) / 3600);
                    findings = r.set.check(&m);
                    findings.extend(r.contacts.for_row(rows));
                    findings.sort_by_key(|f| f.code);
                }
                let collector = self.collector.and_then(|c| rec.get(c));
                summary.add(v.label, &findings, hour, collector);
                let flagged = v.label != Label::Compliant || !findings.is_empty();
                if csv_out.is_some() || spool.is_some() || sheet_out.is_some() {
                    let mut fields: Vec<&str> = rec.iter().collect();
                    while fields.len() < width {
                        fields.push("");
                    }
                    let extra = output::verdict_fields(v);
                    fields.extend(extra.iter().map(String::as_str));
                    // The deciding unit's text, for a message judged by units.
                    fields.push(v.units.iter().find(|u| u.deciding).map_or("", |u| u.span.text.as_str()));
                    let findings_field = rules::findings_field(&findings);
                    if self.rules.is_some() {
                        fields.push(&findings_field);
                        fields.push(if flagged { "true" } else { "false" });
                    }
                    widest = widest.max(rec.len());
                    match (&mut csv_out, &mut spool, &mut sheet_out) {
                        (Some(w), _, _) => w.write_record(&fields).map_err(output::csv_io)?,
                        (None, Some(sp), _) => sp.write(&fields)?,
                        (None, None, Some(sheet)) => sheet.row(&fields)?,
                        (None, None, None) => {}
                    }
                } else if let Some(w) = &mut json_out {
                    let record = RowRecord {
                        file: &input,
                        row: rows,
                        columns: Columns { keys: &json_keys, rec },
                        text,
                        empty: v.decided_by == DecidedBy::Empty,
                        label: v.label,
                        confidence: round6(v.confidence),
                        scores: ScoreMap::new(v.scores),
                        decided_by: v.decided_by,
                        matches: &v.matches,
                        allowed: &v.allowed,
                        units: v.units.iter().map(output::UnitRecord::new).collect(),
                        findings: self.rules.as_ref().map(|_| findings.as_slice()),
                        flagged: self.rules.as_ref().map(|_| flagged),
                    };
                    line.clear();
                    serde_json::to_writer(&mut line, &record).map_err(io::Error::other)?;
                    line.push(b'\n');
                    w.write_all(&line)?;
                }
            }
            progress(rows);
        }
        if bad > BAD_TIMES_TOLD {
            (self.notify)(Notice::MoreBadTimes { input: input.clone(), rows: bad - BAD_TIMES_TOLD });
        }
        if let Some(mut w) = csv_out {
            w.flush()?;
        }
        if let Some(mut w) = json_out {
            w.flush()?;
        }
        if let (Some(sheet), Some(out)) = (sheet_out, out.as_mut()) {
            sheet.finish(out)?;
        }
        if let (Some(sp), Some(mut out)) = (spool, out) {
            let extra: Vec<String> = (1..=widest - width)
                .map(|i| {
                    let name = format!("extra_{i}");
                    if self.table.headers().iter().any(|h| h == name) {
                        format!("collectguard_{name}")
                    } else {
                        name
                    }
                })
                .collect();
            let mut header = self.header();
            header.splice(width..width, extra);
            let added = header.len() - widest;
            if self.format == ScoreFormat::Xlsx {
                let mut sheet = xlsx::SheetWriter::new(&header, self.layout(widest))?;
                sp.finish(widest, added, &mut |fields| sheet.row(fields))?;
                sheet.finish(&mut out)?;
            } else {
                let mut w = csv::WriterBuilder::new().delimiter(delimiter).from_writer(&mut out);
                w.write_record(&header).map_err(output::csv_io)?;
                sp.finish(widest, added, &mut |fields| {
                    w.write_record(fields).map_err(output::csv_io).map_err(ScoreError::from)
                })?;
                w.flush()?;
            }
        }
        Ok(summary)
    }

    /// Where a workbook's sheet finds the columns it reads, with `inputs` input columns.
    fn layout(&self, inputs: usize) -> xlsx::Layout {
        let added = if self.rules.is_some() { 3 } else { 1 };
        let flagged = self.rules.as_ref().map(|_| inputs + output::VERDICT_COLUMNS.len() + added - 1);
        xlsx::Layout { inputs, text: self.column, flagged }
    }
}

/// JSON keys for the input's columns: the header, with `_2`, `_3` … after a repeated name
/// so that no column is lost.
fn json_keys(headers: &StringRecord) -> Vec<String> {
    let mut keys: Vec<String> = Vec::with_capacity(headers.len());
    for h in headers {
        let mut key = h.trim_start_matches('\u{feff}').to_string();
        let mut n = 1;
        while keys.contains(&key) {
            n += 1;
            key = format!("{h}_{n}");
        }
        keys.push(key);
    }
    keys
}

/// A row's columns as a JSON object, in input order (a field past the header is keyed
/// by its 1-based position).
struct Columns<'a> {
    keys: &'a [String],
    rec: &'a StringRecord,
}

impl Serialize for Columns<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.keys.len().max(self.rec.len())))?;
        for (i, key) in self.keys.iter().enumerate() {
            map.serialize_entry(key, self.rec.get(i).unwrap_or(""))?;
        }
        for (i, field) in self.rec.iter().enumerate().skip(self.keys.len()) {
            map.serialize_entry(&(i + 1).to_string(), field)?;
        }
        map.end()
    }
}

/// One scored row as a JSON line (`score --format jsonl`).
#[derive(Serialize)]
struct RowRecord<'a> {
    file: &'a str,
    row: u64,
    columns: Columns<'a>,
    text: &'a str,
    empty: bool,
    label: Label,
    confidence: f64,
    scores: ScoreMap,
    decided_by: DecidedBy,
    matches: &'a [CueMatch],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    allowed: &'a [crate::Allowed],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    units: Vec<output::UnitRecord<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    findings: Option<&'a [Finding]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    flagged: Option<bool>,
}
