//! Arbitrary bytes, decoded as the CLI decodes a file (Encoding::Auto) and also as lossy
//! UTF-8, split into lines and classified line by line.

#![no_main]

mod common;

use collectguard::input::{DecodingReader, Encoding, Lines};
use libfuzzer_sys::fuzz_target;
use std::io::BufRead;

fn classify_lines<R: BufRead>(reader: R) {
    let classifier = common::classifier();
    let mut lines = Lines::new(reader);
    while let Some(line) = lines.next_line().expect("reading from memory cannot fail") {
        let v = classifier.classify(&line);
        common::check_verdict(&line, &v);
    }
}

// Build the classifier once, before fuzzing starts, so the first input is not slowed by it.
// It lives in a static OnceLock for the whole process; LeakSanitizer does not report it.
fuzz_target!(init: { common::classifier(); }, |data: &[u8]| {
    let reader = DecodingReader::new(data, Encoding::Auto, Box::new(|_| {}))
        .expect("reading from memory cannot fail");
    classify_lines(reader);

    let lossy = String::from_utf8_lossy(data);
    classify_lines(lossy.as_bytes());
});
