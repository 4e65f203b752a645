//! The model's own evidence for a verdict: the features that pushed each label up or down
//! most, mapped back to spans of the original text, beside the cue matches.

use crate::Classifier;
use crate::cues::{CueMatch, Guard};
use crate::label::Scores;
use crate::normalize::{Span, normalize};
use crate::verdict::Verdict;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    pub feature: String,
    /// TF-IDF value of the feature in this message.
    pub value: f64,
    /// weight × value per label, centred across labels (softmax ignores a shared shift),
    /// so a positive number pushes that label up against the others.
    pub contributions: Scores,
    pub spans: Vec<Span>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suppressed {
    #[serde(flatten)]
    pub cue: CueMatch,
    pub guard: Guard,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    pub text: String,
    pub verdict: Verdict,
    pub intercepts: Scores,
    /// Every feature of the message, strongest push toward the verdict's label first.
    pub evidence: Vec<Evidence>,
    /// Cues that matched but were guarded (negation or description).
    pub suppressed: Vec<Suppressed>,
}

/// Explains the verdict on `text`.
pub fn explain(classifier: &Classifier, text: &str) -> Explanation {
    let norm = normalize(text);
    let model = classifier.model();
    // One tokenizer pass gives both the feature row and where each feature occurs.
    let mut hits = Vec::new();
    let mut ranges: BTreeMap<u32, Vec<std::ops::Range<usize>>> = BTreeMap::new();
    classifier.tokenizer().terms(&norm, |term, r| {
        if let Some(i) = model.vocab().get_term(term) {
            hits.push(i);
            ranges.entry(i).or_default().push(r);
        }
    });
    let cues = classifier.lexicon().find(text, &norm);
    crate::context::features(text, &norm, &cues, |id| {
        if let Some(i) = model.context_feature(id) {
            hits.push(i);
        }
    });
    let x = model.vocab().vectorize(hits);
    let (verdict, suppressed) = classifier.judge(text, &norm, &x);
    let li = verdict.label.index();
    let mut evidence: Vec<Evidence> = x
        .indices
        .iter()
        .zip(&x.values)
        .map(|(&i, &value)| {
            let w = model.file.weights[i as usize];
            let raw = w.map(|wc| wc * value);
            let mean = raw.iter().sum::<f64>() / 3.0;
            Evidence {
                feature: model.file.features[i as usize].clone(),
                value,
                contributions: raw.map(|r| r - mean),
                spans: ranges
                    .get(&i)
                    .map_or_else(Vec::new, |rs| rs.iter().map(|r| norm.span(text, r.clone())).collect()),
            }
        })
        .collect();
    evidence
        .sort_by(|a, b| b.contributions[li].total_cmp(&a.contributions[li]).then(a.feature.cmp(&b.feature)));
    let suppressed = suppressed.into_iter().map(|(cue, guard)| Suppressed { cue, guard }).collect();
    Explanation { text: text.to_string(), verdict, intercepts: model.file.intercepts, evidence, suppressed }
}
