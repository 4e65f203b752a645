//! Reading workbooks (`.xlsx`, `.xlsm`, `.xlsb`, `.xls`, `.ods`) as tables: one sheet, its
//! first non-empty row as the header, every cell as text the way the cell shows it.
//! A workbook is told by its bytes (a ZIP or OLE signature), not by its name.

use crate::source::{Notice, Notify, OLE_SIGNATURE as OLE};
use crate::table::Table;
use calamine::{Data, Ods, Reader, Sheets, Xls, Xlsb, Xlsx};
use csv::StringRecord;
use std::io::{self, Cursor};
use std::sync::Arc;

/// Errors reading a workbook.
#[derive(Debug, thiserror::Error)]
pub enum WorkbookError {
    /// The workbook is protected by a password; it must be saved without one first.
    #[error("{input}: the workbook is encrypted (password protected); save a copy without a password")]
    Encrypted {
        /// The input's name.
        input: String,
    },
    /// The bytes look like a workbook but cannot be read as one.
    #[error("{input}: not a readable workbook, damaged or incomplete ({reason})")]
    Corrupt {
        /// The input's name.
        input: String,
        /// What the reader said.
        reason: String,
    },
    /// A ZIP archive that holds no workbook.
    #[error(
        "{input}: not text but a ZIP archive that is no workbook (score reads .xlsx, .xlsb, .xls and .ods)"
    )]
    NotAWorkbook {
        /// The input's name.
        input: String,
    },
    /// `--sheet` names no sheet of the workbook.
    #[error("{input}: no sheet {wanted:?}; the sheets are {sheets}")]
    NoSuchSheet {
        /// The input's name.
        input: String,
        /// The sheet asked for.
        wanted: String,
        /// The sheet names, quoted and comma-separated.
        sheets: String,
    },
    /// The workbook has no sheet at all.
    #[error("{input}: the workbook has no sheets")]
    NoSheets {
        /// The input's name.
        input: String,
    },
    /// The chosen sheet has no non-empty cell.
    #[error("{input}: sheet {sheet:?} is empty: no header row, nothing to score")]
    EmptySheet {
        /// The input's name.
        input: String,
        /// The sheet's name.
        sheet: String,
    },
}

/// One sheet read into memory: its header and rows as text.
#[derive(Debug, Clone)]
pub struct Sheet {
    /// The input's name.
    pub input: String,
    /// The sheet's name.
    pub name: String,
    /// The header (the sheet's first non-empty row).
    pub headers: StringRecord,
    /// The rows below the header, wholly empty rows left out (as blank lines of a CSV
    /// are), each as wide as the widest row of the sheet.
    pub rows: Arc<[StringRecord]>,
}

impl Sheet {
    /// The sheet as a table that [`crate::score::Scorer`] reads like a CSV table (the rows
    /// shared, not copied).
    pub fn table(&self) -> Table<io::Empty> {
        Table::from_rows(&self.input, self.headers.clone(), self.rows.clone())
    }
}

