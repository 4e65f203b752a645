//! Scored rows as an `.xlsx` workbook: one sheet with the input's columns and the added
//! ones, the header frozen and filtered, violating rows filled by their verdict. The input
//! cells are written as text, as read (no leading zero or long number is lost). Rows go to
//! a temporary file as they come (rust_xlsxwriter's constant memory mode), so a large
//! table does not pile up in memory.

use super::ScoreError;
use crate::output::VERDICT_COLUMNS;
use rust_xlsxwriter::{ColNum, Color, Format, IgnoreError, RowNum, Workbook};
use std::io::Write;

/// Fills of violating rows: threatening, harassing, and flagged by the rules alone.
const THREATENING: u32 = 0xFFC7CE;
const HARASSING: u32 = 0xFCD5B4;
const RULES_ONLY: u32 = 0xFFF2CC;

/// Where the columns that decide a row's fill and cell types are.
#[derive(Debug, Clone, Copy)]
pub(super) struct Layout {
    /// The input's columns (with any extra columns of a flexible table).
    pub(super) inputs: usize,
    /// The message column.
    pub(super) text: usize,
    /// The `flagged` column, with rules.
    pub(super) flagged: Option<usize>,
}

/// A sheet being filled, row by row.
pub(super) struct SheetWriter {
    book: Workbook,
    layout: Layout,
    columns: usize,
    row: RowNum,
    fills: [Format; 3],
    /// The `label` column, and the numeric verdict columns.
    label: usize,
    numbers: Vec<usize>,
}

impl SheetWriter {
    /// A sheet with `header` in bold on its first row.
    pub(super) fn new(header: &[String], layout: Layout) -> Result<Self, ScoreError> {
        let mut book = Workbook::new();
        let sheet = book.add_worksheet_with_constant_memory()?;
        sheet.set_name("scored")?;
        // Column widths before the first row: rows are written out as they come.
        for (c, name) in header.iter().enumerate() {
            let width = (name.chars().count() as f64 + 2.0).clamp(10.0, 40.0);
            sheet.set_column_width(col(c)?, if c == layout.text { 60.0 } else { width })?;
        }
        let bold = Format::new().set_bold();
        for (c, name) in header.iter().enumerate() {
            sheet.write_string_with_format(0, col(c)?, name, &bold)?;
        }
        let fill = |rgb| Format::new().set_background_color(Color::RGB(rgb));
        let fills = [fill(THREATENING), fill(HARASSING), fill(RULES_ONLY)];
        let label = layout.inputs + verdict_column("label");
        let numbers = ["confidence", "p_compliant", "p_threatening", "p_harassing"]
            .map(|n| layout.inputs + verdict_column(n))
            .to_vec();
        Ok(SheetWriter { book, layout, columns: header.len(), row: 0, fills, label, numbers })
    }

    /// One row: the input's fields, then the added ones in header order.
    pub(super) fn row(&mut self, fields: &[&str]) -> Result<(), ScoreError> {
        self.row += 1;
        let (r, l) = (self.row, self.layout);
        let label = fields.get(self.label).copied().unwrap_or("");
        let flagged = l.flagged.and_then(|f| fields.get(f)) == Some(&"true");
        let fill = match label {
            "threatening" => Some(&self.fills[0]),
            "harassing" => Some(&self.fills[1]),
            _ if flagged => Some(&self.fills[2]),
            _ => None,
        };
        let sheet = self.book.worksheet_from_index(0)?;
        for (c, field) in fields.iter().enumerate() {
            let at = col(c)?;
            // confidence and the three probabilities are numbers, for sorting and filters.
            let number = self.numbers.contains(&c).then(|| field.parse::<f64>().ok()).flatten();
            match (number, fill) {
                (Some(n), Some(f)) => sheet.write_number_with_format(r, at, n, f)?,
                (Some(n), None) => sheet.write_number(r, at, n)?,
                (None, Some(f)) if field.is_empty() => sheet.write_blank(r, at, f)?,
                (None, None) if field.is_empty() => &mut *sheet,
                (None, Some(f)) => sheet.write_string_with_format(r, at, *field, f)?,
                (None, None) => sheet.write_string(r, at, *field)?,
            };
        }
        Ok(())
    }

    /// The workbook, written to `out`.
    pub(super) fn finish<W: Write>(mut self, mut out: W) -> Result<(), ScoreError> {
        let last = col(self.columns.max(1) - 1)?;
        let sheet = self.book.worksheet_from_index(0)?;
        sheet.set_freeze_panes(1, 0)?;
        sheet.autofilter(0, 0, self.row, last)?;
        if self.row > 0 && self.layout.inputs > 0 {
            let inputs = col(self.layout.inputs - 1)?;
            sheet.ignore_error_range(1, 0, self.row, inputs, IgnoreError::NumberStoredAsText)?;
        }
        // Saved whole (compressed), then written: the writer need not be Send.
        out.write_all(&self.book.save_to_buffer()?)?;
        out.flush()?;
        Ok(())
    }
}

/// A column number, or the error Excel's limit gives.
fn col(c: usize) -> Result<ColNum, ScoreError> {
    ColNum::try_from(c).map_err(|_| rust_xlsxwriter::XlsxError::RowColumnLimitError.into())
}

/// Where verdict column `name` is, after the input's columns.
fn verdict_column(name: &str) -> usize {
    VERDICT_COLUMNS.iter().position(|c| *c == name).expect("a verdict column")
}
