//! Reading input: encoding detection and decoding to UTF-8 (undecodable bytes replaced and
//! reported with their line number), and line splitting on LF, CRLF or CR.

mod detect;

use encoding_rs::{DecoderResult, Encoding as EncodingRs, GB18030, UTF_8};
use std::io::{self, BufRead, Read};

/// Text encodings collectguard reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// Told by evidence: a BOM (UTF-8, UTF-16LE, UTF-16BE); UTF-16 by where its NUL
    /// bytes fall; UTF-8 when valid or its well-formed wide sequences outweigh its
    /// damaged spots; else GB18030 (which covers GBK and GB2312) when its characters read
    /// as common Chinese.
    Auto,
    /// UTF-8.
    Utf8,
    /// GB18030 (also GBK and GB2312).
    Gb18030,
    /// UTF-16, little-endian.
    Utf16Le,
    /// UTF-16, big-endian.
    Utf16Be,
}

/// A warning about the input, with the 1-based line where it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeWarning {
    /// 1-based line.
    pub line: u64,
    /// What happened.
    pub message: String,
}

const SNIFF: usize = 64 * 1024;
/// Most bytes read ahead to find the first non-ASCII byte an encoding can be told from.
const SNIFF_MAX: usize = 64 << 20;

/// Decodes a byte stream to UTF-8 as it is read. Undecodable bytes become U+FFFD; each
/// such line is reported once through `warn`.
pub struct DecodingReader<R: Read> {
    inner: R,
    decoder: encoding_rs::Decoder,
    encoding: &'static EncodingRs,
    input: Vec<u8>,
    in_start: usize,
    in_end: usize,
    output: Vec<u8>,
    out_start: usize,
    eof: bool,
    /// The decoder has flushed its last output; it must not be called again.
    finished: bool,
    line: u64,
    /// The last byte decoded was CR: a LF next ends the same line.
    after_cr: bool,
    had_bom: bool,
    last_warned: u64,
    warn: Box<dyn FnMut(DecodeWarning) + Send>,
}

impl<R: Read> DecodingReader<R> {
    /// Starts decoding `inner` (sniffing the first 64 KiB with `Auto`); `warn` hears of undecodable lines.
    pub fn new(
        mut inner: R,
        encoding: Encoding,
        warn: Box<dyn FnMut(DecodeWarning) + Send>,
    ) -> io::Result<Self> {
        let mut input = vec![0u8; SNIFF];
        let mut filled = 0;
        let mut eof = false;
        // Sniff 64 KiB, and go on while everything read is ASCII (a GBK export whose first
        // rows are all ASCII must not be taken for UTF-8), up to SNIFF_MAX.
        // An explicit encoding needs no sample: decoding starts with the first read, so a
        // pipe that writes one line and waits (a gate) is answered at once.
        if encoding == Encoding::Auto {
            loop {
                while filled < input.len() {
                    let n = match inner.read(&mut input[filled..]) {
                        Ok(n) => n,
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                        Err(e) => return Err(e),
                    };
                    if n == 0 {
                        eof = true;
                        break;
                    }
                    filled += n;
                }
                if eof || input.len() >= SNIFF_MAX || !input[..filled].is_ascii() {
                    break;
                }
                input.resize(input.len() * 2, 0);
            }
        }
        let chosen: &'static EncodingRs = match encoding {
            Encoding::Utf8 => UTF_8,
            Encoding::Gb18030 => GB18030,
            Encoding::Utf16Le => encoding_rs::UTF_16LE,
            Encoding::Utf16Be => encoding_rs::UTF_16BE,
            Encoding::Auto => detect::sniff(&input[..filled], eof).map_err(|kind| {
                io::Error::new(io::ErrorKind::InvalidData, format!("this is not text but {kind}"))
            })?,
        };
        let had_bom = EncodingRs::for_bom(&input[..filled]).is_some();
        // new_decoder() sniffs a BOM and removes it.
        let decoder = chosen.new_decoder();
        Ok(DecodingReader {
            inner,
            decoder,
            encoding: chosen,
            input,
            in_start: 0,
            in_end: filled,
            output: Vec::with_capacity(SNIFF * 3),
            out_start: 0,
            eof,
            finished: false,
            line: 1,
            after_cr: false,
            had_bom,
            last_warned: 0,
            warn,
        })
    }

    /// Whether the input started with a BOM (removed from the decoded text).
    pub fn had_bom(&self) -> bool {
        self.had_bom
    }

    /// The encoding in use (`UTF-8`, `GB18030`, `UTF-16LE`, `UTF-16BE`).
    pub fn encoding_name(&self) -> String {
        self.encoding.name().to_ascii_uppercase()
    }

    /// Counts the line breaks in the output from `from` on as [`Lines`] splits them (LF,
    /// CRLF, CR), so that a warning names the line a reader sees.
    fn count_lines(&mut self, from: usize) {
        for i in memchr::memchr2_iter(b'\n', b'\r', &self.output[from..]) {
            let at = from + i;
            let lf_after_cr = self.output[at] == b'\n'
                && if at == from { self.after_cr } else { self.output[at - 1] == b'\r' };
            self.line += u64::from(!lf_after_cr);
        }
        if self.output.len() > from {
            self.after_cr = self.output.last() == Some(&b'\r');
        }
    }

    fn refill(&mut self) -> io::Result<()> {
        self.output.clear();
        self.out_start = 0;
        if self.finished {
            return Ok(());
        }
        loop {
            if self.in_start == self.in_end && !self.eof {
                self.in_start = 0;
                self.in_end = loop {
                    match self.inner.read(&mut self.input) {
                        Ok(n) => break n,
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                        Err(e) => return Err(e),
                    }
                };
                if self.in_end == 0 {
                    self.eof = true;
                }
            }
            let last = self.eof && self.in_start == self.in_end;
            let src = &self.input[self.in_start..self.in_end];
            let cap = self
                .decoder
                .max_utf8_buffer_length_without_replacement(src.len())
                .unwrap_or(src.len() * 4 + 16);
            let before = self.output.len();
            self.output.resize(before + cap.max(16), 0);
            let (result, read, written) =
                self.decoder.decode_to_utf8_without_replacement(src, &mut self.output[before..], last);
            self.output.truncate(before + written);
            self.count_lines(before);
            self.in_start += read;
            if let DecoderResult::Malformed(_, _) = result {
                self.output.extend_from_slice("\u{FFFD}".as_bytes());
                self.after_cr = false;
                if self.last_warned != self.line {
                    self.last_warned = self.line;
                    (self.warn)(DecodeWarning {
                        line: self.line,
                        message: format!(
                            "undecodable bytes as {} replaced with U+FFFD",
                            self.encoding.name()
                        ),
                    });
                }
            }
            if last && matches!(result, DecoderResult::InputEmpty) {
                self.finished = true;
                return Ok(());
            }
            if !self.output.is_empty() {
                return Ok(());
            }
        }
    }
}