/// Reads the sheet `wanted` (a name, or else a 1-based position; default the first) of
/// the workbook in `bytes`, telling `notify` which sheet is read.
pub fn read(
    bytes: Vec<u8>,
    input: &str,
    wanted: Option<&str>,
    notify: &Notify,
) -> Result<Sheet, WorkbookError> {
    let input = input.to_string();
    if bytes.starts_with(OLE) && is_encrypted_ooxml(&bytes) {
        return Err(WorkbookError::Encrypted { input });
    }
    let Some(kind) = Kind::of(&bytes) else { return Err(WorkbookError::NotAWorkbook { input }) };
    let mut book = open(bytes, kind).map_err(|e| fail(&input, e))?;
    let names = book.sheet_names();
    if names.is_empty() {
        return Err(WorkbookError::NoSheets { input });
    }
    let index = match wanted {
        None => 0,
        Some(w) => names
            .iter()
            .position(|n| n == w)
            .or_else(|| w.parse::<usize>().ok().filter(|&n| (1..=names.len()).contains(&n)).map(|n| n - 1))
            .ok_or_else(|| WorkbookError::NoSuchSheet {
                input: input.clone(),
                wanted: w.to_string(),
                sheets: names.iter().map(|n| format!("{n:?}")).collect::<Vec<_>>().join(", "),
            })?,
    };
    let name = names[index].clone();
    let range = book.worksheet_range(&name).map_err(|e| fail(&input, e))?;
    let mut rows = range.rows().map(|cells| cells.iter().map(cell_text).collect::<Vec<String>>());
    let header_at = range.start().map_or(0, |(r, _)| r);
    let mut skipped = 0;
    let headers = loop {
        match rows.next() {
            Some(r) if r.iter().all(String::is_empty) => skipped += 1,
            Some(r) => break r,
            None => return Err(WorkbookError::EmptySheet { input, sheet: name }),
        }
    };
    let width = headers.len();
    let rows: Arc<[StringRecord]> = rows
        .filter(|r| !r.iter().all(String::is_empty))
        .map(|r| r.into_iter().collect::<StringRecord>())
        .collect();
    notify(Notice::Sheet {
        input: input.clone(),
        sheet: name.clone(),
        of: names.len(),
        chosen: wanted.is_some(),
        header_row: header_at + skipped + 1,
    });
    // calamine's ranges are rectangular: every row is as wide as the header.
    debug_assert!(rows.iter().all(|r| r.len() == width));
    Ok(Sheet { input, name, headers: headers.into_iter().collect(), rows })
}

/// The kinds of workbook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Xls,
    Xlsx,
    Xlsb,
    Ods,
}

impl Kind {
    /// The kind, told by the signature and, in a ZIP, by the names of its parts (so that
    /// an error is the one of the right reader, such as a password); none for a ZIP
    /// without a workbook's parts.
    fn of(bytes: &[u8]) -> Option<Kind> {
        let has = |part: &[u8]| memchr::memmem::find(bytes, part).is_some();
        if bytes.starts_with(OLE) {
            Some(Kind::Xls)
        } else if has(b"mimetypeapplication/vnd.oasis.opendocument") {
            Some(Kind::Ods)
        } else if has(b"xl/workbook.bin") {
            Some(Kind::Xlsb)
        } else if has(b"xl/workbook.xml") || has(b"[Content_Types].xml") {
            Some(Kind::Xlsx)
        } else {
            None
        }
    }
}

/// The workbook in `bytes`, read as a `kind`.
fn open(bytes: Vec<u8>, kind: Kind) -> Result<Sheets<Cursor<Vec<u8>>>, calamine::Error> {
    let c = Cursor::new(bytes);
    Ok(match kind {
        Kind::Xls => Sheets::Xls(Xls::new(c)?),
        Kind::Ods => Sheets::Ods(Ods::new(c)?),
        Kind::Xlsb => Sheets::Xlsb(Xlsb::new(c)?),
        Kind::Xlsx => Sheets::Xlsx(Xlsx::new(c)?),
    })
}

/// The error for a workbook calamine cannot read: encrypted, or corrupt.
fn fail(input: &str, e: calamine::Error) -> WorkbookError {
    let password = matches!(
        &e,
        calamine::Error::Xls(calamine::XlsError::Password)
            | calamine::Error::Ods(calamine::OdsError::Password)
    );
    if password {
        return WorkbookError::Encrypted { input: input.to_string() };
    }
    let reason = e.to_string();
    WorkbookError::Corrupt { input: input.to_string(), reason }
}

/// An encrypted `.xlsx` is an OLE file holding an `EncryptedPackage` stream; its name is
/// in the directory, in UTF-16.
fn is_encrypted_ooxml(bytes: &[u8]) -> bool {
    let name: Vec<u8> = "EncryptedPackage".encode_utf16().flat_map(u16::to_le_bytes).collect();
    memchr::memmem::find(bytes, &name).is_some()
}

