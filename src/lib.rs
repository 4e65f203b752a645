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

pub mod atomic;
pub mod batch;
pub mod calibration;
pub mod context;
pub mod cues;
pub mod eval;
pub mod explain;
pub mod features;
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
mod solver;
pub mod source;
pub mod table;
pub mod tokenize;
pub mod train;
pub mod verdict;

pub use cues::{CueCode, CueMatch, Lexicon};
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
fn judge_scores(norm: &Normalized, scores: Scores, matches: Vec<CueMatch>) -> Verdict {
    if matches.is_empty() && !norm.chars().iter().any(|&c| normalize::is_han(c)) {
        verdict::out_of_scope(scores)
    } else {
        verdict::decide(scores, matches)
    }
}

/// Everything needed to classify messages: tokenizer, model and cue lexicon.
pub struct Classifier {
    tokenizer: Tokenizer,
    model: Model,
    lexicon: Lexicon,
}

impl Classifier {
    /// A classifier with `model`, the default tokenizer and the embedded lexicon.
    pub fn new(model: Model) -> Self {
        Classifier { tokenizer: Tokenizer::new(), model, lexicon: Lexicon::embedded() }
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

    /// The model's feature row for a message and its normalised form.
    pub fn features(&self, text: &str, norm: &Normalized) -> SparseVec {
        let mut hits = Vec::with_capacity(64);
        self.hits(text, norm, &self.lexicon.find(text, norm), &mut hits);
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
    /// [`DecidedBy::Empty`].
    pub fn classify(&self, text: &str) -> Verdict {
        SCRATCH.with_borrow_mut(|scratch| {
            let Scratch { norm, hits } = scratch;
            normalize::normalize_into(text, norm);
            if norm.chars().iter().all(|c| c.is_whitespace()) {
                return verdict::empty();
            }
            hits.clear();
            let cues = self.lexicon.find(text, norm);
            self.hits(text, norm, &cues, hits);
            let scores = self.model.predict_hits(hits);
            let verdict = judge_scores(norm, scores, cues.matches);
            if norm.text.capacity() > SCRATCH_BUDGET {
                *scratch = Scratch::default();
            }
            verdict
        })
    }

    /// The verdict from a message's normalised form and feature row, and the cues that
    /// matched but were guarded.
    pub fn judge(
        &self,
        text: &str,
        norm: &Normalized,
        x: &SparseVec,
    ) -> (Verdict, Vec<(CueMatch, cues::Guard)>) {
        if norm.chars().iter().all(|c| c.is_whitespace()) {
            return (verdict::empty(), Vec::new());
        }
        // `x` holds the context features already: see `features`.
        let cues = self.lexicon.find(text, norm);
        (judge_scores(norm, self.model.predict(x), cues.matches), cues.suppressed)
    }
}
