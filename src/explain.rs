//! The model's own evidence for a verdict: the features that pushed each label up or down
//! most, mapped back to spans of the original text, beside the cue matches.

use crate::Classifier;
use crate::cues::{CueMatch, Guard};
use crate::label::{Label, Scores};
use crate::normalize::{Span, normalize};
use crate::verdict::Verdict;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::{self, Write};

#[derive(Debug, Clone, PartialEq, Serialize)]
/// One feature of the message and how it pushed each label.
pub struct Evidence {
    /// The feature key (`w:…`, `n:…`, `b:…`).
    pub feature: String,
    /// TF-IDF value of the feature in this message.
    pub value: f64,
    /// weight × value per label, centred across labels (softmax ignores a shared shift),
    /// so a positive number pushes that label up against the others.
    pub contributions: Scores,
    /// Where the feature occurs in the original text.
    pub spans: Vec<Span>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
/// A cue that matched but was guarded.
pub struct Suppressed {
    #[serde(flatten)]
    /// The cue.
    pub cue: CueMatch,
    /// Why it does not count.
    pub guard: Guard,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
/// The evidence behind one verdict.
pub struct Explanation {
    /// The message.
    pub text: String,
    /// The verdict.
    pub verdict: Verdict,
    /// The model's intercepts, per label.
    pub intercepts: Scores,
    /// Every feature of the message, strongest push toward the verdict's label first.
    pub evidence: Vec<Evidence>,
    /// Cues that matched but were guarded (negation or description).
    pub suppressed: Vec<Suppressed>,
}

/// Explains the verdict on `text`. For a message judged by units, when one unit decided
/// or carries the label, its evidence is that unit's (spans on the whole message): a
/// reviewer wants the turn that made the call violating, not the whole call's words.
pub fn explain(classifier: &Classifier, text: &str) -> Explanation {
    let v = classifier.classify(text);
    if v.units.is_empty() {
        return explain_whole(classifier, text);
    }
    let decided = v.units.iter().find(|u| u.deciding && u.label == v.label);
    let mut ex = match decided {
        Some(u) => {
            let mut ex = explain_whole(classifier, &u.span.text);
            let (chars, bytes) = (u.span.start, u.span.byte_start);
            for e in &mut ex.evidence {
                e.spans.iter_mut().for_each(|s| s.shift(chars, bytes));
            }
            ex.suppressed.iter_mut().for_each(|s| s.cue.span.shift(chars, bytes));
            ex.text = text.to_string();
            ex
        }
        None => explain_whole(classifier, text),
    };
    ex.verdict = v;
    ex
}

fn explain_whole(classifier: &Classifier, text: &str) -> Explanation {
    let mut norm = normalize(text);
    let model = classifier.model();
    if norm.chars().iter().all(|c| c.is_whitespace()) {
        let verdict = crate::verdict::empty();
        let intercepts = model.file.intercepts;
        return Explanation {
            text: text.to_string(),
            verdict,
            intercepts,
            evidence: Vec::new(),
            suppressed: Vec::new(),
        };
    }
    let mut screened = classifier.screen(text, &mut norm);
    // One tokenizer pass gives both the feature row and where each feature occurs.
    let mut hits = Vec::new();
    let mut ranges: BTreeMap<u32, Vec<std::ops::Range<usize>>> = BTreeMap::new();
    classifier.tokenizer().terms(&norm, |term, r| {
        if let Some(i) = model.vocab().get_term(term) {
            hits.push(i);
            ranges.entry(i).or_default().push(r);
        }
    });
    crate::context::features(text, &norm, &screened.cues, |id| {
        if let Some(i) = model.context_feature(id) {
            hits.push(i);
        }
    });
    let x = model.vocab().vectorize(hits);
    let suppressed = std::mem::take(&mut screened.cues.suppressed);
    let verdict = classifier.verdict(&norm, &x, screened);
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

impl Explanation {
    /// Writes the explanation as text: verdict, model scores, cues (and suppressed
    /// cues), then the `top` features pushing each label, strongest first.
    pub fn write_text(&self, out: &mut impl Write, top: usize) -> io::Result<()> {
        let v = &self.verdict;
        writeln!(out, "{}  {:.4}  (decided by {})", v.label, v.confidence, v.decided_by.as_str())?;
        writeln!(
            out,
            "model scores: compliant {:.4}  threatening {:.4}  harassing {:.4}",
            v.model_scores[0], v.model_scores[1], v.model_scores[2]
        )?;
        writeln!(out, "\ncues:")?;
        if v.matches.is_empty() {
            writeln!(out, "  (none)")?;
        }
        for m in &v.matches {
            writeln!(
                out,
                "  {} {:<11} {:?} at {}..{}  (pattern {})",
                m.code,
                m.label.as_str(),
                m.span.text,
                m.span.start,
                m.span.end,
                m.pattern
            )?;
        }
        for s in &self.suppressed {
            writeln!(
                out,
                "  suppressed ({:?}): {} {:?} at {}..{}",
                s.guard, s.cue.code, s.cue.span.text, s.cue.span.start, s.cue.span.end
            )?;
        }
        for a in &v.allowed {
            writeln!(
                out,
                "  allowed: {:?} at {}..{}  (phrase {}, {})",
                a.span.text, a.span.start, a.span.end, a.phrase, a.source
            )?;
        }
        for l in Label::ALL {
            let i = l.index();
            let mut ev: Vec<_> = self.evidence.iter().collect();
            ev.sort_by(|a, b| b.contributions[i].abs().total_cmp(&a.contributions[i].abs()));
            writeln!(out, "\nfeatures pushing {l} (weight x value, centred):")?;
            for e in ev.iter().take(top) {
                let spans: Vec<String> =
                    e.spans.iter().map(|s| format!("{:?}@{}..{}", s.text, s.start, s.end)).collect();
                writeln!(out, "  {:+.4}  {:<12} {}", e.contributions[i], e.feature, spans.join(" "))?;
            }
        }
        Ok(())
    }
}
