//! The verdict: the model's label and calibrated probabilities. Cues reach the model as
//! context features (`context`), so whether a cue counts (said to the debtor, or quoted in
//! a complaint or a news report) is learnt from data rather than overriding the model;
//! the cues that matched are kept as evidence.

use crate::allow::Allowed;
use crate::cues::CueMatch;
use crate::label::{Label, Scores};
use crate::normalize::Span;
use crate::units::Role;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
/// What decided a verdict's label.
pub enum DecidedBy {
    /// The model's label.
    Model,
    /// The message is empty or blank.
    Empty,
    /// No Chinese text and no cue: outside what the model was trained on, so its
    /// probabilities are kept but the label is compliant and says nothing.
    OutOfScope,
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
    /// Spans covered by an allow phrase: no cue and no features there.
    pub allowed: Vec<Allowed>,
    /// The units the message was judged by (turns or sentences); empty when it was
    /// judged whole.
    pub units: Vec<UnitVerdict>,
}

/// One unit's verdict, spans on the whole message.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitVerdict {
    /// Where the unit is in the message.
    pub span: Span,
    /// Its speaker label as written, if the message has speaker turns.
    pub speaker: Option<String>,
    /// Who speaks it.
    pub role: Role,
    /// Its label.
    pub label: Label,
    /// The probability of its label.
    pub confidence: f64,
    /// Its probabilities.
    pub scores: Scores,
    /// Its cues.
    pub matches: Vec<CueMatch>,
    /// Whether this unit decided the message's label.
    pub deciding: bool,
}

/// The verdict of a message judged by units, from `whole` (the verdict on the whole
/// message) and its units' verdicts:
///
/// - A violating `whole` stands, unless only customer turns carry its label (no counting
///   unit has it, a customer turn does): a debtor's words do not make a collector's call
///   violating.
/// - Otherwise the counting unit (collector or unknown speaker) whose violating
///   probability is highest makes the message violating when that probability reaches
///   `threshold`, so that one sentence is not lost in a long text.
/// - Else the message is compliant: `whole`'s probabilities, or, when `whole` was set aside,
///   those of the least compliant counting unit with its violating share moved to compliant.
pub fn from_units(whole: Verdict, units: Vec<(UnitVerdict, Vec<Allowed>)>, threshold: f64) -> Verdict {
    let violating = |s: &Scores| s[Label::Threatening.index()].max(s[Label::Harassing.index()]);
    let (mut units, allowed): (Vec<UnitVerdict>, Vec<Vec<Allowed>>) = units.into_iter().unzip();
    let mut v = whole;
    v.allowed = allowed.into_iter().flatten().collect();
    let l = v.label;
    let customers_only = l != Label::Compliant
        && !units.iter().any(|u| u.role.counts() && u.label == l)
        && units.iter().any(|u| !u.role.counts() && u.label == l);
    let counting: Vec<usize> = (0..units.len()).filter(|&i| units[i].role.counts()).collect();
    let by = |key: &dyn Fn(&UnitVerdict) -> f64| {
        counting.iter().copied().max_by(|&a, &b| key(&units[a]).total_cmp(&key(&units[b])).then(b.cmp(&a)))
    };
    let deciding = if l != Label::Compliant && !customers_only {
        by(&|u| u.scores[l.index()])
    } else {
        let best = by(&|u| violating(&u.scores));
        match best {
            Some(i) if units[i].label != Label::Compliant && violating(&units[i].scores) >= threshold => {
                let u = &units[i];
                (v.label, v.scores, v.model_scores) = (u.label, u.scores, u.scores);
                v.matches = u.matches.clone();
                Some(i)
            }
            _ if customers_only => {
                let mut scores = best.map_or([1.0, 0.0, 0.0], |i| units[i].scores);
                let worst = if scores[1] >= scores[2] { 1 } else { 2 };
                if argmax(&scores) != Label::Compliant.index() {
                    scores[0] += scores[worst];
                    scores[worst] = 0.0;
                }
                (v.label, v.scores, v.model_scores) = (Label::Compliant, scores, scores);
                v.matches = best.map_or_else(Vec::new, |i| units[i].matches.clone());
                best
            }
            _ => None,
        }
    };
    v.confidence = v.scores[v.label.index()];
    if let Some(i) = deciding {
        units[i].deciding = true;
    }
    v.units = units;
    v
}

impl DecidedBy {
    /// The name used in output (`model`, `cue`, `empty`).
    pub fn as_str(self) -> &'static str {
        match self {
            DecidedBy::Model => "model",
            DecidedBy::Empty => "empty",
            DecidedBy::OutOfScope => "out_of_scope",
        }
    }
}

/// The verdict from the model's probabilities, with the unguarded cue matches as evidence.
pub fn decide(model_scores: Scores, matches: Vec<CueMatch>) -> Verdict {
    let label = Label::from_index(argmax(&model_scores));
    Verdict {
        label,
        confidence: model_scores[label.index()],
        scores: model_scores,
        model_scores,
        decided_by: DecidedBy::Model,
        matches,
        allowed: Vec::new(),
        units: Vec::new(),
    }
}

/// The verdict for a message with no Chinese text and no cue (English, digits only, a
/// URL): compliant, marked out of scope, with the model's probabilities as they are.
pub fn out_of_scope(model_scores: Scores) -> Verdict {
    Verdict {
        label: Label::Compliant,
        confidence: model_scores[Label::Compliant.index()],
        scores: model_scores,
        model_scores,
        decided_by: DecidedBy::OutOfScope,
        matches: Vec::new(),
        allowed: Vec::new(),
        units: Vec::new(),
    }
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
        allowed: Vec::new(),
        units: Vec::new(),
    }
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
    use crate::cues::CueCode;

    fn cue(code: CueCode) -> CueMatch {
        CueMatch {
            code,
            label: code.label(),
            pattern: "x".into(),
            span: crate::normalize::Span { text: "x".into(), start: 0, end: 1, byte_start: 0, byte_end: 1 },
            source: "builtin".into(),
        }
    }

    #[test]
    fn the_model_decides_and_cues_stay_as_evidence() {
        let v = decide([0.2, 0.7, 0.1], vec![]);
        assert_eq!((v.label, v.decided_by), (Label::Threatening, DecidedBy::Model));
        assert_eq!(v.confidence, 0.7);
        let v = decide([0.8, 0.1, 0.1], vec![cue(CueCode::T1), cue(CueCode::H1)]);
        assert_eq!((v.label, v.confidence), (Label::Compliant, 0.8));
        assert_eq!(v.matches.len(), 2);
        assert_eq!(v.scores, v.model_scores);
    }
}
