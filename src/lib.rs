//! collectguard: classify Chinese debt-collection messages as compliant, threatening or
//! harassing, with the cues that drove each verdict and spans on the original text.
//!
//! Data flows one way: read → [`normalize`](mod@normalize) → [`tokenize`] → [`features`] → [`model`] →
//! [`cues`] → [`verdict`]. [`Classifier`] wires the stages for one message.
//!
//! ```no_run
//! let classifier = collectguard::Classifier::with_default_model().unwrap();
//! let verdict = classifier.classify("三天不还直接抓你坐牢");
//! println!("{} {:.2}", verdict.label, verdict.confidence);
//! ```

#![warn(missing_docs)]

pub mod allow;
pub mod atomic;
pub mod batch;
pub mod calibration;
pub mod context;
pub mod cues;
pub mod encode;
pub mod eval;
pub mod explain;
pub mod features;
pub mod hugepages;
pub mod input;
pub mod label;
pub mod model;
mod negation;
pub mod normalize;
pub mod output;
mod packed;
mod phrases;
pub mod records;
pub mod rules;
pub mod score;
pub mod settings;
mod solver;
pub mod source;
pub mod table;
pub mod tokenize;
pub mod train;
#[cfg(feature = "testing")]
pub mod transcripts;
pub mod units;
pub mod verdict;
pub mod workbook;

pub use allow::{AllowList, Allowed};
pub use cues::{CodeSet, CueCode, CueMatch, Lexicon};
pub use label::{Label, Scores};
pub use model::{Model, ModelError};
pub use normalize::{Normalized, normalize};
pub use verdict::{DecidedBy, Verdict};

use features::SparseVec;
use tokenize::Tokenizer;

/// The default model, built from `data/` and compiled in.
pub static DEFAULT_MODEL: &[u8] = include_bytes!("../models/default.json");

/// Buffers [`Classifier::classify`] reuses from message to message on each thread.
#[derive(Default)]
struct Scratch {
    norm: Normalized,
    hits: Vec<u32>,
}

/// Bytes of normalised text past which a thread's scratch is dropped after use, so one
/// huge message does not pin its memory.
const SCRATCH_BUDGET: usize = 1 << 20;

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::default();
}

/// The verdict from the model's probabilities: out of scope when the message has no
/// Chinese text and no cue matched.
fn judge_scores(han: impl FnOnce() -> bool, scores: Scores, matches: Vec<CueMatch>) -> Verdict {
    if matches.is_empty() && !han() {
        verdict::out_of_scope(scores)
    } else {
        verdict::decide(scores, matches)
    }
}

/// A message's cues after the allow list and the code switches, and the allowed spans.
pub(crate) struct Screened {
    /// The cues that count, and the guarded ones.
    pub cues: cues::CueReport,
    /// The spans an allow phrase covers.
    pub allowed: Vec<Allowed>,
    /// Whether the message had Chinese text before masking (`None`: nothing was masked).
    han: Option<bool>,
    /// Labels whose only unguarded cues had codes switched off: not given.
    dropped: [bool; 3],
}

/// Everything needed to classify messages: tokenizer, model, cue lexicon, allow list
/// and the cue codes switched on.
pub struct Classifier {
    tokenizer: Tokenizer,
    model: Model,
    lexicon: Lexicon,
    allow: AllowList,
    codes: CodeSet,
    splitter: Option<units::Splitter>,
    thresholds: (f64, f64),
}

/// Builds a [`Classifier`] with a lexicon, an allow list or code switches of its own.
pub struct ClassifierBuilder {
    model: Model,
    lexicon: Option<Lexicon>,
    allow: AllowList,
    codes: CodeSet,
    units: units::UnitOptions,
    tokenizer: Option<Tokenizer>,
}

impl ClassifierBuilder {
    /// The tokenizer (default: [`Tokenizer::new`]). Loading its dictionary is most of
    /// start-up, so a program may make it on another thread while it reads the model.
    pub fn tokenizer(mut self, tokenizer: Tokenizer) -> Self {
        self.tokenizer = Some(tokenizer);
        self
    }

    /// The cue lexicon (default: the embedded one).
    pub fn lexicon(mut self, lexicon: Lexicon) -> Self {
        self.lexicon = Some(lexicon);
        self
    }

    /// Phrases that are never cues and that the model does not see (default: none).
    pub fn allow(mut self, allow: AllowList) -> Self {
        self.allow = allow;
        self
    }

    /// The cue codes that count (default: all). A switched-off code's matches are dropped
    /// and hidden from the model. A label is not given (its probability goes to compliant)
    /// when none of its codes is on, or when a message's only cues of that label had
    /// codes switched off.
    pub fn codes(mut self, codes: CodeSet) -> Self {
        self.codes = codes;
        self
    }

    /// How long messages are split into units (default: [`units::UnitOptions::default`]).
    pub fn units(mut self, units: units::UnitOptions) -> Self {
        self.units = units;
        self
    }

