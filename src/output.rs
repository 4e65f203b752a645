//! Printing verdicts: one [`Format`] type and one [`Printer`] per output, each a [`Sink`]
//! that turns (input, line, text, verdict) into text lines, JSON Lines or CSV rows.

mod json;

pub use json::{Record, ScoreMap, UnitRecord, round6};

use crate::cues::CueMatch;
use crate::label::Label;
use crate::verdict::Verdict;
use std::fmt;
use std::io::{self, Write};
use std::str::FromStr;

/// Output formats. Each command accepts the ones that make sense for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Human-readable text.
    Text,
    /// One JSON record per line.
    Jsonl,
    /// CSV with a header row.
    Csv,
    /// One pretty-printed JSON document (reports).
    Json,
}

impl Format {
    /// The name used on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Jsonl => "jsonl",
            Format::Csv => "csv",
            Format::Json => "json",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A format name that is not text, jsonl, csv or json.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown format {0:?}")]
pub struct FormatError(pub String);

impl FromStr for Format {
    type Err = FormatError;
    fn from_str(s: &str) -> Result<Self, FormatError> {
        match s {
            "text" => Ok(Format::Text),
            "jsonl" => Ok(Format::Jsonl),
            "csv" => Ok(Format::Csv),
            "json" => Ok(Format::Json),
            other => Err(FormatError(other.to_string())),
        }
    }
}

/// Where verdicts go, one message at a time, in input order.
pub trait Sink {
    /// Prints the verdict `v` on `text`, line `line` of the input `file`.
    fn verdict(&mut self, file: &str, line: u64, text: &str, v: &Verdict) -> io::Result<()>;
    /// Prints whatever ends the output and flushes it.
    fn finish(&mut self) -> io::Result<()>;
}

/// `label  confidence  message  [code text, ...]` per message, optionally in colour.
pub struct Standard<W> {
    out: W,
    color: bool,
}

impl<W: Write> Sink for Standard<W> {
    fn verdict(&mut self, _file: &str, _line: u64, text: &str, v: &Verdict) -> io::Result<()> {
        write_text(&mut self.out, text, v, self.color)
    }
    fn finish(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// The message itself, as read (grep-like output).
pub struct Lines<W> {
    out: W,
}

impl<W: Write> Sink for Lines<W> {
    fn verdict(&mut self, _file: &str, _line: u64, text: &str, _v: &Verdict) -> io::Result<()> {
        self.out.write_all(text.as_bytes())?;
        self.out.write_all(b"\n")
    }
    fn finish(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// One [`Record`] per message as a JSON line.
pub struct Jsonl<W> {
    out: W,
    buf: Vec<u8>,
}

impl<W: Write> Sink for Jsonl<W> {
    fn verdict(&mut self, file: &str, line: u64, text: &str, v: &Verdict) -> io::Result<()> {
        self.buf.clear();
        Record::new(file, line, text, v).encode(&mut self.buf);
        self.out.write_all(&self.buf)
    }
    fn finish(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// CSV: `file,line,text` and the verdict columns, after a header row.
pub struct Csv<W: Write> {
    out: csv::Writer<W>,
}

impl<W: Write> Sink for Csv<W> {
    fn verdict(&mut self, file: &str, line: u64, text: &str, v: &Verdict) -> io::Result<()> {
        let line = line.to_string();
        let mut rec: Vec<&str> = vec![file, &line, text];
        let fields = verdict_fields(v);
        rec.extend(fields.iter().map(String::as_str));
        self.out.write_record(&rec).map_err(csv_io)
    }
    fn finish(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// Only the number of messages, at the end.
pub struct Count<W> {
    out: W,
    n: u64,
}

impl<W: Write> Sink for Count<W> {
    fn verdict(&mut self, _file: &str, _line: u64, _text: &str, _v: &Verdict) -> io::Result<()> {
        self.n += 1;
        Ok(())
    }
    fn finish(&mut self) -> io::Result<()> {
        writeln!(self.out, "{}", self.n)?;
        self.out.flush()
    }
}

/// A CSV writer's error as the I/O error it is (a closed pipe stays a closed pipe).
pub(crate) fn csv_io(e: csv::Error) -> io::Error {
    if !e.is_io_error() {
        return io::Error::other(e);
    }
    match e.into_kind() {
        csv::ErrorKind::Io(io) => io,
        _ => unreachable!("checked to be an I/O error"),
    }
}

/// One of the printers, chosen at run time.
pub enum Printer<W: Write> {
    /// See [`Standard`].
    Standard(Standard<W>),
    /// See [`Lines`].
    Lines(Lines<W>),
    /// See [`Jsonl`].
    Jsonl(Jsonl<W>),
    /// See [`Csv`] (boxed: the CSV writer is large).
    Csv(Box<Csv<W>>),
    /// See [`Count`].
    Count(Count<W>),
}

impl<W: Write> Printer<W> {
    /// The printer for `format` (text as [`Standard`]); CSV starts with its header.
    pub fn new(format: Format, out: W, color: bool) -> io::Result<Self> {
        Ok(match format {
            Format::Text => Printer::Standard(Standard { out, color }),
            Format::Jsonl | Format::Json => Printer::Jsonl(Jsonl { out, buf: Vec::new() }),
            Format::Csv => {
                let mut out = csv::Writer::from_writer(out);
                let mut header = vec!["file", "line", "text"];
                header.extend(VERDICT_COLUMNS);
                out.write_record(&header).map_err(csv_io)?;
                Printer::Csv(Box::new(Csv { out }))
            }
        })
    }

    /// Prints the message text only.
    pub fn lines(out: W) -> Self {
        Printer::Lines(Lines { out })
    }

    /// Prints only how many messages there were.
    pub fn count(out: W) -> Self {
        Printer::Count(Count { out, n: 0 })
    }

    fn sink(&mut self) -> &mut dyn Sink {
        match self {
            Printer::Standard(p) => p,
            Printer::Lines(p) => p,
            Printer::Jsonl(p) => p,
            Printer::Csv(p) => p.as_mut(),
            Printer::Count(p) => p,
        }
    }
}

impl<W: Write> Sink for Printer<W> {
    fn verdict(&mut self, file: &str, line: u64, text: &str, v: &Verdict) -> io::Result<()> {
        self.sink().verdict(file, line, text, v)
    }
    fn finish(&mut self) -> io::Result<()> {
        self.sink().finish()
    }
}

/// How a printer turns one message into bytes when that needs no state of its own: such
/// output can be made on the worker threads, leaving the printer only to write it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoder {
    /// As [`Standard`] prints.
    Text {
        /// Colour, as [`write_text`] takes it.
        color: bool,
    },
    /// As [`Lines`] prints.
    Lines,
    /// As [`Jsonl`] prints.
    Jsonl,
    /// Nothing ([`Count`] only counts).
    Nothing,
}

impl Encoder {
    /// Appends what the printer prints for the verdict `v` on `text`, line `line` of `file`.
    pub fn encode(self, file: &str, line: u64, text: &str, v: &Verdict, out: &mut Vec<u8>) {
        match self {
            Encoder::Text { color } => write_text(out, text, v, color).expect("writing to memory"),
            Encoder::Lines => {
                out.extend_from_slice(text.as_bytes());
                out.push(b'\n');
            }
            Encoder::Jsonl => Record::new(file, line, text, v).encode(out),
            Encoder::Nothing => {}
        }
    }
}

impl<W: Write> Printer<W> {
    /// The printer's [`Encoder`], unless its output depends on what came before (CSV).
    pub fn encoder(&self) -> Option<Encoder> {
        match self {
            Printer::Standard(p) => Some(Encoder::Text { color: p.color }),
            Printer::Lines(_) => Some(Encoder::Lines),
            Printer::Jsonl(_) => Some(Encoder::Jsonl),
            Printer::Csv(_) => None,
            Printer::Count(_) => Some(Encoder::Nothing),
        }
    }

    /// Prints `bytes` that the printer's [`Encoder`] made for `messages` messages.
    pub fn encoded(&mut self, bytes: &[u8], messages: u64) -> io::Result<()> {
        match self {
            Printer::Standard(p) => p.out.write_all(bytes),
            Printer::Lines(p) => p.out.write_all(bytes),
            Printer::Jsonl(p) => p.out.write_all(bytes),
            Printer::Csv(_) => Err(io::Error::other("CSV rows are written one at a time")),
            Printer::Count(p) => {
                p.n += messages;
                Ok(())
            }
        }
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
pub const VERDICT_COLUMNS: [&str; 7] =
    ["label", "confidence", "p_compliant", "p_threatening", "p_harassing", "cues", "decided_by"];

/// The verdict's CSV fields, in [`VERDICT_COLUMNS`] order.
pub fn verdict_fields(v: &Verdict) -> [String; 7] {
    [
        v.label.to_string(),
        format!("{:.4}", v.confidence),
        format!("{:.4}", v.scores[0]),
        format!("{:.4}", v.scores[1]),
        format!("{:.4}", v.scores[2]),
        cues_field(&v.matches),
        v.decided_by.as_str().to_string(),
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
            write!(w, "{}\x1b[4m{}{}{RESET}", &text[at..s], label_color(l), &text[s..e])?;
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
    if v.decided_by == crate::verdict::DecidedBy::OutOfScope {
        w.write_all(b"  (out of scope: no Chinese text)")?;
    }
    w.write_all(b"\n")
}
