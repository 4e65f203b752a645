//! Evaluation: accuracy, per-class precision, recall and F1, macro-F1, confusion matrix.

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

/// Writes every misclassified row (1-based): truth, verdict, how it was decided, the
/// message and its cues.
pub fn write_misclassified(
    out: &mut dyn Write,
    examples: &[Example],
    verdicts: &[Verdict],
) -> io::Result<()> {
    writeln!(out, "\nmisclassified:")?;
    for (i, (e, v)) in examples.iter().zip(verdicts).enumerate() {
        if e.label != v.label {
            writeln!(
                out,
                "row {}: {} -> {} {:.2} ({}) {}  [{}]",
                i + 1,
                e.label,
                v.label,
                v.confidence,
                v.decided_by.as_str(),
                e.text,
                cues_field(&v.matches)
            )?;
        }
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
