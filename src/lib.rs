//! collectguard: classify Chinese debt-collection messages as compliant, threatening or
//! harassing, with the cues that drove each verdict and spans on the original text.
//!
//! Data flows one way: read → [`normalize`] → [`tokenize`] → [`features`] → [`model`] →
//! [`cues`] → [`verdict`]. [`Classifier`] wires the stages for one message.
//!
//! ```no_run
//! let classifier = collectguard::Classifier::with_default_model().unwrap();
//! let verdict = classifier.classify("三天不还直接抓你坐牢");
//! println!("{} {:.2}", verdict.label, verdict.confidence);
//! ```

pub mod cues;
pub mod eval;
pub mod explain;
pub mod features;
pub mod input;
pub mod label;
pub mod model;
pub mod normalize;
pub mod output;
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

/// Everything needed to classify messages: tokenizer, model and cue lexicon.
pub struct Classifier {
    tokenizer: Tokenizer,
    model: Model,
    lexicon: Lexicon,
}

impl Classifier {
    pub fn new(model: Model) -> Self {
        Classifier { tokenizer: Tokenizer::new(), model, lexicon: Lexicon::embedded() }
    }

    pub fn with_default_model() -> Result<Self, ModelError> {
        Ok(Self::new(Model::from_json(DEFAULT_MODEL)?))
    }

    pub fn model(&self) -> &Model {
        &self.model
    }

    pub fn tokenizer(&self) -> &Tokenizer {
        &self.tokenizer
    }

    pub fn lexicon(&self) -> &Lexicon {
        &self.lexicon
    }

    /// The model's feature row for a normalised message.
    pub fn features(&self, norm: &Normalized) -> SparseVec {
        self.model.vocab().vectorize(self.hits(norm))
    }

    /// The vocabulary index of every term of a normalised message, repeats included.
    fn hits(&self, norm: &Normalized) -> Vec<u32> {
        let vocab = self.model.vocab();
        let mut hits = Vec::with_capacity(64);
        // Two passes with a closure each, so each lookup is inlined at its one call site.
        self.tokenizer.words(&norm.text, |term, _| {
            if let Some(i) = vocab.get_term(term) {
                hits.push(i);
            }
        });
        tokenize::bigrams(&norm.text, |term, _| {
            if let Some(i) = vocab.get_term(term) {
                hits.push(i);
            }
        });
        hits
    }

    /// Classifies one message. An empty or all-blank message is compliant, decided by
    /// [`DecidedBy::Empty`].
    pub fn classify(&self, text: &str) -> Verdict {
        let norm = normalize(text);
        if norm.text.trim().is_empty() {
            return verdict::empty();
        }
        let scores = self.model.predict_hits(&self.hits(&norm));
        verdict::decide(scores, self.lexicon.find(text, &norm).matches)
    }

    /// The verdict from a message's normalised form and feature row, and the cues that
    /// matched but were guarded.
    pub fn judge(
        &self,
        text: &str,
        norm: &Normalized,
        x: &SparseVec,
    ) -> (Verdict, Vec<(CueMatch, cues::Guard)>) {
        if norm.text.trim().is_empty() {
            return (verdict::empty(), Vec::new());
        }
        let cues = self.lexicon.find(text, norm);
        (verdict::decide(self.model.predict(x), cues.matches), cues.suppressed)
    }
}
