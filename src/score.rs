//! Scoring a CSV table: every row and column kept, in order, plus the verdict columns
//! ([`output::VERDICT_COLUMNS`]) for the message column.

mod flexible;

use crate::batch::{BATCH_LINES, classify_all};
use crate::output;
use crate::source::{Notice, Notify};
use crate::table::{Table, TableError};
use crate::{Classifier, Verdict};
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
}

/// How to read the table.
#[derive(Debug, Clone, Default)]
pub struct ScoreOptions {
    /// The message column (default: picked by [`Table::text_column`]).
    pub text_column: Option<String>,
    /// Keep rows whose field count differs from the header's: short rows padded, the
    /// extra fields of long rows under `extra_1`, `extra_2`, … (see [`Scorer::write_to`]).
    pub flexible: bool,
    /// The byte between fields (default: detected, see [`Table::with_delimiter`]); the
    /// output uses the same.
    pub delimiter: Option<u8>,
}

/// A table ready to score: header read and message column chosen.
pub struct Scorer<'c, R: Read> {
    classifier: &'c Classifier,
    table: Table<R>,
    column: usize,
    flexible: bool,
}

impl<'c, R: Read> Scorer<'c, R> {
    /// Reads the header of the table `input` and picks its message column; `None` for
    /// an empty input (told to `notify`), which has nothing to score.
    pub fn new(
        classifier: &'c Classifier,
        reader: R,
        input: &str,
        options: &ScoreOptions,
        notify: &Notify,
    ) -> Result<Option<Self>, TableError> {
        let table = Table::with_delimiter(reader, input, options.flexible, options.delimiter)?;
        if table.headers().is_empty() {
            notify(Notice::EmptyTable { input: input.to_string() });
            return Ok(None);
        }
        let column = table.text_column(options.text_column.as_deref(), notify)?;
        Ok(Some(Scorer { classifier, table, column, flexible: options.flexible }))
    }

    /// The index of the message column.
    pub fn text_column(&self) -> usize {
        self.column
    }

    /// The output header: the input's columns, then the verdict columns (prefixed with
    /// `collectguard_` where a name clashes with an input column).
    pub fn header(&self) -> Vec<String> {
        let mut header: Vec<String> = self.table.headers().iter().map(str::to_string).collect();
        for c in output::VERDICT_COLUMNS {
            let name =
                if header.iter().any(|h| h == c) { format!("collectguard_{c}") } else { c.to_string() };
            header.push(name);
        }
        header
    }

    /// Scores every row into `out` as CSV, calling `progress` with the rows done after
    /// each batch; returns the number of rows. A flexible table's rows are written at the
    /// end, once the widest is known: its extra fields get columns `extra_1`, … before the
    /// verdict columns.
    pub fn write_to<W: Write>(mut self, out: W, progress: &mut dyn FnMut(u64)) -> Result<u64, ScoreError> {
        if self.flexible {
            return self.write_flexible(out, progress);
        }
        let width = self.table.headers().len();
        let mut writer = csv::WriterBuilder::new()
            .flexible(self.flexible)
            .delimiter(self.table.delimiter())
            .from_writer(out);
        writer.write_record(self.header()).map_err(output::csv_io)?;
        let mut rows = 0u64;
        let mut batch = Vec::with_capacity(BATCH_LINES);
        let mut more = true;
        while more {
            more = self.table.read_batch(&mut batch, BATCH_LINES)?;
            let col = self.column;
            let verdicts: Vec<Verdict> =
                classify_all(&batch, |r| self.classifier.classify(r.get(col).unwrap_or("")));
            for (rec, v) in batch.iter().zip(&verdicts) {
                let mut fields: Vec<&str> = rec.iter().collect();
                while fields.len() < width {
                    fields.push("");
                }
                let extra = output::verdict_fields(v);
                fields.extend(extra.iter().map(String::as_str));
                writer.write_record(&fields).map_err(output::csv_io)?;
            }
            rows += batch.len() as u64;
            progress(rows);
        }
        writer.flush()?;
        Ok(rows)
    }
}
