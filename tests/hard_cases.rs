//! Hard cases written from LABELS.md's decided cases (tests/hard_cases.tsv): each message
//! must get its label with the embedded model.

use collectguard::{Classifier, Label};

#[test]
fn every_hard_case_gets_its_label() {
    let c = Classifier::with_default_model().unwrap();
    let mut r =
        csv::ReaderBuilder::new().delimiter(b'\t').quoting(false).from_path("tests/hard_cases.tsv").unwrap();
    let mut failures = Vec::new();
    let mut n = 0;
    for rec in r.records() {
        let rec = rec.unwrap();
        let (text, want, case) = (&rec[0], rec[1].parse::<Label>().unwrap(), &rec[2]);
        n += 1;
        let v = c.classify(text);
        if v.label != want {
            failures.push(format!("[{case}] {text}: want {want}, got {} ({:.2})", v.label, v.confidence));
        }
    }
    assert!(n >= 60, "only {n} hard cases");
    assert!(failures.is_empty(), "{} of {n} failed:\n{}", failures.len(), failures.join("\n"));
}