impl<R: Read> Read for DecodingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let avail = self.fill_buf()?;
        let n = avail.len().min(buf.len());
        buf[..n].copy_from_slice(&avail[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: Read> BufRead for DecodingReader<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.out_start >= self.output.len() {
            self.refill()?;
        }
        Ok(&self.output[self.out_start..])
    }

    fn consume(&mut self, amt: usize) {
        self.out_start += amt;
    }
}

/// Reads lines ending in LF, CRLF or CR (the terminator is dropped), in linear time
/// however long a line is.
pub struct Lines<R: BufRead> {
    inner: R,
    pending_cr: bool,
    done: bool,
    /// Bytes of a line that spans more than one buffer fill.
    partial: Vec<u8>,
}

impl<R: BufRead> Lines<R> {
    /// Splits `inner` into lines.
    pub fn new(inner: R) -> Self {
        Lines { inner, pending_cr: false, done: false, partial: Vec::new() }
    }

    /// The next line, or `None` at the end of input. A final line without a terminator
    /// still counts; an input ending in a terminator has no extra empty line.
    pub fn next_line(&mut self) -> io::Result<Option<String>> {
        let mut line = String::new();
        Ok(self.read_line_into(&mut line)?.then_some(line))
    }

    /// Appends the next line to `buf` and returns true, or returns false at the end of
    /// input. Reading many lines into one buffer saves an allocation per line.
    pub fn read_line_into(&mut self, buf: &mut String) -> io::Result<bool> {
        if self.done {
            return Ok(false);
        }
        self.partial.clear();
        let mut spans_fills = false;
        loop {
            let chunk = match self.inner.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if chunk.is_empty() {
                self.done = true;
                if spans_fills {
                    push_utf8(buf, &self.partial);
                }
                return Ok(spans_fills);
            }
            let mut start = 0;
            if self.pending_cr {
                self.pending_cr = false;
                if chunk[0] == b'\n' {
                    start = 1;
                }
            }
            match memchr::memchr2(b'\n', b'\r', &chunk[start..]) {
                Some(p) => {
                    let end = start + p;
                    if spans_fills {
                        self.partial.extend_from_slice(&chunk[start..end]);
                        push_utf8(buf, &self.partial);
                    } else {
                        push_utf8(buf, &chunk[start..end]);
                    }
                    let mut used = end + 1;
                    if chunk[end] == b'\r' {
                        match chunk.get(end + 1) {
                            Some(b'\n') => used += 1,
                            Some(_) => {}
                            None => self.pending_cr = true,
                        }
                    }
                    self.inner.consume(used);
                    return Ok(true);
                }
                None => {
                    spans_fills = true;
                    self.partial.extend_from_slice(&chunk[start..]);
                    let n = chunk.len();
                    self.inner.consume(n);
                }
            }
        }
    }
}

