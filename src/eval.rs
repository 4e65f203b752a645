//! Evaluation: accuracy, per-class precision, recall and F1, macro-F1, confusion matrix.

use crate::calibration::{Reliability, reliability};
use crate::label::Label;
use crate::output::cues_field;
use crate::train::Example;
use crate::verdict::Verdict;
use serde::Serialize;
use std::io::{self, Write};

#[derive(Debug, Clone, PartialEq, Serialize)]
/// Precision, recall and F1 of one label.
pub struct ClassMetrics {
    /// The label.
    pub label: Label,
    /// Share of predictions of the label that are right.
    pub precision: f64,
    /// Share of messages with the label that are found.
    pub recall: f64,
    /// Harmonic mean of precision and recall.
    pub f1: f64,
    /// Messages with the label.
    pub support: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
/// Evaluation results over a labelled set.
pub struct Metrics {
    /// Messages evaluated.
    pub rows: usize,
    /// Share classified correctly.
    pub accuracy: f64,
    /// Mean F1 over the three labels.
    pub macro_f1: f64,
    /// Per-label metrics, in label order.
    pub classes: Vec<ClassMetrics>,
    /// `confusion[truth][predicted]`, in compliant, threatening, harassing order.
    pub confusion: [[usize; 3]; 3],
}

/// Computes the metrics from (truth, predicted) pairs.
pub fn metrics(pairs: impl IntoIterator<Item = (Label, Label)>) -> Metrics {
    let mut confusion = [[0usize; 3]; 3];
    for (t, p) in pairs {
        confusion[t.index()][p.index()] += 1;
    }
    let rows: usize = confusion.iter().flatten().sum();
    let correct: usize = (0..3).map(|i| confusion[i][i]).sum();
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    let classes: Vec<ClassMetrics> = Label::ALL
        .iter()
        .map(|&l| {
            let i = l.index();
            let tp = confusion[i][i];
            let predicted: usize = (0..3).map(|t| confusion[t][i]).sum();
            let support: usize = confusion[i].iter().sum();
            let precision = ratio(tp, predicted);
            let recall = ratio(tp, support);
            let f1 =
                if precision + recall == 0.0 { 0.0 } else { 2.0 * precision * recall / (precision + recall) };
            ClassMetrics { label: l, precision, recall, f1, support }
        })
        .collect();
    let macro_f1 = classes.iter().map(|c| c.f1).sum::<f64>() / 3.0;
    Metrics { rows, accuracy: ratio(correct, rows), macro_f1, classes, confusion }
}

impl Metrics {
    /// A plain-text report.
    pub fn report(&self) -> String {
        let mut s = format!(
            "rows {}  accuracy {:.4}  macro-F1 {:.4}\n\n{:<12} {:>9} {:>9} {:>9} {:>8}\n",
            self.rows, self.accuracy, self.macro_f1, "label", "precision", "recall", "f1", "support"
        );
        for c in &self.classes {
            s += &format!(
                "{:<12} {:>9.4} {:>9.4} {:>9.4} {:>8}\n",
                c.label.as_str(),
                c.precision,
                c.recall,
                c.f1,
                c.support
            );
        }
        s += "\nconfusion (rows: truth, columns: predicted)\n";
        s += &format!("{:<12} {:>11} {:>11} {:>11}\n", "", "compliant", "threatening", "harassing");
        for (i, row) in self.confusion.iter().enumerate() {
            s += &format!(
                "{:<12} {:>11} {:>11} {:>11}\n",
                Label::from_index(i).as_str(),
                row[0],
                row[1],
                row[2]
            );
        }
        s
    }
}

/// The confidence thresholds `eval` reports precision and recall at.
pub const THRESHOLDS: [f64; 3] = [0.5, 0.7, 0.9];

/// Flagging a message as violating (either violating label) when its label is violating
/// and its confidence reaches `min_confidence`, as `filter --min-confidence` does.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Threshold {
    /// The minimum confidence.
    pub min_confidence: f64,
    /// Messages flagged.
    pub flagged: usize,
    /// Share of the flagged messages that are violating.
    pub precision: f64,
    /// Share of the violating messages that are flagged.
    pub recall: f64,
}

/// The metrics of the rows with one value of the grouping column.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Group {
    /// The column's value.
    pub group: String,
    /// The metrics of its rows.
    #[serde(flatten)]
    pub metrics: Metrics,
}

/// A misclassified row, as `eval --show-errors` lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Misclassified {
    /// Data row number (1 = the first row after the header).
    pub row: usize,
    /// The label in the data.
    pub truth: Label,
    /// The label given.
    pub predicted: Label,
    /// Its confidence.
    pub confidence: f64,
    /// The message.
    pub text: String,
    /// The cues that matched, as the `cues` column writes them.
    pub cues: String,
}

/// The misclassified rows of an evaluation.
pub fn misclassified(examples: &[Example], verdicts: &[Verdict]) -> Vec<Misclassified> {
    examples
        .iter()
        .zip(verdicts)
        .enumerate()
        .filter(|(_, (e, v))| e.label != v.label)
        .map(|(i, (e, v))| Misclassified {
            row: i + 1,
            truth: e.label,
            predicted: v.label,
            confidence: v.confidence,
            text: e.text.clone(),
            cues: cues_field(&v.matches),
        })
        .collect()
}

