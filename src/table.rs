//! Reading CSV tables: the header, the message column (named, or picked by a known name
//! or as the only column), rows in batches, and errors that name the row. Used by
//! scoring, evaluation and training alike.

mod lines;

use crate::input::Encoding;
use crate::label::{Label, LabelError};
use crate::model::DataFile;
use crate::source::{self, Notice, Notify, SourceError};
use crate::train::Example;
use csv::StringRecord;
use lines::LineCounter;
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

/// Column names taken as the message, in order of preference.
pub const TEXT_COLUMNS: &[&str] = &[
    "text",
    "content",
    "message",
    "msg",
    "body",
    "sms",
    "内容",
    "短信内容",
    "消息内容",
    "消息",
    "文本",
    "短信",
    "通话内容",
    "催收内容",
];

/// Errors reading a table.
#[derive(Debug, thiserror::Error)]
pub enum TableError {
    /// Opening or decoding the input failed.
    #[error(transparent)]
    Source(#[from] SourceError),
    /// The named message column is not in the header.
    #[error("{input}: no column named {wanted:?}; the columns are {columns}")]
    NoSuchColumn {
        /// The input's name.
        input: String,
        /// The column asked for.
        wanted: String,
        /// The header, quoted and comma-separated.
        columns: String,
    },
    /// No column is known to hold the message, and there is more than one.
    #[error(
        "{input}: cannot tell which column holds the message; the columns are {columns}; name one with --text-column"
    )]
    NoTextColumn {
        /// The input's name.
        input: String,
        /// The header, quoted and comma-separated.
        columns: String,
    },
    /// A named column (label, group) is not in the header.
    #[error("{input}: no {what} column {wanted:?}; the columns are {columns:?}")]
    NoLabelColumn {
        /// The input's name.
        input: String,
        /// What the column was wanted for.
        what: &'static str,
        /// The column asked for.
        wanted: String,
        /// The header.
        columns: Vec<String>,
    },
    /// A row's field count differs from the header's (and the table is not flexible).
    #[error(
        "{input}: row {row} (line {line}) has {len} fields but the header has {expected}; fix the file{hint}"
    )]
    Ragged {
        /// What else can be done (`, or pass --flexible` where the command has it).
        hint: &'static str,
        /// The input's name.
        input: String,
        /// The row number (`?` if unknown).
        row: String,
        /// The line number (`?` if unknown).
        line: String,
        /// Fields in the row.
        len: u64,
        /// Fields in the header.
        expected: u64,
    },
    /// Rows whose label is not one of the three (all of them, in order).
    #[error("{input}: {} row(s) with a bad label: {}", bad.len(), bad.iter().map(|(row, e)| format!("row {row}: {e}")).collect::<Vec<_>>().join("; "))]
    BadLabel {
        /// The input's name.
        input: String,
        /// 1-based row numbers (header excluded) and what is wrong with each.
        bad: Vec<(usize, LabelError)>,
    },
    /// Any other CSV error.
    #[error("{input}: {error}")]
    Csv {
        /// The input's name.
        input: String,
        /// The csv crate's error.
        error: csv::Error,
    },
}

impl TableError {
    /// The error for a command that has no `--flexible`.
    fn without_flexible(mut self) -> Self {
        if let TableError::Ragged { hint, .. } = &mut self {
            *hint = "";
        }
        self
    }

    fn csv(input: &str, e: csv::Error) -> Self {
        if let csv::ErrorKind::UnequalLengths { pos, expected_len, len } = e.kind() {
            return TableError::Ragged {
                hint: ", or pass --flexible",
                input: input.to_string(),
                row: pos.as_ref().map_or(String::from("?"), |p| p.record().to_string()),
                line: pos.as_ref().map_or(String::from("?"), |p| p.line().to_string()),
                len: *len,
                expected: *expected_len,
            };
        }
        TableError::Csv { input: input.to_string(), error: e }
    }
}

/// A table being read: its header and its rows, from CSV text or from rows already read
/// (a workbook's sheet).
pub struct Table<R: Read> {
    input: String,
    rows: Rows<R>,
    headers: StringRecord,
    delimiter: u8,
}

