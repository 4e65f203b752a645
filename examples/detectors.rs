//! collectguard's encoding detection against chardetng (Firefox's detector) on damaged
//! corpus files and on short inputs: how often each picks the right encoding, and how
//! often every undamaged line then decodes exactly. Run from the repository root:
//! `cargo run --release --example detectors`.

#[path = "../tests/common/damage.rs"]
mod damage;

use collectguard::input::{Encoding, Lines};
use collectguard::source;
use damage::{Damaged, Enc, Rng, check, corpus, damaged_file};
use encoding_rs::Encoding as EncodingRs;

/// The lines of `bytes` decoded with collectguard's detection, and the encoding chosen.
fn ours(bytes: &[u8]) -> (String, Option<Vec<String>>) {
    match source::decode(bytes, Encoding::Auto, "f", &source::ignore()) {
        Ok(reader) => {
            let name = reader.encoding_name();
            (name, Some(lines(reader)))
        }
        Err(_) => ("refused".into(), None),
    }
}

/// The lines of `bytes` decoded with chardetng's guess (after a BOM check if `bom`).
fn chardetng(bytes: &[u8], bom: bool) -> (String, Option<Vec<String>>) {
    let enc: &'static EncodingRs = match EncodingRs::for_bom(bytes) {
        Some((e, _)) if bom => e,
        _ => {
            let mut d = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
            d.feed(bytes, true);
            d.guess(None, chardetng::Utf8Detection::Allow)
        }
    };
    let (text, _) = enc.decode_with_bom_removal(bytes);
    (enc.name().to_ascii_uppercase(), Some(lines(text.as_bytes())))
}

fn lines(r: impl std::io::Read) -> Vec<String> {
    let mut l = Lines::new(std::io::BufReader::new(r));
    let mut out = Vec::new();
    while let Some(x) = l.next_line().unwrap() {
        out.push(x);
    }
    out
}

/// Whether `got` names `enc` (GBK and GB18030 are one family here).
fn right(enc: Enc, got: &str) -> bool {
    match enc {
        Enc::Gb18030 => got == "GB18030" || got == "GBK",
        Enc::Big5 => got == "BIG5",
        _ => got == enc.name(),
    }
}

#[derive(Default)]
struct Score {
    files: usize,
    encoding: usize,
    exact: usize,
    /// The wrong guesses, by name.
    wrong: std::collections::BTreeMap<String, usize>,
}

impl Score {
    fn add(&mut self, enc: Enc, file: &Damaged, (name, got): (String, Option<Vec<String>>)) {
        self.files += 1;
        if right(enc, &name) {
            self.encoding += 1;
        } else {
            *self.wrong.entry(name).or_default() += 1;
        }
        self.exact += usize::from(got.is_some_and(|g| check(file, &g).is_ok()));
    }

    /// The two most frequent wrong guesses.
    fn wrong(&self) -> String {
        let mut w: Vec<(&String, &usize)> = self.wrong.iter().collect();
        w.sort_by(|x, y| y.1.cmp(x.1));
        w.iter().take(2).map(|(n, c)| format!("{n} {c}")).collect::<Vec<_>>().join(", ")
    }

    fn cell(&self) -> String {
        let pct = |n: usize| 100.0 * n as f64 / self.files as f64;
        format!("{:5.1}% / {:5.1}%", pct(self.encoding), pct(self.exact))
    }
}

/// An undamaged file of the given lines.
fn clean(enc: Enc, lines: &[&String]) -> Option<Damaged> {
    let mut bytes = if enc == Enc::Utf16LeBom { vec![0xFF, 0xFE] } else { Vec::new() };
    for l in lines {
        let (b, exact) = enc.encode(l);
        if !exact {
            return None;
        }
        bytes.extend_from_slice(&b);
        bytes.extend_from_slice(&enc.encode("\n").0);
    }
    let lines: Vec<String> = lines.iter().map(|s| s.to_string()).collect();
    Some(Damaged { bytes, touched: vec![false; lines.len()], lines })
}

fn main() {
    let corpus = corpus();
    let short: Vec<String> = corpus
        .iter()
        .filter_map(|t| {
            let cut: String = t.chars().take(2 + t.len() % 5).collect();
            (!cut.is_ascii()).then_some(cut)
        })
        .collect();
    println!("cells: right encoding / every undamaged line exact");
    println!("{:<44} {:<19} {:<19} {:<19}", "input", "collectguard", "chardetng", "BOM + chardetng");
    let encodings = [Enc::Utf8, Enc::Gb18030, Enc::Utf16LeBom, Enc::Big5];
    for (label, kind) in [("damaged, 1-200 lines", 0), ("one line", 1), ("a few characters (2-6)", 2)] {
        for (k, &enc) in encodings.iter().enumerate() {
            if kind > 0 && enc == Enc::Utf16LeBom {
                continue;
            }
            let mut rng = Rng(100 + k as u64 + 10 * kind);
            let (mut a, mut b, mut c) = (Score::default(), Score::default(), Score::default());
            let mut n = 0;
            while n < 1000 {
                let file = match kind {
                    0 => damaged_file(&mut rng, &corpus, enc, 200),
                    1 => match clean(enc, &[&corpus[rng.below(corpus.len())]]) {
                        Some(f) => f,
                        None => continue,
                    },
                    _ => match clean(enc, &[&short[rng.below(short.len())]]) {
                        Some(f) => f,
                        None => continue,
                    },
                };
                n += 1;
                a.add(enc, &file, ours(&file.bytes));
                b.add(enc, &file, chardetng(&file.bytes, false));
                c.add(enc, &file, chardetng(&file.bytes, true));
            }
            let row = format!("{label}, {}", enc.name());
            println!("{row:<44} {:<19} {:<19} {:<19}", a.cell(), b.cell(), c.cell());
            println!("{:<44} {:<19} {:<19} {:<19}", "  wrong guesses", a.wrong(), b.wrong(), c.wrong());
        }
    }
}
