//! Arbitrary text through `normalize`; every char range of the result maps back to an
//! in-bounds, char-aligned range of the original, and the one-pass shortcut of
//! `normalize` agrees with the stepwise pipeline.

#![no_main]

mod common;

use collectguard::normalize::{normalize, normalize_stepwise};
use libfuzzer_sys::fuzz_target;

fn check_range(s: &str, n: &collectguard::Normalized, i: usize, j: usize, with_span: bool) {
    let b = n.original_bytes(i, j);
    assert!(b.start <= b.end, "original_bytes({i}, {j}) = {b:?} is reversed for {s:?}");
    assert!(b.end <= s.len(), "original_bytes({i}, {j}) = {b:?} past the end ({}) of {s:?}", s.len());
    assert!(
        s.is_char_boundary(b.start) && s.is_char_boundary(b.end),
        "original_bytes({i}, {j}) = {b:?} not on char boundaries of {s:?}"
    );
    if with_span {
        let span = n.span(s, i..j);
        assert_eq!((span.byte_start, span.byte_end), (b.start, b.end), "span({i}..{j}) disagrees with original_bytes");
        common::check_span(s, &span, &format!("span({i}..{j})"));
    }
}

fuzz_target!(|s: &str| {
    let n = normalize(s);
    // The one-pass shortcut must give exactly what the step-by-step pipeline gives
    // (text and offset map).
    let stepwise = normalize_stepwise(s);
    assert!(n == stepwise, "normalize disagrees with normalize_stepwise for {s:?}:\n  normalize:          {n:?}\n  normalize_stepwise: {stepwise:?}");
    let len = n.len_chars();
    assert_eq!(len, n.text.chars().count(), "len_chars disagrees with the text");
    if len <= 48 {
        // Every range, including empty ones.
        for i in 0..=len {
            for j in i..=len {
                check_range(s, &n, i, j, true);
            }
        }
    } else {
        // Every window of up to 4 chars (span() on a sample: it is linear per call), and
        // every prefix and suffix via original_bytes.
        for i in 0..len {
            for w in 1..=4.min(len - i) {
                check_range(s, &n, i, i + w, i % 16 == 0);
            }
            check_range(s, &n, 0, i, false);
            check_range(s, &n, i, len, false);
        }
        check_range(s, &n, 0, len, true);
    }
    // Ranges past the end are clamped, not a panic.
    check_range(s, &n, len, len + 3, true);
    check_range(s, &n, len / 2, len + 3, true);
});
