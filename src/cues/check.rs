//! `lexicon check`: what a set of lexicon files holds and what in it is probably not meant.

use super::{BUILTIN, CueCode, Duplicate, LexiconBuilder};
use std::collections::BTreeMap;
use std::io::{self, Write};

/// The patterns of one file, counted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileCounts {
    /// The file.
    pub file: String,
    /// Patterns per code, in code order.
    pub per_code: BTreeMap<CueCode, usize>,
    /// How many are gap patterns `A…B`.
    pub gaps: usize,
}

/// A pattern that normalisation rewrites: it matches as `normalised`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rewrite {
    /// The file.
    pub file: String,
    /// Its line.
    pub line: usize,
    /// The pattern as written.
    pub written: String,
    /// The pattern as matched.
    pub normalised: String,
}

/// A pattern inside a longer one of the same code: where the longer matches, it is
/// reported instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shadowed {
    /// The code of both.
    pub code: CueCode,
    /// File, line and pattern of the shorter one.
    pub shorter: (String, usize, String),
    /// File, line and pattern of the longer one.
    pub longer: (String, usize, String),
}

/// What `lexicon check` found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckReport {
    /// Per file checked, in order.
    pub files: Vec<FileCounts>,
    /// Patterns that normalise to something else.
    pub rewrites: Vec<Rewrite>,
    /// Repeats (each ignored).
    pub duplicates: Vec<Duplicate>,
    /// Patterns shadowed by longer ones.
    pub shadowed: Vec<Shadowed>,
}

/// Checks the entries of `builder` that come from `files` (against all its entries, the
/// built-in ones included when it has them).
pub fn check(builder: &LexiconBuilder, files: &[String]) -> CheckReport {
    let cues = builder.cues();
    let checked = |source: &str| files.iter().any(|f| f == source);
    let mut report = CheckReport::default();
    for file in files {
        let mut counts = FileCounts { file: file.clone(), per_code: BTreeMap::new(), gaps: 0 };
        for c in cues.iter().filter(|c| &*c.source == file) {
            *counts.per_code.entry(c.code).or_default() += 1;
            counts.gaps += usize::from(c.is_gap());
        }
        report.files.push(counts);
    }
    for c in cues.iter().filter(|c| checked(&c.source) && c.pattern != c.normalised) {
        report.rewrites.push(Rewrite {
            file: c.source.to_string(),
            line: c.line,
            written: c.pattern.clone(),
            normalised: c.normalised.clone(),
        });
    }
    report.duplicates = builder.duplicates().iter().filter(|d| checked(&d.file)).cloned().collect();
    let literals: Vec<_> = cues.iter().filter(|c| !c.is_gap()).collect();
    for s in &literals {
        for l in &literals {
            if s.code == l.code
                && (checked(&s.source) || checked(&l.source))
                && l.normalised.len() > s.normalised.len()
                && l.normalised.contains(&s.normalised)
            {
                report.shadowed.push(Shadowed {
                    code: s.code,
                    shorter: (s.source.to_string(), s.line, s.pattern.clone()),
                    longer: (l.source.to_string(), l.line, l.pattern.clone()),
                });
            }
        }
    }
    report
}

impl CheckReport {
    /// Writes the report as text.
    pub fn write_text(&self, out: &mut impl Write) -> io::Result<()> {
        for f in &self.files {
            let total: usize = f.per_code.values().sum();
            let codes: Vec<String> = f.per_code.iter().map(|(c, n)| format!("{c} {n}")).collect();
            writeln!(out, "{}: {total} patterns ({}), {} gap patterns", f.file, codes.join(", "), f.gaps)?;
        }
        for r in &self.rewrites {
            writeln!(
                out,
                "{}:{}: {} normalises to {}: it is matched as {}",
                r.file, r.line, r.written, r.normalised, r.normalised
            )?;
        }
        for d in &self.duplicates {
            writeln!(out, "warning: {d}")?;
        }
        for s in &self.shadowed {
            let ((sf, sl, sp), (lf, ll, lp)) = (&s.shorter, &s.longer);
            let at =
                |f: &str, l: usize| if f == BUILTIN { format!("builtin:{l}") } else { format!("{f}:{l}") };
            writeln!(
                out,
                "{}: {sp} ({}) is shadowed by longer {lp} ({}): where {lp} matches, it is reported instead",
                at(sf, *sl),
                s.code,
                at(lf, *ll)
            )?;
        }
        Ok(())
    }
}
