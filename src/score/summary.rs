//! The summary of a scored table: rows, labels, findings per rule, the same per collector
//! when the table names one, and the hours of the day when violations happen.

use crate::label::Label;
use crate::rules::{Code, Finding};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;

/// Counts over a set of rows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Rows.
    pub rows: u64,
    /// Rows whose label is violating or that have a finding.
    pub flagged: u64,
    /// Rows per label (compliant, threatening, harassing).
    pub labels: BTreeMap<Label, u64>,
    /// Findings per rule code.
    pub findings: BTreeMap<Code, u64>,
}

impl Counts {
    fn add(&mut self, label: Label, findings: &[Finding], flagged: bool) {
        self.rows += 1;
        self.flagged += u64::from(flagged);
        *self.labels.entry(label).or_default() += 1;
        for f in findings {
            *self.findings.entry(f.code).or_default() += 1;
        }
    }
}

/// The summary of one `score` run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Every row.
    #[serde(flatten)]
    pub all: Counts,
    /// The same per collector, when the table has a collector column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub collectors: Option<BTreeMap<String, Counts>>,
    /// Flagged rows with a readable time, by local hour of the day (0 to 23).
    pub violation_hours: [u64; 24],
}

impl Summary {
    /// A summary with a per-collector breakdown if `by_collector`.
    pub fn new(by_collector: bool) -> Self {
        Summary { collectors: by_collector.then(BTreeMap::new), ..Summary::default() }
    }

    /// Counts one row.
    pub fn add(&mut self, label: Label, findings: &[Finding], hour: Option<u32>, collector: Option<&str>) {
        let flagged = label != Label::Compliant || !findings.is_empty();
        self.all.add(label, findings, flagged);
        if let Some(by) = &mut self.collectors {
            let name = collector.map(str::trim).filter(|c| !c.is_empty()).unwrap_or("(none)");
            if !by.contains_key(name) {
                by.insert(name.to_string(), Counts::default());
            }
            by.get_mut(name).expect("inserted").add(label, findings, flagged);
        }
        if let (true, Some(h)) = (flagged, hour) {
            self.violation_hours[h as usize % 24] += 1;
        }
    }
}

fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 { 0.0 } else { 100.0 * part as f64 / whole as f64 }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let a = &self.all;
        writeln!(f, "rows {}  flagged {} ({:.1}%)", a.rows, a.flagged, percent(a.flagged, a.rows))?;
        let labels: Vec<String> =
            Label::ALL.iter().map(|l| format!("{} {}", l, a.labels.get(l).copied().unwrap_or(0))).collect();
        writeln!(f, "labels: {}", labels.join("  "))?;
        writeln!(f, "findings:")?;
        for c in Code::ALL {
            writeln!(f, "  {} {:<15} {:>8}", c, c.rule(), a.findings.get(&c).copied().unwrap_or(0))?;
        }
        if let Some(by) = &self.collectors {
            writeln!(f, "by collector:")?;
            write!(
                f,
                "  {:<16} {:>8} {:>8} {:>8} {:>8}",
                "collector", "rows", "flagged", "threat.", "harass."
            )?;
            for c in Code::ALL {
                write!(f, " {:>6}", c.as_str())?;
            }
            writeln!(f)?;
            for (name, n) in by {
                let l = |x: Label| n.labels.get(&x).copied().unwrap_or(0);
                write!(
                    f,
                    "  {:<16} {:>8} {:>8} {:>8} {:>8}",
                    name,
                    n.rows,
                    n.flagged,
                    l(Label::Threatening),
                    l(Label::Harassing)
                )?;
                for c in Code::ALL {
                    write!(f, " {:>6}", n.findings.get(&c).copied().unwrap_or(0))?;
                }
                writeln!(f)?;
            }
        }
        let total: u64 = self.violation_hours.iter().sum();
        if total > 0 {
            writeln!(f, "flagged rows by hour of day (local time):")?;
            for (h, &n) in self.violation_hours.iter().enumerate().filter(|(_, n)| **n > 0) {
                writeln!(f, "  {h:02}:00-{h:02}:59 {n:>8} ({:.1}%)", percent(n, total))?;
            }
        }
        Ok(())
    }
}