/// A cell as the sheet shows it: an integer-valued number without `.0`, a date as
/// `2026-11-03 23:14:05` (`2026-11-03` at midnight, `23:14:05` for a time alone), a
/// duration as `25:30:00`, `TRUE`/`FALSE`, an error as `#DIV/0!`, an empty cell as "".
pub fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => number(*f),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Data::Error(e) => e.to_string(),
        Data::DateTime(dt) if dt.is_duration() => duration(dt.as_f64() * 86_400.0),
        Data::DateTime(dt) => {
            let (y, mo, d, h, mi, s, _) = dt.to_ymd_hms_milli();
            let v = dt.as_f64();
            if (0.0..1.0).contains(&v) {
                format!("{h:02}:{mi:02}:{s:02}")
            } else if v.fract() == 0.0 {
                format!("{y:04}-{mo:02}-{d:02}")
            } else {
                format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
            }
        }
        // OpenDocument dates are ISO 8601: `2026-11-03T23:14:05`.
        Data::DateTimeIso(s) => s.replacen('T', " ", 1),
        Data::DurationIso(s) => iso_duration(s).map_or_else(|| s.clone(), duration),
    }
}

/// A number the way a General cell shows it: integers without a fraction, others in the
/// shortest form that reads back the same.
fn number(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 { format!("{}", f as i64) } else { f.to_string() }
}

/// Seconds as `h:mm:ss`, hours unbounded.
fn duration(secs: f64) -> String {
    let total = secs.round() as i64;
    let sign = if total < 0 { "-" } else { "" };
    let t = total.abs();
    format!("{sign}{}:{:02}:{:02}", t / 3600, t / 60 % 60, t % 60)
}

/// The seconds of an ISO 8601 duration such as `PT25H30M00S` (days allowed).
fn iso_duration(s: &str) -> Option<f64> {
    let rest = s.strip_prefix("PT").or_else(|| s.strip_prefix('P'))?;
    let (mut secs, mut num) = (0.0, String::new());
    for c in rest.chars() {
        match c {
            '0'..='9' | '.' => num.push(c),
            'T' => {}
            unit => {
                let n: f64 = num.parse().ok()?;
                num.clear();
                secs += n * match unit {
                    'D' => 86_400.0,
                    'H' => 3_600.0,
                    'M' => 60.0,
                    'S' => 1.0,
                    _ => return None,
                };
            }
        }
    }
    num.is_empty().then_some(secs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{ExcelDateTime, ExcelDateTimeType};

    fn date(v: f64) -> String {
        cell_text(&Data::DateTime(ExcelDateTime::new(v, ExcelDateTimeType::DateTime, false)))
    }

    #[test]
    fn cells_read_as_the_sheet_shows_them() {
        assert_eq!(cell_text(&Data::Float(42.0)), "42");
        assert_eq!(cell_text(&Data::Float(-3.0)), "-3");
        assert_eq!(cell_text(&Data::Float(0.1)), "0.1");
        assert_eq!(cell_text(&Data::Float(13_800_138_000.0)), "13800138000");
        assert_eq!(cell_text(&Data::Int(7)), "7");
        assert_eq!(cell_text(&Data::Bool(true)), "TRUE");
        assert_eq!(cell_text(&Data::Empty), "");
        // 2026-11-03 is serial 46329.
        assert_eq!(date(46329.0 + (23.0 * 3600.0 + 14.0 * 60.0 + 5.0) / 86400.0), "2026-11-03 23:14:05");
        assert_eq!(date(46329.0), "2026-11-03");
        assert_eq!(date(0.5), "12:00:00");
        let long = ExcelDateTime::new(25.5 / 24.0, ExcelDateTimeType::TimeDelta, false);
        assert_eq!(cell_text(&Data::DateTime(long)), "25:30:00");
        assert_eq!(cell_text(&Data::DateTimeIso("2026-11-03T23:14:05".into())), "2026-11-03 23:14:05");
        assert_eq!(cell_text(&Data::DurationIso("PT25H30M00S".into())), "25:30:00");
    }
}
