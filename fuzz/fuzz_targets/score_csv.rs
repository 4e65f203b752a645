//! Arbitrary bytes as a CSV file, through the library calls the `score` command makes:
//! decode (Encoding::Auto) with `source::decode`, read the header and pick the message
//! column with `score::Scorer::new` (flexible), and score every row with
//! `Scorer::write_to`. The output is read back: one record per input record, every input
//! field kept, and the verdict columns equal to classifying the message directly.

#![no_main]

mod common;

use collectguard::input::Encoding;
use collectguard::output::{VERDICT_COLUMNS, verdict_fields};
use collectguard::score::{ScoreOptions, Scorer};
use collectguard::source;
use collectguard::table::TableError;
use libfuzzer_sys::fuzz_target;

// Build the classifier once, before fuzzing starts, so the first input is not slowed by it.
// It lives in a static OnceLock for the whole process; LeakSanitizer does not report it.
fuzz_target!(init: { common::classifier(); }, |data: &[u8]| {
    let classifier = common::classifier();
    let notify = source::ignore();
    let decode = || source::decode(data, Encoding::Auto, "fuzz.csv", &notify).expect("reading from memory cannot fail");
    // Commas, as the checks below read input and output.
    let mut options = ScoreOptions { flexible: true, delimiter: Some(b','), ..ScoreOptions::default() };
    let scorer = match Scorer::new(classifier, decode(), "fuzz.csv", &options, &notify) {
        Ok(Some(s)) => s,
        Ok(None) => return,
        // No column is known to hold the message: name the first one, as a user would.
        Err(TableError::NoTextColumn { .. }) => {
            let first = csv::ReaderBuilder::new().flexible(true).from_reader(decode()).headers().unwrap().get(0).unwrap_or("").to_string();
            options.text_column = Some(first.trim().to_string());
            match Scorer::new(classifier, decode(), "fuzz.csv", &options, &notify) {
                Ok(Some(s)) => s,
                // A first name that trims to another column's name: nothing to check.
                Ok(None) | Err(TableError::NoSuchColumn { .. }) => return,
                Err(e) => panic!("flexible, decoded input cannot fail: {e}"),
            }
        }
        Err(e) => panic!("flexible, decoded input cannot fail: {e}"),
    };
    let header = scorer.header();
    let width = header.len() - VERDICT_COLUMNS.len();
    let col = scorer.text_column();
    let mut out = Vec::new();
    let rows = scorer.write_to(&mut out, &mut |_| {}).expect("writing to memory cannot fail").all.rows;

    // The input, read as the scorer reads it, and the output read back.
    let mut input = csv::ReaderBuilder::new().flexible(true).from_reader(decode());
    let in_records: Vec<csv::StringRecord> = input.records().map(|r| r.expect("decoded, flexible input")).collect();
    // Extra fields of rows wider than the header get named columns before the verdicts.
    let widest = in_records.iter().map(|r| r.len()).max().unwrap_or(0).max(width);
    let mut back = csv::ReaderBuilder::new().flexible(true).from_reader(out.as_slice());
    assert_eq!(back.headers().expect("output header").len(), widest + VERDICT_COLUMNS.len(), "output header width");
    let out_records: Vec<csv::StringRecord> = back.records().map(|r| r.expect("output record")).collect();
    assert_eq!(out_records.len(), in_records.len(), "output records != input records");
    assert_eq!(rows as usize, in_records.len(), "row count");
    for (k, (i, o)) in in_records.iter().zip(&out_records).enumerate() {
        let n = widest;
        assert_eq!(o.len(), n + VERDICT_COLUMNS.len(), "output record {k} has the wrong number of fields");
        for (f, field) in i.iter().enumerate() {
            assert_eq!(o.get(f), Some(field), "output record {k} changed field {f}");
        }
        let text = i.get(col).unwrap_or("");
        let v = classifier.classify(text);
        common::check_verdict(text, &v);
        let fields: Vec<&str> = o.iter().skip(n).collect();
        assert_eq!(fields, verdict_fields(&v).iter().map(String::as_str).collect::<Vec<_>>(), "record {k}");
    }
});
