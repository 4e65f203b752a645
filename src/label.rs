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

impl FromStr for Label {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "compliant" => Ok(Label::Compliant),
            "threatening" => Ok(Label::Threatening),
            "harassing" => Ok(Label::Harassing),
            other => Err(format!("unknown label {other:?} (expected compliant, threatening or harassing)")),
        }
    }
}

/// One probability per label, in [`Label::ALL`] order.
pub type Scores = [f64; 3];
