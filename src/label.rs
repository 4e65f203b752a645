//! The three labels, in the fixed order every score array uses.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Label {
    Compliant,
    Threatening,
    Harassing,
}

impl Label {
    pub const ALL: [Label; 3] = [Label::Compliant, Label::Threatening, Label::Harassing];

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn from_index(i: usize) -> Label {
        Label::ALL[i]
    }

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