/// A whole evaluation: the metrics, their split by a grouping column, calibration, and
/// what `--min-confidence` trades.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    /// Over all rows.
    #[serde(flatten)]
    pub overall: Metrics,
    /// Per value of the grouping column, in order of first appearance.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub by: Vec<Group>,
    /// Reliability of the top label's confidence (ten bins) and its expected calibration error.
    pub calibration: Reliability,
    /// Precision and recall of flagging violations at each of [`THRESHOLDS`].
    pub thresholds: Vec<Threshold>,
    /// The misclassified rows, when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<Misclassified>>,
}

/// Evaluates verdicts against examples; `groups` (one per example) splits the metrics.
pub fn evaluate(examples: &[Example], verdicts: &[Verdict], groups: Option<&[String]>) -> Evaluation {
    let pairs: Vec<(Label, Label)> = examples.iter().zip(verdicts).map(|(e, v)| (e.label, v.label)).collect();
    let mut by: Vec<(String, Vec<(Label, Label)>)> = Vec::new();
    if let Some(groups) = groups {
        for (g, &p) in groups.iter().zip(&pairs) {
            match by.iter_mut().find(|(k, _)| k == g) {
                Some((_, v)) => v.push(p),
                None => by.push((g.clone(), vec![p])),
            }
        }
    }
    let calibration = reliability(
        &examples.iter().zip(verdicts).map(|(e, v)| (v.confidence, e.label == v.label)).collect::<Vec<_>>(),
        10,
    );
    let violating = |l: Label| l != Label::Compliant;
    let thresholds = THRESHOLDS
        .iter()
        .map(|&t| {
            let flagged: Vec<bool> =
                verdicts.iter().map(|v| violating(v.label) && v.confidence >= t).collect();
            let n_flagged = flagged.iter().filter(|&&f| f).count();
            let right = examples.iter().zip(&flagged).filter(|(e, f)| **f && violating(e.label)).count();
            let truly = examples.iter().filter(|e| violating(e.label)).count();
            let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
            Threshold {
                min_confidence: t,
                flagged: n_flagged,
                precision: ratio(right, n_flagged),
                recall: ratio(right, truly),
            }
        })
        .collect();
    Evaluation {
        overall: metrics(pairs),
        by: by.into_iter().map(|(group, p)| Group { group, metrics: metrics(p) }).collect(),
        calibration,
        thresholds,
        errors: None,
    }
}

impl Evaluation {
    /// The evaluation as text: the overall report, then groups, calibration and thresholds.
    pub fn report(&self) -> String {
        let mut s = self.overall.report();
        if !self.by.is_empty() {
            s += &format!(
                "
{:<20} {:>6} {:>9} {:>9} {:>9} {:>9} {:>9}
",
                "group", "rows", "accuracy", "macro-F1", "F1 comp", "F1 threat", "F1 harass"
            );
            for Group { group: g, metrics: m } in &self.by {
                s += &format!(
                    "{:<20} {:>6} {:>9.4} {:>9.4} {:>9.4} {:>9.4} {:>9.4}
",
                    g, m.rows, m.accuracy, m.macro_f1, m.classes[0].f1, m.classes[1].f1, m.classes[2].f1
                );
            }
        }
        s += &format!(
            "
calibration: expected calibration error {:.4}
",
            self.calibration.ece
        );
        s += &format!(
            "{:<12} {:>6} {:>11} {:>9}
",
            "confidence", "rows", "mean conf.", "accuracy"
        );
        for b in self.calibration.bins.iter().filter(|b| b.count > 0) {
            s += &format!(
                "{:<12} {:>6} {:>11.4} {:>9.4}
",
                format!("{:.1}-{:.1}", b.low, b.high),
                b.count,
                b.confidence,
                b.accuracy
            );
        }
        s += "
flagging violations (threatening or harassing) at a minimum confidence:
";
        s += &format!(
            "{:<15} {:>8} {:>10} {:>8}
",
            "min-confidence", "flagged", "precision", "recall"
        );
        for t in &self.thresholds {
            s += &format!(
                "{:<15} {:>8} {:>10.4} {:>8.4}
",
                t.min_confidence, t.flagged, t.precision, t.recall
            );
        }
        s
    }
}

/// Writes every misclassified row as a line of text.
pub fn write_misclassified(
    out: &mut dyn Write,
    examples: &[Example],
    verdicts: &[Verdict],
) -> io::Result<()> {
    writeln!(out, "\nmisclassified:")?;
    for m in misclassified(examples, verdicts) {
        writeln!(
            out,
            "row {}: {} -> {} {:.2} {}  [{}]",
            m.row, m.truth, m.predicted, m.confidence, m.text, m.cues
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use Label::*;

    #[test]
    fn metrics_by_hand() {
        let m = metrics([
            (Compliant, Compliant),
            (Compliant, Harassing),
            (Threatening, Threatening),
            (Harassing, Harassing),
        ]);
        assert_eq!(m.rows, 4);
        assert_eq!(m.accuracy, 0.75);
        assert_eq!(m.confusion[0][2], 1);
        let h = &m.classes[2];
        assert_eq!((h.precision, h.recall), (0.5, 1.0));
        assert!((h.f1 - 2.0 / 3.0).abs() < 1e-12);
        assert!((m.macro_f1 - (2.0 / 3.0 + 1.0 + 2.0 / 3.0) / 3.0).abs() < 1e-12);
    }

    #[test]
    fn empty_input_gives_zeros() {
        let m = metrics([]);
        assert_eq!((m.rows, m.accuracy, m.macro_f1), (0, 0.0, 0.0));
    }
}
