//! The floor for any jieba-based classifier: segmentation alone, no normalisation,
//! features, model or output formatting beyond one count per line.
//!
//!     cargo run --release --example jieba_floor < messages.txt > counts.txt
//!     cargo run --release --example jieba_floor -- --load-only   # dictionary load only

use jieba_rs::Jieba;
use std::io::{self, BufRead, BufWriter, Write};

fn main() -> io::Result<()> {
    let load_only = std::env::args().skip(1).any(|a| a == "--load-only");
    let jieba = Jieba::new();
    if load_only {
        std::hint::black_box(&jieba);
        return Ok(());
    }
    let stdin = io::stdin();
    let mut input = stdin.lock();
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut buf = Vec::with_capacity(1024);
    loop {
        buf.clear();
        if input.read_until(b'\n', &mut buf)? == 0 {
            break;
        }
        let line = String::from_utf8_lossy(&buf);
        let line = line.trim_end_matches(['\n', '\r']);
        let n = jieba.cut(line, true).len();
        writeln!(out, "{n}")?;
    }
    out.flush()
}