/// Where a table's rows come from.
enum Rows<R: Read> {
    Csv(csv::Reader<LineCounter<R>>),
    /// Shared, so that a second pass reads them again without a copy; the next row's index.
    Read(Arc<[StringRecord]>, usize),
}

impl<R: Read> Table<R> {
    /// Reads the header of the table `input` from `reader`; `flexible` accepts rows whose
    /// field count differs from the header's.
    pub fn new(reader: R, input: &str, flexible: bool) -> Result<Self, TableError> {
        Self::with_delimiter(reader, input, flexible, None)
    }

    /// As [`Table::new`], with fields separated by `delimiter`; without one, by a tab if
    /// the header line has tabs and no commas (Excel's "Unicode text"), else by commas.
    pub fn with_delimiter(
        reader: R,
        input: &str,
        flexible: bool,
        delimiter: Option<u8>,
    ) -> Result<Self, TableError> {
        let mut lines = LineCounter::new(reader);
        let delimiter = match delimiter {
            Some(d) => d,
            None => {
                let first = lines.first_line().map_err(|e| TableError::csv(input, e.into()))?;
                if first.contains(&b'\t') && !first.contains(&b',') { b'\t' } else { b',' }
            }
        };
        let mut reader = csv::ReaderBuilder::new().flexible(flexible).delimiter(delimiter).from_reader(lines);
        let headers = reader.headers().map_err(|e| TableError::csv(input, e))?.clone();
        Ok(Table { input: input.to_string(), rows: Rows::Csv(reader), headers, delimiter })
    }

    /// A table of rows already read (a workbook's sheet), each as wide as `headers`; it is
    /// written out with commas.
    pub fn from_rows(input: &str, headers: StringRecord, rows: Arc<[StringRecord]>) -> Self {
        Table { input: input.to_string(), rows: Rows::Read(rows, 0), headers, delimiter: b',' }
    }

    /// The byte between fields.
    pub fn delimiter(&self) -> u8 {
        self.delimiter
    }

    /// The input's name.
    pub fn input(&self) -> &str {
        &self.input
    }

    /// The header row.
    pub fn headers(&self) -> &StringRecord {
        &self.headers
    }

    /// The column holding the message: `wanted` if given, else the first column with a
    /// name in [`TEXT_COLUMNS`], else the only column; a guess is told to `notify`.
    pub fn text_column(&self, wanted: Option<&str>, notify: &Notify) -> Result<usize, TableError> {
        let names: Vec<&str> = self.headers.iter().collect();
        let list = || names.iter().map(|n| format!("{n:?}")).collect::<Vec<_>>().join(", ");
        let input = self.input.clone();
        if let Some(w) = wanted {
            return names.iter().position(|n| n.trim() == w).ok_or_else(|| TableError::NoSuchColumn {
                input,
                wanted: w.to_string(),
                columns: list(),
            });
        }
        for cand in TEXT_COLUMNS {
            if let Some(i) =
                names.iter().position(|n| n.trim().trim_start_matches('\u{feff}').eq_ignore_ascii_case(cand))
            {
                notify(Notice::TextColumn { input, column: names[i].to_string(), only: false });
                return Ok(i);
            }
        }
        if names.len() == 1 {
            notify(Notice::TextColumn { input, column: names[0].to_string(), only: true });
            return Ok(0);
        }
        Err(TableError::NoTextColumn { input, columns: list() })
    }

    /// The label column named `name` (surrounding spaces ignored).
    pub fn label_column(&self, name: &str) -> Result<usize, TableError> {
        self.named_column(name, "label")
    }

    /// The column named `name` (surrounding spaces ignored), wanted as `what`.
    pub fn named_column(&self, name: &str, what: &'static str) -> Result<usize, TableError> {
        self.headers.iter().position(|h| h.trim() == name).ok_or_else(|| TableError::NoLabelColumn {
            input: self.input.clone(),
            what,
            wanted: name.to_string(),
            columns: self.headers.iter().map(str::to_string).collect(),
        })
    }

