//! Arbitrary bytes as a CSV file, through the library path the `score` command takes:
//! decode (Encoding::Auto), parse with the csv crate (flexible), classify the text column
//! (the one named `text`, else the first), write the verdict columns, and check that the
//! output has one record per input record.
//!
//! The `score` command itself lives in src/main.rs and cannot be called from here; this
//! mirrors it with the same library calls (`DecodingReader`, `Classifier::classify`,
//! `output::verdict_fields`, `output::VERDICT_COLUMNS`).

#![no_main]

mod common;

use collectguard::input::{DecodingReader, Encoding};
use collectguard::output::{VERDICT_COLUMNS, verdict_fields};
use libfuzzer_sys::fuzz_target;

// Build the classifier once, before fuzzing starts, so the first input is not slowed by it.
// It lives in a static OnceLock for the whole process; LeakSanitizer does not report it.
fuzz_target!(init: { common::classifier(); }, |data: &[u8]| {
    let classifier = common::classifier();
    let decoded = DecodingReader::new(data, Encoding::Auto, Box::new(|_| {}))
        .expect("reading from memory cannot fail");
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(decoded);
    // The decoder yields UTF-8 and the reader is flexible: no csv error is possible.
    let headers = reader.headers().expect("csv header of decoded, flexible input").clone();
    let col = headers
        .iter()
        .position(|h| h.trim().trim_start_matches('\u{feff}').eq_ignore_ascii_case("text"))
        .unwrap_or(0);
    let width = headers.len();

    // Flexible like the reader: a row wider than the header keeps its extra fields, so
    // rows differ in width, as the `score --flexible` command's writer also allows.
    let mut writer = csv::WriterBuilder::new().flexible(true).from_writer(Vec::new());
    let mut out_header: Vec<String> = headers.iter().map(str::to_string).collect();
    out_header.extend(VERDICT_COLUMNS.iter().map(|c| c.to_string()));
    writer.write_record(&out_header).unwrap();

    let mut inputs: Vec<(usize, String)> = Vec::new();
    for rec in reader.records() {
        let rec = rec.expect("csv record of decoded, flexible input");
        let text = rec.get(col).unwrap_or("");
        let v = classifier.classify(text);
        common::check_verdict(text, &v);
        let mut fields: Vec<&str> = rec.iter().collect();
        while fields.len() < width {
            fields.push("");
        }
        let n_fields = fields.len();
        let extra = verdict_fields(&v);
        fields.extend(extra.iter().map(String::as_str));
        writer.write_record(&fields).unwrap();
        inputs.push((n_fields + VERDICT_COLUMNS.len(), text.to_string()));
    }
    let out = writer.into_inner().unwrap();

    // Read the output back: same number of records, same text, all verdict columns.
    let mut back = csv::ReaderBuilder::new().flexible(true).from_reader(out.as_slice());
    let out_headers = back.headers().expect("output header").clone();
    assert_eq!(out_headers.len(), width + VERDICT_COLUMNS.len(), "output header width");
    let mut n_out = 0;
    for (k, rec) in back.records().enumerate() {
        let rec = rec.expect("output record");
        let (n_fields, text) = inputs.get(k).expect("more output records than input records");
        assert_eq!(rec.len(), *n_fields, "output record {k} has the wrong number of fields");
        assert_eq!(rec.get(col).unwrap_or(""), text, "output record {k} changed the text");
        n_out += 1;
    }
    assert_eq!(n_out, inputs.len(), "output records != input records");
});
