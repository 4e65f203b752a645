//! Cue codes, generated from one table: code, label, description. Adding a code is one
//! line here (and its patterns in the lexicon).

use crate::label::Label;
use serde::Serialize;
use std::fmt;
use std::str::FromStr;

/// Generates [`CueCode`] and its tables from `code: Label, "description";` lines.
macro_rules! cue_codes {
    ($($code:ident: $label:ident, $description:literal;)+) => {
        /// A cue category: T1–T7 threatening, H1–H5 harassing.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        pub enum CueCode {
            $(
                #[doc = $description]
                $code,
            )+
        }

        impl CueCode {
            /// Every code, in table order.
            pub const ALL: [CueCode; [$(stringify!($code)),+].len()] = [$(CueCode::$code),+];

            /// The label the code belongs to.
            pub fn label(self) -> Label {
                match self {
                    $(CueCode::$code => Label::$label,)+
                }
            }

            /// The code as written (`T1`, `H5`).
            pub fn as_str(self) -> &'static str {
                match self {
                    $(CueCode::$code => stringify!($code),)+
                }
            }

            /// What the category covers.
            pub fn description(self) -> &'static str {
                match self {
                    $(CueCode::$code => $description,)+
                }
            }
        }
    };
}

cue_codes! {
    T1: Threatening, "violence or bodily harm";
    T2: Threatening, "harm to family members";
    T3: Threatening, "exposure threat";
    T4: Threatening, "impersonating police, court or lawyers";
    T5: Threatening, "false criminal liability or exaggerated consequences";
    T6: Threatening, "coming to make a scene, staking out";
    T7: Threatening, "property damage or seizure";
    H1: Harassing, "insult or humiliation";
    H2: Harassing, "obscene or profane language";
    H3: Harassing, "disclosure to third parties";
    H4: Harassing, "pushing to borrow elsewhere";
    H5: Harassing, "bombardment or unreasonable hours";
}

impl fmt::Display for CueCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A cue code that is not in the table.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown cue code {0:?}")]
pub struct CueCodeError(pub String);

impl FromStr for CueCode {
    type Err = CueCodeError;
    fn from_str(s: &str) -> Result<Self, CueCodeError> {
        CueCode::ALL
            .into_iter()
            .find(|c| c.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| CueCodeError(s.to_string()))
    }
}

/// A set of cue codes: the ones switched on (`--ignore-code`, `--only-codes`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CodeSet(u32);

impl CodeSet {
    /// Every code.
    pub fn all() -> Self {
        CodeSet(CueCode::ALL.iter().fold(0, |bits, &c| bits | c.bit()))
    }

    /// No code.
    pub fn none() -> Self {
        CodeSet(0)
    }

    /// Exactly `codes`.
    pub fn of(codes: impl IntoIterator<Item = CueCode>) -> Self {
        CodeSet(codes.into_iter().fold(0, |bits, c| bits | c.bit()))
    }

    /// This set without `code`.
    pub fn without(self, code: CueCode) -> Self {
        CodeSet(self.0 & !code.bit())
    }

    /// Whether `code` is in the set.
    pub fn contains(self, code: CueCode) -> bool {
        self.0 & code.bit() != 0
    }

    /// Whether every code is in the set.
    pub fn is_all(self) -> bool {
        self == Self::all()
    }

    /// Whether some code of `label` is in the set.
    pub fn has_label(self, label: Label) -> bool {
        CueCode::ALL.iter().any(|&c| c.label() == label && self.contains(c))
    }

    /// The codes in the set, in table order.
    pub fn codes(self) -> impl Iterator<Item = CueCode> {
        CueCode::ALL.into_iter().filter(move |&c| self.contains(c))
    }
}

impl Default for CodeSet {
    fn default() -> Self {
        Self::all()
    }
}

impl CueCode {
    fn bit(self) -> u32 {
        1 << self as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_come_from_the_table_not_the_order() {
        let threatening: Vec<&str> =
            CueCode::ALL.iter().filter(|c| c.label() == Label::Threatening).map(|c| c.as_str()).collect();
        assert_eq!(threatening, ["T1", "T2", "T3", "T4", "T5", "T6", "T7"]);
        for c in CueCode::ALL {
            assert_eq!(c.as_str().parse::<CueCode>(), Ok(c));
            assert_eq!(c.as_str().starts_with('T'), c.label() == Label::Threatening);
            assert!(!c.description().is_empty());
        }
    }

    #[test]
    fn code_sets_switch_codes_and_labels() {
        let set = CodeSet::all().without(CueCode::H5);
        assert!(!set.contains(CueCode::H5) && set.contains(CueCode::H4));
        assert!(set.has_label(Label::Harassing));
        let threats = CodeSet::of(CueCode::ALL.into_iter().filter(|c| c.label() == Label::Threatening));
        assert!(!threats.has_label(Label::Harassing) && threats.has_label(Label::Threatening));
        assert_eq!(threats.codes().count(), 7);
        assert!(CodeSet::all().is_all() && !CodeSet::none().has_label(Label::Threatening));
    }
}
