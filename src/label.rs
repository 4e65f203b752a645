//! The three labels, in the fixed order every score array uses.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
/// The three verdicts.
pub enum Label {
    /// A lawful notice or ordinary message.
    Compliant,
    /// A threat of harm, exposure or unlawful action.
    Threatening,
    /// Insults, contacting third parties, bombardment.
    Harassing,
}

impl Label {
    /// Every label, in score order.
    pub const ALL: [Label; 3] = [Label::Compliant, Label::Threatening, Label::Harassing];

    /// The label's position in [`Label::ALL`] and in scores.
    pub fn index(self) -> usize {
        self as usize
    }

    /// The label at position `i` of [`Label::ALL`].
    pub fn from_index(i: usize) -> Label {
        Label::ALL[i]
    }

    /// The label's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Label::Compliant => "compliant",
            Label::Threatening => "threatening",
            Label::Harassing => "harassing",
        }
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A label name that is not compliant, threatening or harassing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown label {0:?} (expected compliant, threatening or harassing)")]
pub struct LabelError(pub String);

impl FromStr for Label {
    type Err = LabelError;
    fn from_str(s: &str) -> Result<Self, LabelError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "compliant" => Ok(Label::Compliant),
            "threatening" => Ok(Label::Threatening),
            "harassing" => Ok(Label::Harassing),
            other => Err(LabelError(other.to_string())),
        }
    }
}

/// One probability per label, in [`Label::ALL`] order.
pub type Scores = [f64; 3];
