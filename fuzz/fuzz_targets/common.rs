//! Shared pieces of the fuzz targets: one classifier per process and the checks every
//! verdict must pass.

#![allow(dead_code)]

use collectguard::normalize::Span;
use collectguard::{Classifier, Verdict};
use std::sync::OnceLock;

/// The default classifier, built once per fuzzing process.
pub fn classifier() -> &'static Classifier {
    static C: OnceLock<Classifier> = OnceLock::new();
    C.get_or_init(|| Classifier::with_default_model().expect("the embedded model loads"))
}

/// A span into `original` is in bounds, on char boundaries, its text is the original's
/// slice, and its char offsets agree with its byte offsets.
pub fn check_span(original: &str, span: &Span, what: &str) {
    let (bs, be) = (span.byte_start, span.byte_end);
    assert!(bs <= be, "{what}: byte_start {bs} > byte_end {be} in {original:?}");
    assert!(be <= original.len(), "{what}: byte_end {be} past the end ({}) of {original:?}", original.len());
    assert!(original.is_char_boundary(bs), "{what}: byte_start {bs} not on a char boundary of {original:?}");
    assert!(original.is_char_boundary(be), "{what}: byte_end {be} not on a char boundary of {original:?}");
    assert_eq!(&original[bs..be], span.text, "{what}: span text is not the original's slice {bs}..{be}");
    assert!(span.start <= span.end, "{what}: start {} > end {}", span.start, span.end);
    assert_eq!(span.start, original[..bs].chars().count(), "{what}: char start disagrees with byte_start {bs}");
    assert_eq!(span.end, original[..be].chars().count(), "{what}: char end disagrees with byte_end {be}");
}

fn check_scores(s: &[f64; 3], what: &str) {
    for &p in s {
        assert!(p.is_finite(), "{what}: non-finite score in {s:?}");
        assert!((-1e-9..=1.0 + 1e-9).contains(&p), "{what}: score out of [0, 1] in {s:?}");
    }
    let sum: f64 = s.iter().sum();
    assert!((sum - 1.0).abs() < 1e-6, "{what}: scores sum to {sum}, not 1: {s:?}");
}

/// Every invariant a verdict on `line` must satisfy.
pub fn check_verdict(line: &str, v: &Verdict) {
    check_scores(&v.scores, "scores");
    check_scores(&v.model_scores, "model_scores");
    assert!(v.confidence.is_finite(), "confidence {} not finite", v.confidence);
    assert_eq!(v.confidence, v.scores[v.label.index()], "confidence is not the label's score");
    for m in &v.matches {
        check_span(line, &m.span, &format!("cue {} ({:?})", m.code.as_str(), m.pattern));
    }
}
