//! `--flexible` CSV output: a row wider than the header gets its extra fields under named
//! columns (`extra_1`, `extra_2`, … before the verdict columns) and shorter rows are padded,
//! so the verdict columns always sit under their headers. The widest row is known only at
//! the end, so the scored rows wait in a temporary file until then.

use super::ScoreError;
use crate::output;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Seek};

/// Scored rows (input fields, then the added fields) waiting for the widest row.
pub(super) struct Spool {
    writer: csv::Writer<BufWriter<File>>,
}

impl Spool {
    pub(super) fn new() -> io::Result<Self> {
        let writer =
            csv::WriterBuilder::new().flexible(true).from_writer(BufWriter::new(tempfile::tempfile()?));
        Ok(Spool { writer })
    }

    /// One row: its input fields (padded to the header), then the added fields.
    pub(super) fn write(&mut self, fields: &[&str]) -> Result<(), ScoreError> {
        self.writer.write_record(fields).map_err(output::csv_io)?;
        Ok(())
    }

    /// Hands every row to `row`, its input fields padded to `widest` so that the `added`
    /// fields (the verdict columns and those after them) line up.
    pub(super) fn finish(
        self,
        widest: usize,
        added: usize,
        row: &mut dyn FnMut(&[&str]) -> Result<(), ScoreError>,
    ) -> Result<(), ScoreError> {
        let mut file =
            self.writer.into_inner().map_err(|e| e.into_error())?.into_inner().map_err(|e| e.into_error())?;
        file.seek(io::SeekFrom::Start(0))?;
        let mut back =
            csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(BufReader::new(file));
        let mut rec = csv::StringRecord::new();
        while back.read_record(&mut rec).map_err(output::csv_io)? {
            let n = rec.len() - added;
            let padding = std::iter::repeat_n("", widest - n);
            let fields: Vec<&str> = rec.iter().take(n).chain(padding).chain(rec.iter().skip(n)).collect();
            row(&fields)?;
        }
        Ok(())
    }
}
