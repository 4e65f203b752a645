//! Property tests: the normaliser and the classifier never panic on arbitrary Unicode, and
//! every reported span lies on char boundaries of the original and slices to its text.

use collectguard::{Classifier, normalize};
use proptest::prelude::*;
use std::sync::OnceLock;

fn classifier() -> &'static Classifier {
    static C: OnceLock<Classifier> = OnceLock::new();
    C.get_or_init(|| Classifier::with_default_model().unwrap())
}

/// Arbitrary text biased toward what senders write: Han, traditional forms, separators,
/// pinyin annotations, full-width forms, emoji and cue words.
fn messy_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        any::<char>().prop_map(|c| c.to_string()),
        Just("還錢".to_string()),
        Just("老 赖".to_string()),
        Just("抓你坐牢".to_string()),
        Just("(mén)".to_string()),
        Just("上門".to_string()),
        Just("ＡＰＰ".to_string()),
        Just("🔪".to_string()),
        Just("\u{200B}".to_string()),
        Just("e\u{301}".to_string()),
        Just("*".to_string()),
        Just("废物".to_string()),
        Just("不会".to_string()),
        Just("①".to_string()),
        "[一-龥]{1,4}",
    ];
    prop::collection::vec(piece, 0..24).prop_map(|v| v.concat())
}

fn check_spans(text: &str) {
    let v = classifier().classify(text);
    assert!(v.scores.iter().all(|p| p.is_finite()));
    assert!((v.scores.iter().sum::<f64>() - 1.0).abs() < 1e-9);
    for m in &v.matches {
        let s = &m.span;
        assert!(text.is_char_boundary(s.byte_start) && text.is_char_boundary(s.byte_end));
        assert_eq!(&text[s.byte_start..s.byte_end], s.text);
        assert_eq!(text[..s.byte_start].chars().count(), s.start);
        assert_eq!(s.end - s.start, s.text.chars().count());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn normaliser_never_panics_and_maps_into_the_original(text in any::<String>()) {
        let n = normalize(&text);
        for i in 0..n.len_chars() {
            let r = n.original_bytes(i, i + 1);
            prop_assert!(r.end <= text.len());
            prop_assert!(text.is_char_boundary(r.start) && text.is_char_boundary(r.end));
        }
    }

    #[test]
    fn classifier_spans_slice_the_original(text in any::<String>()) {
        check_spans(&text);
    }

    #[test]
    fn classifier_spans_slice_disguised_text(text in messy_text()) {
        check_spans(&text);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    /// The one-pass shortcut and the step-by-step pipeline agree on everything.
    #[test]
    fn shortcut_and_stepwise_normalisation_agree(text in messy_text()) {
        prop_assert_eq!(normalize(&text), collectguard::normalize::normalize_stepwise(&text));
    }

    #[test]
    fn shortcut_and_stepwise_agree_on_plain_looking_text(text in "[a-zA-Z0-9 ,.*()_~\t一-龥，。、“”《》【】ＡＢ１（）還錢丨]{0,30}") {
        prop_assert_eq!(normalize(&text), collectguard::normalize::normalize_stepwise(&text));
    }
}

#[test]
fn shortcut_and_stepwise_agree_on_the_corpus() {
    let mut r = csv::Reader::from_path("data/train.csv").unwrap();
    for rec in r.records() {
        let text = rec.unwrap()[0].to_string();
        assert_eq!(normalize(&text), collectguard::normalize::normalize_stepwise(&text), "{text}");
    }
}
