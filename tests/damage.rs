//! Random damage in corpus files of every encoding: decoded through the library as the
//! command line decodes its inputs, every line the damage did not touch comes out exactly,
//! and the warnings name only lines it touched.

mod common;

use collectguard::input::{Encoding, Lines};
use collectguard::source::{self, Notice, Notify};
use common::damage::{Damaged, Enc, Rng, check, corpus, damaged_file};
use std::sync::{Arc, Mutex};

/// The decoded lines of `bytes`, the encoding chosen, and the lines warned about.
fn decode(bytes: &[u8]) -> Result<(Vec<String>, String, Vec<u64>), String> {
    let warned = Arc::new(Mutex::new(Vec::new()));
    let w = warned.clone();
    let notify: Notify = Arc::new(move |n| {
        if let Notice::Undecodable { warning, .. } = n {
            w.lock().unwrap().push(warning.line);
        }
    });
    let reader = source::decode(bytes, Encoding::Auto, "f", &notify).map_err(|e| {
        format!("{e}: {}", std::error::Error::source(&e).map(ToString::to_string).unwrap_or_default())
    })?;
    let encoding = reader.encoding_name();
    let mut lines = Lines::new(reader);
    let mut got = Vec::new();
    while let Some(l) = lines.next_line().unwrap() {
        got.push(l);
    }
    let warned = warned.lock().unwrap().clone();
    Ok((got, encoding, warned))
}

/// What is wrong with the decoding of `file`, if anything.
fn check_file(file: &Damaged, enc: Enc, n: usize) -> Option<String> {
    let (got, encoding, warned) = match decode(&file.bytes) {
        Ok(d) => d,
        // Refusing a file is wrong only when some of it was undamaged.
        Err(_) if file.touched.iter().all(|&t| t) => return None,
        Err(e) => return Some(format!("{} file {n}: {e}", enc.name())),
    };
    let matched = match check(file, &got) {
        Ok(m) => m,
        Err(why) => {
            return Some(format!(
                "{} file {n} read as {encoding}: {why}; touched {:?}",
                enc.name(),
                file.touched
            ));
        }
    };
    let wrong: Vec<u64> = warned.into_iter().filter(|&l| matched.contains(&(l as usize - 1))).collect();
    (!wrong.is_empty()).then(|| format!("{} file {n}: warnings for undamaged lines {wrong:?}", enc.name()))
}

/// Damages 1,000 files of each encoding (seeded) and checks every one.
fn damage_all(corpus: &[String], encodings: &[(u64, Enc)], max_lines: usize) {
    let mut failed = Vec::new();
    for &(seed, enc) in encodings {
        let mut rng = Rng(seed);
        for n in 0..1000 {
            let file = damaged_file(&mut rng, corpus, enc, max_lines);
            failed.extend(check_file(&file, enc, n));
        }
    }
    assert!(
        failed.is_empty(),
        "{} of {} files:\n{}",
        failed.len(),
        encodings.len() * 1000,
        failed.join("\n")
    );
}

#[test]
fn every_undamaged_line_of_a_damaged_file_decodes_exactly() {
    let encodings = [(1, Enc::Utf8), (2, Enc::Gb18030), (3, Enc::Utf16LeBom), (4, Enc::Utf16BeBom)];
    damage_all(&corpus(), &encodings, 200);
}

#[test]
fn small_damaged_files_of_short_lines() {
    // Few lines, so the damage weighs most against the evidence.
    let corpus: Vec<String> = corpus().into_iter().filter(|t| t.chars().count() <= 12).collect();
    assert!(corpus.len() > 500, "{}", corpus.len());
    damage_all(&corpus, &[(5, Enc::Utf8), (6, Enc::Gb18030), (7, Enc::Utf16LeBom)], 4);
}

#[test]
fn three_good_lines_and_one_damaged_line() {
    let good = ["您好，您的借款已逾期。", "请尽快还款。", "我们会再联系您。"];
    let mut bytes = Vec::new();
    for g in good {
        bytes.extend_from_slice(g.as_bytes());
        bytes.push(b'\n');
    }
    bytes.extend_from_slice(b"\xFF\xFE\x80abc\n");
    let (got, encoding, warned) = decode(&bytes).unwrap();
    assert_eq!(encoding, "UTF-8");
    assert_eq!(got[..3], good);
    assert_eq!(got[3], "\u{FFFD}\u{FFFD}\u{FFFD}abc");
    assert_eq!(got.len(), 4);
    assert_eq!(warned, [4]);
}

#[test]
fn gbk_after_64_kb_of_ascii() {
    let mut bytes = Vec::new();
    let mut i = 0;
    while bytes.len() < 64 * 1024 {
        bytes.extend_from_slice(format!("{i},ok fine\n").as_bytes());
        i += 1;
    }
    let late = "再不还钱我们就去你单位闹";
    let (gbk, _, _) = encoding_rs::GBK.encode(late);
    bytes.extend_from_slice(b"x,");
    bytes.extend_from_slice(&gbk);
    bytes.push(b'\n');
    let (got, encoding, warned) = decode(&bytes).unwrap();
    assert_eq!(encoding, "GB18030");
    assert_eq!(got.last().unwrap(), &format!("x,{late}"));
    assert_eq!(got.len(), i + 1);
    assert!(warned.is_empty(), "{warned:?}");
}