/// Appends UTF-8 bytes to `buf`. The decoder guarantees UTF-8; a lossy conversion keeps
/// any other reader safe.
fn push_utf8(buf: &mut String, bytes: &[u8]) {
    match simdutf8::basic::from_utf8(bytes) {
        Ok(s) => buf.push_str(s),
        Err(_) => buf.push_str(&String::from_utf8_lossy(bytes)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    fn decode(bytes: &[u8], enc: Encoding) -> (String, Vec<DecodeWarning>) {
        let warnings = Arc::new(Mutex::new(Vec::new()));
        let w = warnings.clone();
        let mut r = DecodingReader::new(bytes, enc, Box::new(move |d| w.lock().unwrap().push(d))).unwrap();
        let mut s = String::new();
        r.read_to_string(&mut s).unwrap();
        let w = warnings.lock().unwrap().clone();
        (s, w)
    }

    fn lines(s: &str) -> Vec<String> {
        let mut l = Lines::new(s.as_bytes());
        let mut out = Vec::new();
        while let Some(x) = l.next_line().unwrap() {
            out.push(x);
        }
        out
    }

    #[test]
    fn utf8_with_and_without_bom() {
        assert_eq!(decode("还钱".as_bytes(), Encoding::Auto).0, "还钱");
        assert_eq!(decode(b"\xEF\xBB\xBFabc", Encoding::Auto).0, "abc");
    }

    #[test]
    fn gbk_detected() {
        let (bytes, _, _) = GB18030.encode("老赖还钱");
        assert_eq!(decode(&bytes, Encoding::Auto).0, "老赖还钱");
    }

    #[test]
    fn damaged_utf8_stays_utf8() {
        let mut b = "还钱老赖，请尽快处理。".repeat(3).into_bytes();
        b.push(0xFF);
        b.extend_from_slice("还钱".as_bytes());
        let (s, w) = decode(&b, Encoding::Auto);
        assert!(s.ends_with("\u{FFFD}还钱"), "{s}");
        assert_eq!(w.len(), 1);
    }

    #[test]
    fn a_small_utf8_file_with_one_damaged_line_stays_utf8() {
        let mut b = "您好，您的借款已逾期。\n请尽快还款。\n".as_bytes().to_vec();
        b.extend_from_slice(b"\xFF\xFE\x80abc\n");
        b.extend_from_slice("再不还钱，小心你的腿。\n".as_bytes());
        let (s, w) = decode(&b, Encoding::Auto);
        assert_eq!(
            s,
            "您好，您的借款已逾期。\n请尽快还款。\n\u{FFFD}\u{FFFD}\u{FFFD}abc\n再不还钱，小心你的腿。\n"
        );
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].line, 3);
    }

    #[test]
    fn gbk_after_a_long_ascii_start_is_gbk() {
        let mut b = "id,text\n".repeat(20_000).into_bytes();
        let (gbk, _, _) = GB18030.encode("再不还钱我们就去你单位闹\n");
        b.extend_from_slice(&gbk);
        assert!(b.len() > SNIFF);
        let (s, w) = decode(&b, Encoding::Auto);
        assert!(s.ends_with("再不还钱我们就去你单位闹\n"), "{}", &s[s.len() - 40..]);
        assert!(w.is_empty());
    }

    #[test]
    fn short_gbk_is_not_taken_for_utf8() {
        for t in ["还钱", "老赖还钱", "再不还钱我们就去你单位闹", "您好"] {
            let (bytes, _, _) = GB18030.encode(t);
            assert_eq!(decode(&bytes, Encoding::Auto).0, t, "{t}");
        }
    }

    #[test]
    fn every_corpus_message_is_told_apart_in_gbk_and_in_damaged_utf8() {
        let corpus = std::fs::read_to_string("data/test.csv").unwrap();
        let mut r = csv::Reader::from_reader(corpus.as_bytes());
        let texts: Vec<String> = r.records().map(|rec| rec.unwrap()[0].to_string()).collect();
        let mut n = 0;
        for (i, t) in texts.iter().filter(|t| !t.is_ascii()).enumerate() {
            let (gbk, _, unmappable) = GB18030.encode(t);
            if !unmappable {
                assert_eq!(decode(&gbk, Encoding::Auto).0, *t, "as GB18030: {t}");
            }
            // One damaged spot at a character boundary that depends on the row.
            let cut = t.char_indices().map(|(b, _)| b).nth(i % t.chars().count()).unwrap();
            let mut damaged = t.as_bytes()[..cut].to_vec();
            damaged.push(0xFF);
            damaged.extend_from_slice(&t.as_bytes()[cut..]);
            let (s, _) = decode(&damaged, Encoding::Auto);
            if t.chars().filter(|c| c.len_utf8() >= 3).count() >= 3 {
                assert_eq!(s, format!("{}\u{FFFD}{}", &t[..cut], &t[cut..]), "damaged UTF-8: {t}");
                n += 1;
            }
        }
        assert!(n > 5000, "{n}");
    }

    #[test]
    fn binary_input_is_refused() {
        let start =
            |b: &[u8]| DecodingReader::new(b, Encoding::Auto, Box::new(|_| {})).err().map(|e| e.to_string());
        assert!(start(b"PK\x03\x04\x14\x00rest").unwrap().contains("ZIP"));
        assert!(start(b"%PDF-1.7\n").unwrap().contains("PDF"));
        assert!(start(&b"a\0b\0c\0".repeat(20)).unwrap().contains("NUL"));
        assert!(start(b"abc\0def\n\0\n").is_none());
        assert!(start("还钱\n".as_bytes()).is_none());
        // An explicit encoding is obeyed.
        assert!(DecodingReader::new(&b"a\0b"[..], Encoding::Utf8, Box::new(|_| {})).is_ok());
    }

    #[test]
    fn utf16_with_bom() {
        let mut b = vec![0xFF, 0xFE];
        for u in "还钱\n".encode_utf16() {
            b.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(decode(&b, Encoding::Auto).0, "还钱\n");
    }

    #[test]
    fn bad_bytes_replaced_and_reported_by_line() {
        let (s, w) = decode(b"ok\nbad \xFF here\n", Encoding::Utf8);
        assert_eq!(s, "ok\nbad \u{FFFD} here\n");
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].line, 2);
    }

    #[test]
    fn warnings_count_lines_as_lines_splits_them() {
        // CR alone ends a line; CRLF is one break.
        let (_, w) = decode(b"a\rb\r\nc\n\xFF\n", Encoding::Utf8);
        assert_eq!(w.iter().map(|d| d.line).collect::<Vec<_>>(), [4]);
        let (_, w) = decode(b"a\r\n\r\n\xFF", Encoding::Utf8);
        assert_eq!(w[0].line, 3);
    }

    #[test]
    fn reading_after_the_end_is_harmless() {
        // A cut-off BOM decodes as GB18030 and flushes at the very end; reading on must
        // not touch the finished decoder.
        let mut r = DecodingReader::new(&b"\xEF\xBB"[..], Encoding::Auto, Box::new(|_| {})).unwrap();
        let mut s = String::new();
        r.read_to_string(&mut s).unwrap();
        assert_eq!(r.read(&mut [0u8; 8]).unwrap(), 0);
        assert_eq!(r.fill_buf().unwrap().len(), 0);
        let mut lines =
            Lines::new(DecodingReader::new(&b"a"[..], Encoding::Utf16Le, Box::new(|_| {})).unwrap());
        while lines.next_line().unwrap().is_some() {}
        assert!(lines.next_line().unwrap().is_none());
    }

    /// A reader that hands out `step` bytes per fill, to split lines and terminators
    /// across fills.
    struct Trickle<'a> {
        data: &'a [u8],
        step: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.data.len().min(self.step).min(buf.len());
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    #[test]
    fn lines_split_across_fills() {
        let text = "还钱\r\n老赖\rab\n\n\r\nx\u{FFFD}y\r";
        let want = vec!["还钱", "老赖", "ab", "", "", "x\u{FFFD}y"];
        for step in 1..8 {
            let reader = io::BufReader::with_capacity(step, Trickle { data: text.as_bytes(), step });
            let mut l = Lines::new(reader);
            let mut got = Vec::new();
            let mut all = String::new();
            while let Some(x) = l.next_line().unwrap() {
                got.push(x);
            }
            assert_eq!(got, want, "step {step}");
            let mut l =
                Lines::new(io::BufReader::with_capacity(step, Trickle { data: text.as_bytes(), step }));
            let mut n = 0;
            while l.read_line_into(&mut all).unwrap() {
                n += 1;
            }
            assert_eq!((n, all), (want.len(), want.concat()), "step {step}");
        }
    }

    #[test]
    fn line_endings() {
        assert_eq!(lines("a\nb\r\nc\rd"), vec!["a", "b", "c", "d"]);
        assert_eq!(lines("a\n\nb\n"), vec!["a", "", "b"]);
        assert!(lines("").is_empty());
        assert_eq!(lines("\n"), vec![""]);
    }
}