    /// Replaces `batch` with up to `max` further rows; false once the table is exhausted
    /// (the batch may still hold its last rows).
    pub fn read_batch(&mut self, batch: &mut Vec<StringRecord>, max: usize) -> Result<bool, TableError> {
        batch.clear();
        while batch.len() < max {
            let mut rec = StringRecord::new();
            match self.next_row(&mut rec)? {
                true => batch.push(rec),
                false => return Ok(false),
            }
        }
        Ok(true)
    }

    /// The remaining rows, one at a time.
    pub fn rows(&mut self) -> impl Iterator<Item = Result<StringRecord, TableError>> + '_ {
        std::iter::from_fn(move || {
            let mut rec = StringRecord::new();
            match self.next_row(&mut rec) {
                Ok(true) => Some(Ok(rec)),
                Ok(false) => None,
                Err(e) => Some(Err(e)),
            }
        })
    }

    /// Reads the next row into `rec`; false at the end. A row error names the line the
    /// row starts on.
    fn next_row(&mut self, rec: &mut StringRecord) -> Result<bool, TableError> {
        let reader = match &mut self.rows {
            Rows::Csv(reader) => reader,
            Rows::Read(rows, next) => {
                let Some(row) = rows.get(*next) else { return Ok(false) };
                rec.clone_from(row);
                *next += 1;
                return Ok(true);
            }
        };
        match reader.read_record(rec) {
            Ok(more) => {
                if let Some(pos) = rec.position().filter(|_| more) {
                    reader.get_mut().forget_before(pos.byte());
                }
                Ok(more)
            }
            Err(e) => {
                let at = e.position().map(|p| reader.get_ref().line_at(p.byte()));
                let mut err = TableError::csv(&self.input, e);
                if let (TableError::Ragged { line, .. }, Some(at)) = (&mut err, at) {
                    *line = at.to_string();
                }
                Err(err)
            }
        }
    }
}

/// A labelled table: its messages and what the model records about the file.
pub struct Labelled {
    /// The messages with their labels, in file order.
    pub examples: Vec<Example>,
    /// Each row's value of the grouping column, when one was asked for.
    pub groups: Option<Vec<String>>,
    /// File name, SHA-256 of the bytes and row count.
    pub data: DataFile,
}

/// Reads a labelled CSV (file or `-`): the message column (`text_column` or picked as
/// [`Table::text_column`] picks it) and `label_column`, which every row must fill with
/// a known label; and `group_column`'s value per row, if given. Fields are separated by
/// `delimiter` (or as [`Table::with_delimiter`] detects).
pub fn read_labelled(
    path: &Path,
    text_column: Option<&str>,
    label_column: &str,
    group_column: Option<&str>,
    encoding: Encoding,
    delimiter: Option<u8>,
    notify: &Notify,
) -> Result<Labelled, TableError> {
    let name = source::name(path);
    let bytes = source::read_bytes(path)?;
    let sha256 = format!("{:x}", Sha256::digest(&bytes));
    let decoded = source::decode_bytes(&bytes, encoding, &name, notify)?;
    let mut table = Table::with_delimiter(decoded.as_bytes(), &name, false, delimiter)?;
    let tcol = table.text_column(text_column, notify)?;
    let lcol = table.label_column(label_column)?;
    let gcol = group_column.map(|g| table.named_column(g, "grouping")).transpose()?;
    let mut examples = Vec::new();
    let mut groups = gcol.map(|_| Vec::new());
    let mut bad = Vec::new();
    for (i, rec) in table.rows().enumerate() {
        let rec = rec.map_err(TableError::without_flexible)?;
        let label: Label = match rec.get(lcol).unwrap_or("").parse() {
            Ok(l) => l,
            Err(error) => {
                bad.push((i + 1, error));
                continue;
            }
        };
        examples.push(Example { text: rec.get(tcol).unwrap_or("").to_string(), label });
        if let (Some(g), Some(c)) = (groups.as_mut(), gcol) {
            g.push(rec.get(c).unwrap_or("").to_string());
        }
    }
    if !bad.is_empty() {
        return Err(TableError::BadLabel { input: name, bad });
    }
    let file_name = path.file_name().map_or(name.clone(), |f| f.to_string_lossy().into_owned());
    let rows = examples.len();
    Ok(Labelled { examples, groups, data: DataFile { name: file_name, sha256, rows } })
}
