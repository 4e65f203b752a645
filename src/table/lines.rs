//! The line a CSV record starts on. The csv crate counts LF bytes as it consumes them,
//! so in a CRLF file it names the line before (the LF of a record's terminator is read
//! with the next record) and in a CR file always line 1; this reader counts the line
//! breaks the way [`crate::input::Lines`] splits them (LF, CRLF, CR) as bytes pass to csv.

use std::collections::VecDeque;
use std::io::{self, Read};

/// A reader that notes where each line break starts, and can look at the first line
/// before csv reads it.
pub(super) struct LineCounter<R> {
    inner: R,
    /// Bytes read ahead by [`LineCounter::first_line`], passed on before any others.
    ahead: Vec<u8>,
    ahead_at: usize,
    /// Bytes passed on so far.
    offset: u64,
    /// The last byte passed on was CR (a LF next is the same break).
    after_cr: bool,
    /// Starts of the line breaks not yet forgotten, in order.
    breaks: VecDeque<u64>,
    /// Line breaks forgotten: all before a record already read.
    forgotten: u64,
}

impl<R> LineCounter<R> {
    pub(super) fn new(inner: R) -> Self {
        LineCounter {
            inner,
            ahead: Vec::new(),
            ahead_at: 0,
            offset: 0,
            after_cr: false,
            breaks: VecDeque::new(),
            forgotten: 0,
        }
    }

    /// The 1-based line of the byte at `offset` (a record's start, or the LF of the
    /// CRLF before it, as csv reports it).
    pub(super) fn line_at(&self, offset: u64) -> u64 {
        1 + self.forgotten + self.breaks.iter().take_while(|&&b| b < offset).count() as u64
    }

    /// Drops the breaks before `offset` (where a record that was read starts), keeping
    /// their count, so that memory does not grow with the file.
    pub(super) fn forget_before(&mut self, offset: u64) {
        while self.breaks.front().is_some_and(|&b| b < offset) {
            self.breaks.pop_front();
            self.forgotten += 1;
        }
    }
}

impl<R: Read> LineCounter<R> {
    /// The first line (up to 64 KiB of it), read ahead before anything is passed on.
    pub(super) fn first_line(&mut self) -> io::Result<&[u8]> {
        const MAX: usize = 64 * 1024;
        let mut chunk = [0u8; 4096];
        while self.ahead.len() < MAX && memchr::memchr2(b'\n', b'\r', &self.ahead).is_none() {
            let n = match self.inner.read(&mut chunk) {
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if n == 0 {
                break;
            }
            self.ahead.extend_from_slice(&chunk[..n]);
        }
        let end = memchr::memchr2(b'\n', b'\r', &self.ahead).unwrap_or(self.ahead.len());
        Ok(&self.ahead[..end])
    }
}

impl<R: Read> Read for LineCounter<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = if self.ahead_at < self.ahead.len() {
            let n = buf.len().min(self.ahead.len() - self.ahead_at);
            buf[..n].copy_from_slice(&self.ahead[self.ahead_at..self.ahead_at + n]);
            self.ahead_at += n;
            n
        } else {
            self.inner.read(buf)?
        };
        for i in memchr::memchr2_iter(b'\n', b'\r', &buf[..n]) {
            let crlf = buf[i] == b'\n' && if i == 0 { self.after_cr } else { buf[i - 1] == b'\r' };
            if !crlf {
                self.breaks.push_back(self.offset + i as u64);
            }
        }
        if n > 0 {
            self.after_cr = buf[n - 1] == b'\r';
        }
        self.offset += n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_line_is_read_ahead_and_still_passed_on() {
        let mut r = LineCounter::new(&b"a\tb\r\nc\n"[..]);
        assert_eq!(r.first_line().unwrap(), b"a\tb");
        let mut all = Vec::new();
        r.read_to_end(&mut all).unwrap();
        assert_eq!(all, b"a\tb\r\nc\n");
        assert_eq!(r.line_at(5), 2);
    }

    #[test]
    fn lines_of_offsets_in_lf_crlf_and_cr_text() {
        for (text, want) in [("a\nb\nc", [1, 2, 3]), ("a\r\nb\r\nc", [1, 2, 3]), ("a\rb\rc", [1, 2, 3])] {
            let mut r = LineCounter::new(text.as_bytes());
            let mut all = Vec::new();
            // One byte at a time: a CRLF split between reads is still one break.
            let mut b = [0u8; 1];
            while r.read(&mut b).unwrap() == 1 {
                all.push(b[0]);
            }
            let starts: Vec<u64> =
                [0, text.find('b').unwrap(), text.find('c').unwrap()].map(|o| o as u64).into();
            assert_eq!(starts.iter().map(|&o| r.line_at(o)).collect::<Vec<_>>(), want, "{text:?}");
            // The LF of a CRLF is still on the line before the next record.
            if text.contains("\r\n") {
                assert_eq!(r.line_at(starts[1] - 1), 2);
            }
            r.forget_before(starts[2]);
            assert_eq!(r.line_at(starts[2]), 3);
        }
    }
}
