//! Encoding the output: UTF-8, UTF-8 with a BOM (what Excel needs to open a CSV as
//! UTF-8), or GB18030 (what Excel on a Chinese Windows opens without asking); and the
//! default that writes a table the way it was read.

use encoding_rs::GB18030;
use std::io::{self, Write};

/// The encodings output can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputEncoding {
    /// UTF-8 without a BOM.
    Utf8,
    /// UTF-8 starting with a BOM.
    Utf8Bom,
    /// GB18030 (a superset of GBK: every character has a code, so nothing is lost).
    Gb18030,
}

impl OutputEncoding {
    /// Its name on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            OutputEncoding::Utf8 => "utf8",
            OutputEncoding::Utf8Bom => "utf8-bom",
            OutputEncoding::Gb18030 => "gb18030",
        }
    }

    /// The encoding that writes the way an input was read: GB18030 for GB18030 (GBK)
    /// input, so that the tool that wrote it reads the result the same way; UTF-8 with a
    /// BOM for input that had one and for UTF-16 input (Excel's "Unicode text", which
    /// Excel opens as UTF-8 only with a BOM); else UTF-8. `encoding` is a name as
    /// [`crate::input::DecodingReader::encoding_name`] gives it.
    pub fn like_input(encoding: &str, had_bom: bool) -> Self {
        match encoding {
            "GB18030" => OutputEncoding::Gb18030,
            "UTF-16LE" | "UTF-16BE" => OutputEncoding::Utf8Bom,
            _ if had_bom => OutputEncoding::Utf8Bom,
            _ => OutputEncoding::Utf8,
        }
    }
}

/// A writer that takes UTF-8 and writes it to `inner` in an [`OutputEncoding`]. A
/// character split between two writes is held until it is whole.
pub struct EncodingWriter<W: Write> {
    inner: W,
    encoding: OutputEncoding,
    /// The BOM is still to be written (before the first byte).
    bom_due: bool,
    /// The start of a character whose other bytes have not come yet.
    pending: Vec<u8>,
}

impl<W: Write> EncodingWriter<W> {
    /// Writes to `inner` in `encoding`.
    pub fn new(inner: W, encoding: OutputEncoding) -> Self {
        EncodingWriter { inner, encoding, bom_due: encoding == OutputEncoding::Utf8Bom, pending: Vec::new() }
    }

    /// The writer underneath.
    pub fn into_inner(self) -> W {
        self.inner
    }
}

impl<W: Write> Write for EncodingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        if self.bom_due {
            self.inner.write_all(b"\xEF\xBB\xBF")?;
            self.bom_due = false;
        }
        if self.encoding != OutputEncoding::Gb18030 {
            self.inner.write_all(buf)?;
            return Ok(buf.len());
        }
        self.pending.extend_from_slice(buf);
        let whole = match std::str::from_utf8(&self.pending) {
            Ok(_) => self.pending.len(),
            // The last character is not complete yet.
            Err(e) if e.error_len().is_none() => e.valid_up_to(),
            Err(_) => return Err(io::Error::new(io::ErrorKind::InvalidData, "output is not UTF-8")),
        };
        let text = std::str::from_utf8(&self.pending[..whole]).expect("checked to be UTF-8");
        let (bytes, _, _) = GB18030.encode(text);
        self.inner.write_all(&bytes)?;
        self.pending.drain(..whole);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_in_pieces(encoding: OutputEncoding, text: &str, piece: usize) -> Vec<u8> {
        let mut w = EncodingWriter::new(Vec::new(), encoding);
        for chunk in text.as_bytes().chunks(piece) {
            w.write_all(chunk).unwrap();
        }
        w.flush().unwrap();
        w.into_inner()
    }

    #[test]
    fn every_encoding_round_trips_whatever_the_pieces() {
        let text = "编号,内容\r\n1,\"明天抓你坐牢, 😀 é\"\n";
        for piece in 1..6 {
            assert_eq!(write_in_pieces(OutputEncoding::Utf8, text, piece), text.as_bytes());
            let bom = write_in_pieces(OutputEncoding::Utf8Bom, text, piece);
            assert_eq!(bom, [b"\xEF\xBB\xBF", text.as_bytes()].concat());
            let gb = write_in_pieces(OutputEncoding::Gb18030, text, piece);
            let back = GB18030.decode_without_bom_handling_and_without_replacement(&gb).unwrap();
            assert_eq!(back, text, "piece {piece}");
        }
        assert!(write_in_pieces(OutputEncoding::Utf8Bom, "", 1).is_empty());
    }

    #[test]
    fn the_default_writes_the_way_the_input_was_read() {
        assert_eq!(OutputEncoding::like_input("GB18030", false), OutputEncoding::Gb18030);
        assert_eq!(OutputEncoding::like_input("UTF-8", true), OutputEncoding::Utf8Bom);
        assert_eq!(OutputEncoding::like_input("UTF-8", false), OutputEncoding::Utf8);
        assert_eq!(OutputEncoding::like_input("UTF-16LE", true), OutputEncoding::Utf8Bom);
    }
}
