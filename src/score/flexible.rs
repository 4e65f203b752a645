//! `--flexible` output: a row wider than the header gets its extra fields under named
//! columns (`extra_1`, `extra_2`, … before the verdict columns) and shorter rows are padded,
//! so the verdict columns always sit under their headers. The widest row is known only at
//! the end, so the scored rows wait in a temporary file until then.

use super::{ScoreError, Scorer};
use crate::Verdict;
use crate::batch::{BATCH_LINES, classify_all};
use crate::output::{self, VERDICT_COLUMNS};
use std::io::{self, BufReader, BufWriter, Read, Seek, Write};

impl<R: Read> Scorer<'_, R> {
    /// [`Scorer::write_to`] for a flexible table.
    pub(super) fn write_flexible<W: Write>(
        mut self,
        out: W,
        progress: &mut dyn FnMut(u64),
    ) -> Result<u64, ScoreError> {
        let width = self.table.headers().len();
        let mut spool =
            csv::WriterBuilder::new().flexible(true).from_writer(BufWriter::new(tempfile::tempfile()?));
        let (mut rows, mut widest) = (0u64, width);
        let mut batch = Vec::with_capacity(BATCH_LINES);
        let mut more = true;
        while more {
            more = self.table.read_batch(&mut batch, BATCH_LINES)?;
            let col = self.column;
            let verdicts: Vec<Verdict> =
                classify_all(&batch, |r| self.classifier.classify(r.get(col).unwrap_or("")));
            for (rec, v) in batch.iter().zip(&verdicts) {
                widest = widest.max(rec.len());
                let extra = output::verdict_fields(v);
                let fields = rec.iter().chain(extra.iter().map(String::as_str));
                spool.write_record(fields).map_err(output::csv_io)?;
            }
            rows += batch.len() as u64;
            progress(rows);
        }
        let mut file =
            spool.into_inner().map_err(|e| e.into_error())?.into_inner().map_err(|e| e.into_error())?;
        file.seek(io::SeekFrom::Start(0))?;

        let mut header = self.header();
        let names: Vec<String> = (1..=widest - width)
            .map(|i| {
                let name = format!("extra_{i}");
                if self.table.headers().iter().any(|h| h == name) {
                    format!("collectguard_{name}")
                } else {
                    name
                }
            })
            .collect();
        header.splice(width..width, names);
        let mut writer = csv::WriterBuilder::new().delimiter(self.table.delimiter()).from_writer(out);
        writer.write_record(&header).map_err(output::csv_io)?;
        let mut back =
            csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(BufReader::new(file));
        let mut rec = csv::StringRecord::new();
        while back.read_record(&mut rec).map_err(output::csv_io)? {
            let n = rec.len() - VERDICT_COLUMNS.len();
            let padding = std::iter::repeat_n("", widest - n);
            let fields = rec.iter().take(n).chain(padding).chain(rec.iter().skip(n));
            writer.write_record(fields).map_err(output::csv_io)?;
        }
        writer.flush()?;
        Ok(rows)
    }
}