    /// The classifier; fails only on bad unit options.
    pub fn build(self) -> Result<Classifier, units::UnitError> {
        let thresholds = (self.units.threshold, self.units.sentence_threshold);
        for t in [thresholds.0, thresholds.1] {
            if !(0.0..=1.0).contains(&t) {
                return Err(units::UnitError::Threshold(t));
            }
        }
        let splitter = if self.units.split { Some(units::Splitter::new(&self.units)?) } else { None };
        Ok(Classifier {
            tokenizer: self.tokenizer.unwrap_or_default(),
            model: self.model,
            lexicon: self.lexicon.unwrap_or_else(Lexicon::embedded),
            allow: self.allow,
            codes: self.codes,
            splitter,
            thresholds,
        })
    }
}

impl Classifier {
    /// A classifier with `model`, the default tokenizer and the embedded lexicon.
    pub fn new(model: Model) -> Self {
        Self::builder(model).build().expect("default unit options are valid")
    }

    /// A builder for a classifier with `model`.
    pub fn builder(model: Model) -> ClassifierBuilder {
        ClassifierBuilder {
            model,
            lexicon: None,
            allow: AllowList::new(),
            codes: CodeSet::all(),
            units: units::UnitOptions::default(),
            tokenizer: None,
        }
    }

    /// A classifier with the embedded default model.
    pub fn with_default_model() -> Result<Self, ModelError> {
        Ok(Self::new(Model::from_json(DEFAULT_MODEL)?))
    }

    /// The model.
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// The tokenizer.
    pub fn tokenizer(&self) -> &Tokenizer {
        &self.tokenizer
    }

    /// The cue lexicon.
    pub fn lexicon(&self) -> &Lexicon {
        &self.lexicon
    }

    /// The allow list.
    pub fn allow_list(&self) -> &AllowList {
        &self.allow
    }

    /// The cue codes switched on.
    pub fn codes(&self) -> CodeSet {
        self.codes
    }

    /// Whether the allow list or the code switches change what the stages see.
    fn screens(&self) -> bool {
        !self.allow.is_empty() || !self.codes.is_all()
    }

    /// Finds a message's cues, drops those an allow phrase overlaps or whose code is off,
    /// and blanks those spans in `norm` so that the model does not see them either.
    pub(crate) fn screen(&self, text: &str, norm: &mut Normalized) -> Screened {
        let mut cues = self.lexicon.find(text, norm);
        if !self.screens() {
            return Screened { cues, allowed: Vec::new(), han: None, dropped: [false; 3] };
        }
        let found = self.allow.find(text, norm);
        let allowed_chars: Vec<(usize, usize)> = found.iter().map(|&(r, _)| r).collect();
        let allowed: Vec<Allowed> = found.into_iter().map(|(_, a)| a).collect();
        let mut mask = allowed_chars.clone();
        let mut dropped = [false; 3];
        for m in &cues.matches {
            dropped[m.label.index()] |= !self.codes.contains(m.code);
        }
        cues.found.retain(|&(code, s, e, _)| {
            if !self.codes.contains(code) {
                mask.push((s, e));
                return false;
            }
            !allowed_chars.iter().any(|&(a, b)| s < b && a < e)
        });
        let keep = |m: &CueMatch| {
            self.codes.contains(m.code)
                && !allowed
                    .iter()
                    .any(|a| m.span.byte_start < a.span.byte_end && a.span.byte_start < m.span.byte_end)
        };
        cues.matches.retain(keep);
        cues.suppressed.retain(|(m, _)| keep(m));
        for m in &cues.matches {
            dropped[m.label.index()] &= !self.codes.contains(m.code);
        }
        let han = (!mask.is_empty()).then(|| has_han(norm));
        if !mask.is_empty() {
            norm.mask(&mask);
        }
        Screened { cues, allowed, han, dropped }
    }

    /// The verdict on a screened message from its feature row.
    pub(crate) fn verdict(&self, norm: &Normalized, x: &SparseVec, screened: Screened) -> Verdict {
        self.decide(norm, self.model.predict(x), screened)
    }

    fn decide(&self, norm: &Normalized, mut scores: Scores, screened: Screened) -> Verdict {
        if !self.codes.is_all() {
            // A label with no code switched on is not checked, and one whose cues were all
            // switched off is not given: its share is compliant.
            for label in [Label::Threatening, Label::Harassing] {
                if !self.codes.has_label(label) || screened.dropped[label.index()] {
                    scores[Label::Compliant.index()] += scores[label.index()];
                    scores[label.index()] = 0.0;
                }
            }
        }
        let han = screened.han;
        let mut verdict =
            judge_scores(|| han.unwrap_or_else(|| has_han(norm)), scores, screened.cues.matches);
        verdict.allowed = screened.allowed;
        verdict
    }

