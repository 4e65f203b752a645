//! Opening named inputs: a file or standard input (`-`), decoded to UTF-8, with the
//! notices a reader should see (encoding in use, undecodable bytes, chosen column).

use crate::input::{DecodeWarning, DecodingReader, Encoding};
use std::fmt;
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use std::sync::Arc;

/// Something worth telling the user about an input that is not an error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// Undecodable bytes on a line were replaced with U+FFFD.
    Undecodable {
        /// The input's name.
        input: String,
        /// Where and what.
        warning: DecodeWarning,
    },
    /// The input is read in an encoding other than UTF-8.
    Encoding {
        /// The input's name.
        input: String,
        /// The encoding in use, such as `GB18030`.
        encoding: String,
    },
    /// The message column of a table was chosen without being named.
    TextColumn {
        /// The input's name.
        input: String,
        /// The header of the chosen column.
        column: String,
        /// It was chosen as the table's only column rather than by its name.
        only: bool,
    },
    /// A table without even a header: nothing to do.
    EmptyTable {
        /// The input's name.
        input: String,
    },
    /// A line of a lexicon or allow file that is accepted but probably not meant (a repeat).
    Warning {
        /// What, with file and line.
        message: String,
    },
    /// A column the rules read was chosen by its name.
    Column {
        /// The input's name.
        input: String,
        /// The header of the chosen column.
        column: String,
        /// What it is read as (`time`, `debtor` …).
        role: &'static str,
    },
    /// A rule cannot run on this table and is skipped.
    RuleSkipped {
        /// The input's name.
        input: String,
        /// The rule's code and name, such as `N2 (daily_contacts)`.
        rule: String,
        /// What is missing.
        reason: &'static str,
    },
    /// A row's time could not be read; the row is kept and scored, the time rules skip it.
    BadTime {
        /// The input's name.
        input: String,
        /// The 1-based row (header excluded).
        row: u64,
        /// The value as written.
        value: String,
    },
    /// A workbook's sheet is read.
    Sheet {
        /// The input's name.
        input: String,
        /// The sheet's name.
        sheet: String,
        /// How many sheets the workbook has.
        of: usize,
        /// The sheet was named with `--sheet` rather than taken as the first.
        chosen: bool,
        /// The 1-based sheet row the header is on.
        header_row: u32,
    },
    /// More rows with unreadable times than were told one by one.
    MoreBadTimes {
        /// The input's name.
        input: String,
        /// How many more.
        rows: u64,
    },
}

impl fmt::Display for Notice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Notice::Undecodable { input, warning } => {
                write!(f, "warning: {input}: line {}: {}", warning.line, warning.message)
            }
            Notice::Encoding { input, encoding } => write!(f, "reading {input} as {encoding}"),
            Notice::Warning { message } => write!(f, "warning: {message}"),
            Notice::TextColumn { input, column, only: false } => {
                write!(f, "{input}: using column {column:?} as the message text")
            }
            Notice::TextColumn { input, column, only: true } => {
                write!(f, "{input}: using the only column {column:?} as the message text")
            }
            Notice::EmptyTable { input } => write!(f, "{input}: empty input, nothing to score"),
            Notice::Column { input, column, role } => {
                write!(f, "{input}: using column {column:?} as the {role}")
            }
            Notice::RuleSkipped { input, rule, reason } => {
                write!(f, "{input}: rule {rule} skipped: {reason}")
            }
            Notice::BadTime { input, row, value } => write!(
                f,
                "warning: {input}: row {row}: cannot read the time {value:?}; the row is scored, the time rules skip it"
            ),
            Notice::Sheet { input, sheet, of, chosen, header_row } => {
                write!(f, "{input}: reading sheet {sheet:?}")?;
                if *of > 1 && !chosen {
                    write!(f, " (the first of {of}; --sheet chooses another)")?;
                }
                write!(f, ", header on row {header_row}")
            }
            Notice::MoreBadTimes { input, rows } => {
                write!(f, "warning: {input}: {rows} more rows with times that cannot be read")
            }
        }
    }
}

/// Where notices go; shared with decoders, which may run on other threads.
pub type Notify = Arc<dyn Fn(Notice) + Send + Sync>;

/// A [`Notify`] that drops every notice.
pub fn ignore() -> Notify {
    Arc::new(|_| {})
}

/// Errors opening or reading an input.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// The file could not be opened.
    #[error("cannot open {name}")]
    Open {
        /// The input's name.
        name: String,
        /// Why.
        source: io::Error,
    },
    /// The input could not be read.
    #[error("cannot read {name}")]
    Read {
        /// The input's name.
        name: String,
        /// Why.
        source: io::Error,
    },
    /// Reading failed part way through.
    #[error("reading {name}")]
    Reading {
        /// The input's name.
        name: String,
        /// Why.
        source: io::Error,
    },
}

/// A decoded input, read from a file or standard input.
pub type Decoded = DecodingReader<Box<dyn Read + Send>>;

