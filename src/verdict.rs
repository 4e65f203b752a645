//! Verdict fusion: the model's label, unless an unguarded cue of a high-severity code
//! says the message is worse.

use crate::cues::{CueCode, CueMatch};
use crate::label::{Label, Scores};
use serde::Serialize;

/// Codes whose unguarded match can decide the label: a cue raises the severity over the
/// model's label, or breaks the tie when the model is unsure (top probability < [`UNSURE`]).
pub const DECISIVE_CODES: &[CueCode] = &CueCode::ALL;

/// Below this top probability the model is unsure, and the cues' label breaks the tie
/// even when it is less severe than the model's guess.
pub const UNSURE: f64 = 0.6;

/// When a cue decides, the probability the fused scores give its label at least.
pub const CUE_CONFIDENCE: f64 = 0.9;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
/// What decided a verdict's label.
pub enum DecidedBy {
    /// The model's top label.
    Model,
    /// A cue raised the label or broke a tie.
    Cue,
    /// The message is empty or blank.
    Empty,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
/// A message's label, probabilities and the cues that count.
pub struct Verdict {
    /// The label.
    pub label: Label,
    /// Fused probability of `label`.
    pub confidence: f64,
    /// Fused probabilities, one per label.
    pub scores: Scores,
    /// The model's own probabilities, before fusion.
    pub model_scores: Scores,
    /// What decided the label.
    pub decided_by: DecidedBy,
    /// Cues that count, in order of position.
    pub matches: Vec<CueMatch>,
}

impl DecidedBy {
    /// The name used in output (`model`, `cue`, `empty`).
    pub fn as_str(self) -> &'static str {
        match self {
            DecidedBy::Model => "model",
            DecidedBy::Cue => "cue",
            DecidedBy::Empty => "empty",
        }
    }
}

fn severity(l: Label) -> u8 {
    match l {
        Label::Compliant => 0,
        Label::Harassing => 1,
        Label::Threatening => 2,
    }
}

/// Fuses model probabilities and the unguarded cue matches into a verdict.
pub fn decide(model_scores: Scores, matches: Vec<CueMatch>) -> Verdict {
    let model_label = Label::from_index(argmax(&model_scores));
    let cue_label = matches
        .iter()
        .filter(|m| DECISIVE_CODES.contains(&m.code))
        .map(|m| m.label)
        .max_by_key(|l| severity(*l));
    let unsure = model_scores[model_label.index()] < UNSURE;
    let (label, decided_by) = match cue_label {
        Some(c) if c != model_label && (severity(c) > severity(model_label) || unsure) => (c, DecidedBy::Cue),
        _ => (model_label, DecidedBy::Model),
    };
    let scores = if decided_by == DecidedBy::Cue { lift(model_scores, label) } else { model_scores };
    Verdict { label, confidence: scores[label.index()], scores, model_scores, decided_by, matches }
}

/// The verdict for an empty (or all-blank) message: compliant, nothing to see.
pub fn empty() -> Verdict {
    let scores = [1.0, 0.0, 0.0];
    Verdict {
        label: Label::Compliant,
        confidence: 1.0,
        scores,
        model_scores: scores,
        decided_by: DecidedBy::Empty,
        matches: Vec::new(),
    }
}

/// Gives `label` at least [`CUE_CONFIDENCE`], scaling the others to keep the sum at one.
fn lift(p: Scores, label: Label) -> Scores {
    let i = label.index();
    if p[i] >= CUE_CONFIDENCE {
        return p;
    }
    let rest: f64 = 1.0 - p[i];
    let scale = (1.0 - CUE_CONFIDENCE) / rest;
    let mut out = p.map(|v| v * scale);
    out[i] = CUE_CONFIDENCE;
    out
}

pub(crate) fn argmax(p: &Scores) -> usize {
    let mut best = 0;
    for i in 1..p.len() {
        if p[i] > p[best] {
            best = i;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cue(code: CueCode) -> CueMatch {
        CueMatch {
            code,
            label: code.label(),
            pattern: "x".into(),
            span: crate::normalize::Span { text: "x".into(), start: 0, end: 1, byte_start: 0, byte_end: 1 },
        }
    }

    #[test]
    fn model_decides_without_cues() {
        let v = decide([0.2, 0.7, 0.1], vec![]);
        assert_eq!((v.label, v.decided_by), (Label::Threatening, DecidedBy::Model));
        assert_eq!(v.confidence, 0.7);
    }

    #[test]
    fn threat_cue_overrides_and_lifts_scores() {
        let v = decide([0.8, 0.1, 0.1], vec![cue(CueCode::T1), cue(CueCode::H1)]);
        assert_eq!((v.label, v.decided_by), (Label::Threatening, DecidedBy::Cue));
        assert!((v.scores.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert_eq!(v.confidence, CUE_CONFIDENCE);
        assert_eq!(v.model_scores, [0.8, 0.1, 0.1]);
    }

    #[test]
    fn harassing_cue_lowers_a_threat_only_when_the_model_is_unsure() {
        let v = decide([0.1, 0.7, 0.2], vec![cue(CueCode::H2)]);
        assert_eq!((v.label, v.decided_by), (Label::Threatening, DecidedBy::Model));
        let v = decide([0.1, 0.5, 0.4], vec![cue(CueCode::H5)]);
        assert_eq!((v.label, v.decided_by), (Label::Harassing, DecidedBy::Cue));
        let v = decide([0.6, 0.1, 0.3], vec![cue(CueCode::H2)]);
        assert_eq!(v.label, Label::Harassing);
    }
}
