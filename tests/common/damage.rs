//! Damaged corpus files: messages of `data/train.csv` written in one encoding, with a few
//! spots of random bytes, and which lines the damage touched. Shared by the damage test
//! and the detector comparison example.

#![allow(dead_code)]

/// The encodings a damaged file is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Enc {
    Utf8,
    Gb18030,
    Utf16LeBom,
    Utf16BeBom,
    Big5,
}

impl Enc {
    pub fn name(self) -> &'static str {
        match self {
            Enc::Utf8 => "UTF-8",
            Enc::Gb18030 => "GB18030",
            Enc::Utf16LeBom => "UTF-16LE",
            Enc::Utf16BeBom => "UTF-16BE",
            Enc::Big5 => "Big5",
        }
    }

    /// The bytes of `s`, and whether every character could be written.
    pub fn encode(self, s: &str) -> (Vec<u8>, bool) {
        match self {
            Enc::Utf8 => (s.as_bytes().to_vec(), true),
            Enc::Gb18030 | Enc::Big5 => {
                let e = if self == Enc::Big5 { encoding_rs::BIG5 } else { encoding_rs::GB18030 };
                let (b, _, unmappable) = e.encode(s);
                (b.into_owned(), !unmappable)
            }
            Enc::Utf16LeBom => (s.encode_utf16().flat_map(u16::to_le_bytes).collect(), true),
            Enc::Utf16BeBom => (s.encode_utf16().flat_map(u16::to_be_bytes).collect(), true),
        }
    }

    fn bom(self) -> &'static [u8] {
        match self {
            Enc::Utf16LeBom => b"\xFF\xFE",
            Enc::Utf16BeBom => b"\xFE\xFF",
            _ => b"",
        }
    }

    /// UTF-16 damage overwrites bytes in place: an inserted odd byte would shift every
    /// later code unit, which no decoder can take back.
    fn inserts(self) -> bool {
        !matches!(self, Enc::Utf16LeBom | Enc::Utf16BeBom)
    }
}

/// splitmix64: a small deterministic generator.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// The messages of `data/train.csv` (one line each; none holds a line break).
pub fn corpus() -> Vec<String> {
    let mut r = csv::Reader::from_path("data/train.csv").unwrap();
    r.records()
        .map(|rec| rec.unwrap()[0].to_string())
        .filter(|t| !t.is_empty() && !t.contains(['\n', '\r']))
        .collect()
}

/// One damaged file.
pub struct Damaged {
    /// The file's bytes, damage included.
    pub bytes: Vec<u8>,
    /// The lines as written, before the damage.
    pub lines: Vec<String>,
    /// Which lines the damage touched (a damaged terminator touches both lines it ends
    /// and starts; a damaged BOM touches the first line).
    pub touched: Vec<bool>,
}

/// A file of `1..=max_lines` corpus messages in `enc`, LF or CRLF, with one to three
/// damaged spots of one to four random bytes each, at any position.
pub fn damaged_file(rng: &mut Rng, corpus: &[String], enc: Enc, max_lines: usize) -> Damaged {
    let n = 1 + rng.below(max_lines);
    let crlf = rng.below(2) == 0;
    let final_terminator = rng.below(4) != 0;
    let mut bytes = enc.bom().to_vec();
    let mut lines = Vec::with_capacity(n);
    // Per line: the byte range of its text and the end of its terminator.
    let mut spans = Vec::with_capacity(n);
    while lines.len() < n {
        let text = &corpus[rng.below(corpus.len())];
        let (b, exact) = enc.encode(text);
        if !exact {
            continue;
        }
        let start = if lines.is_empty() { 0 } else { bytes.len() };
        bytes.extend_from_slice(&b);
        let text_end = bytes.len();
        if lines.len() + 1 < n || final_terminator {
            bytes.extend_from_slice(&enc.encode(if crlf { "\r\n" } else { "\n" }).0);
        }
        spans.push((start, text_end, bytes.len()));
        lines.push(text.clone());
    }
    let mut touched = vec![false; n];
    let spots = 1 + rng.below(3);
    let mut damage: Vec<(usize, bool, Vec<u8>)> = (0..spots)
        .map(|_| {
            let at = rng.below(bytes.len());
            let insert = enc.inserts() && rng.below(2) == 0;
            let len = 1 + rng.below(4);
            (at, insert, (0..len).map(|_| rng.next() as u8).collect())
        })
        .collect();
    for (at, insert, junk) in &damage {
        let end = if *insert { at + 1 } else { (at + junk.len()).min(bytes.len()) };
        for (i, &(start, text_end, term_end)) in spans.iter().enumerate() {
            if *at < term_end && end > start {
                touched[i] = true;
                if end > text_end && i + 1 < n {
                    touched[i + 1] = true;
                }
            }
        }
    }
    // From the last spot back, so that insertions do not move the spots before them.
    damage.sort_by_key(|d| std::cmp::Reverse(d.0));
    for (at, insert, junk) in damage {
        if insert {
            bytes.splice(at..at, junk);
        } else {
            let end = (at + junk.len()).min(bytes.len());
            bytes.splice(at..end, junk[..end - at].iter().copied());
        }
    }
    Damaged { bytes, lines, touched }
}

/// Whether every untouched line of `file` is in `got` (the decoded lines), in order and
/// exactly: the untouched lines before the first damage start `got`, those after the
/// last end it, and each run between is found after the previous one with at least one
/// line between them. Returns the indices in `got` of the untouched lines, or why not.
pub fn check(file: &Damaged, got: &[String]) -> Result<Vec<usize>, String> {
    let n = file.lines.len();
    let mut runs: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < n {
        if file.touched[i] {
            i += 1;
            continue;
        }
        let s = i;
        while i < n && !file.touched[i] {
            i += 1;
        }
        runs.push((s, i));
    }
    let mut at = 0;
    let mut matched = Vec::new();
    for (s, e) in runs {
        let want = &file.lines[s..e];
        let from = if s == 0 { 0 } else { at + 1 };
        let found = if s == 0 {
            (got.len() >= want.len() && got[..want.len()] == *want).then_some(0)
        } else if e == n {
            let k = got.len().checked_sub(want.len());
            k.filter(|&k| k >= from && got[k..] == *want)
        } else {
            (from..=got.len().saturating_sub(want.len())).find(|&k| got[k..k + want.len()] == *want)
        };
        let Some(k) = found else {
            return Err(format!("untouched lines {}..{} not found in order", s + 1, e + 1));
        };
        matched.extend(k..k + want.len());
        at = k + want.len();
    }
    Ok(matched)
}