/// The name an input goes by in messages and records (`-` for standard input).
pub fn name(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

/// Opens a file (or standard input for `-`) as decoded UTF-8.
pub fn open(path: &Path, encoding: Encoding, notify: &Notify) -> Result<Decoded, SourceError> {
    let name = name(path);
    let raw: Box<dyn Read + Send> = if name == "-" {
        Box::new(io::stdin())
    } else {
        Box::new(File::open(path).map_err(|source| SourceError::Open { name: name.clone(), source })?)
    };
    decode(raw, encoding, &name, notify)
}

/// How a ZIP archive starts (`.xlsx`, `.xlsb`, `.ods`).
pub const ZIP_SIGNATURE: &[u8] = b"PK\x03\x04";
/// How an OLE compound file starts (`.xls`, or an encrypted `.xlsx`).
pub const OLE_SIGNATURE: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";

/// Whether `head`, an input's first bytes, starts like a workbook: a ZIP archive or an
/// OLE compound file.
pub fn is_workbook(head: &[u8]) -> bool {
    head.starts_with(ZIP_SIGNATURE) || head.starts_with(OLE_SIGNATURE)
}

/// A table input, told by its first bytes: a workbook, or text.
pub enum Opened {
    /// Text, decoded.
    Text(Decoded),
    /// A workbook's bytes (ZIP or OLE signature), whole, for `workbook::read`.
    Workbook(Vec<u8>),
}

/// Opens a file (or standard input for `-`) that holds a table: a workbook by its
/// signature (whatever `encoding` says: a workbook is not text), else text decoded as
/// [`open`] decodes it.
pub fn open_table(path: &Path, encoding: Encoding, notify: &Notify) -> Result<Opened, SourceError> {
    let name = name(path);
    let mut raw: Box<dyn Read + Send> = if name == "-" {
        Box::new(io::stdin())
    } else {
        Box::new(File::open(path).map_err(|source| SourceError::Open { name: name.clone(), source })?)
    };
    let mut head = Vec::with_capacity(OLE_SIGNATURE.len());
    (&mut raw)
        .take(OLE_SIGNATURE.len() as u64)
        .read_to_end(&mut head)
        .map_err(|source| SourceError::Read { name: name.clone(), source })?;
    if is_workbook(&head) {
        raw.read_to_end(&mut head).map_err(|source| SourceError::Read { name: name.clone(), source })?;
        return Ok(Opened::Workbook(head));
    }
    let raw: Box<dyn Read + Send> = Box::new(io::Cursor::new(head).chain(raw));
    Ok(Opened::Text(decode(raw, encoding, &name, notify)?))
}

/// Decodes `raw` to UTF-8, telling `notify` about undecodable bytes (with the line) and
/// about the encoding when it is not UTF-8.
pub fn decode<R: Read>(
    raw: R,
    encoding: Encoding,
    name: &str,
    notify: &Notify,
) -> Result<DecodingReader<R>, SourceError> {
    let (input, to) = (name.to_string(), notify.clone());
    let warn =
        Box::new(move |warning: DecodeWarning| to(Notice::Undecodable { input: input.clone(), warning }));
    let reader = DecodingReader::new(raw, encoding, warn)
        .map_err(|source| SourceError::Read { name: name.to_string(), source })?;
    if reader.encoding_name() != "UTF-8" {
        notify(Notice::Encoding { input: name.to_string(), encoding: reader.encoding_name() });
    }
    Ok(reader)
}

/// The raw bytes of a file (or of standard input for `-`).
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, SourceError> {
    let name = name(path);
    let mut bytes = Vec::new();
    if name == "-" {
        io::stdin().read_to_end(&mut bytes).map(|_| ())
    } else {
        std::fs::read(path).map(|b| bytes = b)
    }
    .map_err(|source| SourceError::Read { name, source })?;
    Ok(bytes)
}

/// A whole input as one decoded string.
pub fn read_to_string(path: &Path, encoding: Encoding, notify: &Notify) -> Result<String, SourceError> {
    let mut text = String::new();
    open(path, encoding, notify)?
        .read_to_string(&mut text)
        .map_err(|source| SourceError::Reading { name: name(path), source })?;
    Ok(text)
}

/// `bytes` decoded to one string.
pub fn decode_bytes(
    bytes: &[u8],
    encoding: Encoding,
    name: &str,
    notify: &Notify,
) -> Result<String, SourceError> {
    let mut text = String::new();
    decode(bytes, encoding, name, notify)?
        .read_to_string(&mut text)
        .map_err(|source| SourceError::Reading { name: name.to_string(), source })?;
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workbook_signatures() {
        assert!(is_workbook(b"PK\x03\x04\x14\x00"));
        assert!(is_workbook(OLE_SIGNATURE));
        assert!(!is_workbook(b"id,text\n"));
        assert!(!is_workbook(b"%PDF-1.7"));
    }
}