    /// The model's feature row for a message and its normalised form.
    pub fn features(&self, text: &str, norm: &Normalized) -> SparseVec {
        let mut hits = Vec::with_capacity(64);
        if self.screens() {
            let mut norm = norm.clone();
            let screened = self.screen(text, &mut norm);
            self.hits(text, &norm, &screened.cues, &mut hits);
        } else {
            self.hits(text, norm, &self.lexicon.find(text, norm), &mut hits);
        }
        self.model.vocab().vectorize(hits)
    }

    /// Appends the vocabulary index of every term of a message, repeats included, to
    /// `hits`: words and bigrams of the normalised text, then the context of its cues.
    fn hits(&self, text: &str, norm: &Normalized, cues: &cues::CueReport, hits: &mut Vec<u32>) {
        let vocab = self.model.vocab();
        // Two passes with a closure each, so each lookup is inlined at its one call site.
        self.tokenizer.words(&norm.text, |term, _| {
            if let Some(i) = vocab.get_term(term) {
                hits.push(i);
            }
        });
        tokenize::bigrams(norm.chars(), |term, _| {
            if let Some(i) = vocab.get_term(term) {
                hits.push(i);
            }
        });
        context::features(text, norm, cues, |id| {
            if let Some(i) = self.model.context_feature(id) {
                hits.push(i);
            }
        });
    }

    /// Classifies one message. An empty or all-blank message is compliant, decided by
    /// [`DecidedBy::Empty`]. A long message (speaker turns, or several sentences) is
    /// judged unit by unit: see [`verdict::from_units`].
    pub fn classify(&self, text: &str) -> Verdict {
        if let Some(units) = self.splitter.as_ref().and_then(|s| s.split(text)) {
            return self.classify_units(text, &units);
        }
        self.classify_whole(text)
    }

    /// The units of `text`, if it is judged by units.
    pub fn units(&self, text: &str) -> Option<Vec<units::Unit>> {
        self.splitter.as_ref().and_then(|s| s.split(text))
    }

    fn classify_units(&self, text: &str, units: &[units::Unit]) -> Verdict {
        let (mut chars, mut at) = (0, 0);
        let judged = units
            .iter()
            .map(|u| {
                chars += text[at..u.bytes.start].chars().count();
                at = u.bytes.start;
                let piece = &text[u.bytes.clone()];
                let mut v = self.classify_whole(piece);
                for m in &mut v.matches {
                    m.span.shift(chars, at);
                }
                for a in &mut v.allowed {
                    a.span.shift(chars, at);
                }
                let n = piece.chars().count();
                let span = normalize::Span {
                    text: piece.to_string(),
                    start: chars,
                    end: chars + n,
                    byte_start: at,
                    byte_end: u.bytes.end,
                };
                let unit = verdict::UnitVerdict {
                    span,
                    speaker: u.speaker.clone(),
                    role: u.role,
                    label: v.label,
                    confidence: v.confidence,
                    scores: v.scores,
                    matches: v.matches,
                    deciding: false,
                };
                (unit, v.allowed)
            })
            .collect();
        let turns = units.iter().any(|u| u.label.is_some());
        let threshold = if turns { self.thresholds.0 } else { self.thresholds.1 };
        verdict::from_units(self.classify_unlabelled(text, units), judged, threshold)
    }

    /// The verdict on `text` as a whole with its speaker labels and timestamps blanked
    /// (each byte a space, so byte offsets stay those of `text`): the labels say who
    /// speaks, not what is said.
    fn classify_unlabelled(&self, text: &str, units: &[units::Unit]) -> Verdict {
        if units.iter().all(|u| u.label.is_none()) {
            return self.classify_whole(text);
        }
        let mut blanked = text.as_bytes().to_vec();
        for label in units.iter().filter_map(|u| u.label.clone()) {
            blanked[label].fill(b' ');
        }
        let blanked = String::from_utf8(blanked).expect("whole characters replaced by spaces");
        let mut v = self.classify_whole(&blanked);
        // Character offsets from the byte offsets, on the original text.
        let fix = |span: &mut normalize::Span| {
            span.start = text[..span.byte_start].chars().count();
            span.end = span.start + span.text.chars().count();
        };
        v.matches.iter_mut().for_each(|m| fix(&mut m.span));
        v.allowed.iter_mut().for_each(|a| fix(&mut a.span));
        v
    }

    fn classify_whole(&self, text: &str) -> Verdict {
        SCRATCH.with_borrow_mut(|scratch| {
            let Scratch { norm, hits } = scratch;
            normalize::normalize_into(text, norm);
            if norm.chars().iter().all(|c| c.is_whitespace()) {
                return verdict::empty();
            }
            hits.clear();
            let screened = self.screen(text, norm);
            self.hits(text, norm, &screened.cues, hits);
            let scores = self.model.predict_hits(hits);
            let verdict = self.decide(norm, scores, screened);
            if norm.text.capacity() > SCRATCH_BUDGET {
                *scratch = Scratch::default();
            }
            verdict
        })
    }
}

fn has_han(norm: &Normalized) -> bool {
    norm.chars().iter().any(|&c| normalize::is_han(c))
}
