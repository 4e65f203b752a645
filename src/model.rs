//! The model file and prediction: a pure function of the fitted parameters and a
//! message's sparse features.

use crate::features::{SparseVec, Vocabulary, VocabularyError, sublinear_tf};
use crate::label::{Label, Scores};
use serde::{Deserialize, Serialize};
use std::io;
use std::path::Path;

/// The `format` field of a model file.
pub const FORMAT: &str = "collectguard-model";
/// The model file format version this build reads and writes.
pub const FORMAT_VERSION: u32 = 1;
/// Names the tokenizer and feature recipe a model was trained with; a model trained with
/// another recipe would silently score the wrong features.
pub const ANALYZER: &str = "nfkc+t2s+desep/jieba-words-nohmm+negation-scope+han-bigrams+han-trigrams+context-v1/digits-folded/tfidf-sublinear-l2";

fn one() -> f64 {
    1.0
}

/// Largest model file `Model::load` reads (the default model is about 1.5 MB).
pub const MAX_MODEL_BYTES: u64 = 1 << 30;

/// The model file as stored on disk (JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelFile {
    /// Always [`FORMAT`].
    pub format: String,
    /// The file format version.
    pub format_version: u32,
    /// The analyzer recipe ([`ANALYZER`]).
    pub analyzer: String,
    /// The labels, in score order.
    pub labels: Vec<Label>,
    /// Feature keys, by index.
    pub features: Vec<String>,
    /// Inverse document frequency, by feature.
    pub idf: Vec<f64>,
    /// One row per feature, one column per label.
    pub weights: Vec<[f64; 3]>,
    /// One intercept per label.
    pub intercepts: [f64; 3],
    /// How the model was made.
    pub training: TrainingInfo,
}

/// How a model was made, and how well it did on held-out data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingInfo {
    /// The training files.
    pub data: Vec<DataFile>,
    /// Seed of the row order.
    pub seed: u64,
    /// L2 penalty.
    pub alpha: f64,
    /// Iteration cap of the solver.
    pub max_iterations: u64,
    /// The solver that fitted the weights (`linfa` or `sparse`).
    #[serde(default)]
    pub solver: String,
    /// The logits were divided by this (fitted on held-out rows) to calibrate them.
    #[serde(default = "one")]
    pub temperature: f64,
    /// Whether Han trigrams were candidates for the vocabulary.
    #[serde(default)]
    pub trigrams: bool,
    /// Whether context features were candidates for the vocabulary.
    #[serde(default)]
    pub context: bool,
    /// Cap on the vocabulary.
    pub max_features: usize,
    /// Minimum document frequency of a term.
    pub min_df: usize,
    /// How features were chosen.
    pub feature_selection: String,
    /// Training messages.
    pub documents: usize,
    /// Whether and how well the solver converged.
    pub convergence: Convergence,
    /// Results on held-out data, if any.
    pub held_out: Option<HeldOut>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
/// A training or test file, identified by its content.
pub struct DataFile {
    /// File name.
    pub name: String,
    /// SHA-256 of the file's bytes, hex.
    pub sha256: String,
    /// Labelled rows read.
    pub rows: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
/// Convergence of the fit, checked from the gradient.
pub struct Convergence {
    /// The gradient norm is below the tolerance.
    pub converged: bool,
    /// Objective (summed cross-entropy plus L2 penalty) at the returned parameters.
    pub loss: f64,
    /// L2 norm of the objective's gradient at the returned parameters.
    pub gradient_norm: f64,
    /// The tolerance: `tolerance` times the number of messages.
    pub gradient_tolerance: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
/// Results on a held-out file.
pub struct HeldOut {
    /// File name.
    pub name: String,
    /// Rows evaluated.
    pub rows: usize,
    /// Accuracy.
    pub accuracy: f64,
    /// Macro-F1.
    pub macro_f1: f64,
}

/// A loaded, checked model ready to score.
#[derive(Debug, Clone)]
pub struct Model {
    /// The model file it was loaded from.
    pub file: ModelFile,
    vocab: Vocabulary,
    /// Per feature, in one aligned 32-byte block (one cache line per feature scored): its
    /// three weights times its idf, and its idf squared, the products a feature that
    /// occurs once adds to the logits and the squared norm.
    scoring: Vec<FeatureBlock>,
    /// The feature index of each context feature ([`crate::context::KEYS`]), if the model has it.
    context: Vec<Option<u32>>,
}

#[derive(Debug, Clone, Copy)]
#[repr(C, align(32))]
struct FeatureBlock {
    weighted: [f64; 3],
    idf2: f64,
}

/// Errors loading a model: unreadable, not JSON, incompatible or inconsistent.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// The file could not be read.
    #[error("cannot read model {}: {error}", path.display())]
    Read {
        /// The model file.
        path: std::path::PathBuf,
        /// Why.
        error: std::io::Error,
    },
    /// A model file that fails to load, with the reason.
    #[error("{}: {error}", path.display())]
    File {
        /// The model file.
        path: std::path::PathBuf,
        /// Why it fails.
        error: Box<ModelError>,
    },
    /// The JSON ends early.
    #[error("model file is truncated ({0})")]
    Truncated(serde_json::Error),
    /// Not JSON, or not the model's fields.
    #[error("model file is not valid model JSON ({0})")]
    Json(serde_json::Error),
    /// The `format` field is not collectguard's.
    #[error("not a collectguard model (format {0:?})")]
    Format(String),
    /// A format version this build cannot read.
    #[error("model format version {0} is not supported (this build reads version {FORMAT_VERSION})")]
    Version(u32),
    /// Trained with another analyzer, so its features would not match.
    #[error("model was trained with analyzer {0:?}, this build uses {ANALYZER:?}")]
    Analyzer(String),
    /// Labels other than compliant, threatening, harassing in that order.
    #[error("model labels {0:?} are not compliant, threatening, harassing")]
    Labels(Vec<Label>),
    /// Weight rows and features differ in number.
    #[error("inconsistent dimensions: {features} features but {weights} weight rows")]
    Dimensions {
        /// Number of features.
        features: usize,
        /// Number of weight rows.
        weights: usize,
    },
    /// NaN or infinite numbers.
    #[error("model holds non-finite numbers")]
    NonFinite,
    /// The vocabulary cannot be built.
    #[error("inconsistent model: {0}")]
    Vocabulary(VocabularyError),
}

impl Model {
    /// Checks a model file and prepares it for scoring.
    pub fn from_file(file: ModelFile) -> Result<Self, ModelError> {
        if file.format != FORMAT {
            return Err(ModelError::Format(file.format));
        }
        if file.format_version != FORMAT_VERSION {
            return Err(ModelError::Version(file.format_version));
        }
        if file.analyzer != ANALYZER {
            return Err(ModelError::Analyzer(file.analyzer));
        }
        if file.labels != Label::ALL {
            return Err(ModelError::Labels(file.labels));
        }
        if file.weights.len() != file.features.len() {
            return Err(ModelError::Dimensions {
                features: file.features.len(),
                weights: file.weights.len(),
            });
        }
        let finite = file.idf.iter().all(|x| x.is_finite())
            && file.weights.iter().flatten().all(|x| x.is_finite())
            && file.intercepts.iter().all(|x| x.is_finite());
        if !finite {
            return Err(ModelError::NonFinite);
        }
        let vocab = Vocabulary::new(&file.features, file.idf.clone()).map_err(ModelError::Vocabulary)?;
        let scoring = file
            .weights
            .iter()
            .zip(&file.idf)
            .map(|(w, &idf)| FeatureBlock { weighted: w.map(|w| w * idf), idf2: idf * idf })
            .collect();
        let context = crate::context::KEYS.iter().map(|k| vocab.get(k)).collect();
        Ok(Model { file, vocab, scoring, context })
    }

    /// Parses and checks a model file's JSON.
    pub fn from_json(bytes: &[u8]) -> Result<Self, ModelError> {
        let file: ModelFile = serde_json::from_slice(bytes)
            .map_err(|e| if e.is_eof() { ModelError::Truncated(e) } else { ModelError::Json(e) })?;
        Self::from_file(file)
    }

    /// Reads, parses and checks the model file at `path`.
    pub fn load(path: &Path) -> Result<Self, ModelError> {
        let read = |error| ModelError::Read { path: path.to_path_buf(), error };
        let meta = std::fs::metadata(path).map_err(read)?;
        // Not a device that reads forever (/dev/zero), nor a file no model is as large as.
        if !meta.is_file() {
            return Err(read(io::Error::new(io::ErrorKind::InvalidInput, "not a regular file")));
        }
        if meta.len() > MAX_MODEL_BYTES {
            return Err(read(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{} bytes, more than a model file can be ({MAX_MODEL_BYTES})", meta.len()),
            )));
        }
        let bytes = std::fs::read(path).map_err(read)?;
        Self::from_json(&bytes).map_err(|e| ModelError::File { path: path.to_path_buf(), error: Box::new(e) })
    }

    /// The vocabulary.
    pub fn vocab(&self) -> &Vocabulary {
        &self.vocab
    }

    /// The feature index of context feature `id`, if the model has it.
    pub fn context_feature(&self, id: usize) -> Option<u32> {
        self.context[id]
    }

    /// Raw class scores (logits) of a feature row.
    pub fn logits(&self, x: &SparseVec) -> Scores {
        let mut z = self.file.intercepts;
        for (&i, &v) in x.indices.iter().zip(&x.values) {
            let w = &self.file.weights[i as usize];
            z[0] += w[0] * v;
            z[1] += w[1] * v;
            z[2] += w[2] * v;
        }
        z
    }

    /// Class probabilities of a feature row: a sparse dot product and a softmax.
    pub fn predict(&self, x: &SparseVec) -> Scores {
        softmax(self.logits(x))
    }

    /// Class probabilities straight from a message's feature hits (indices, repeats
    /// included, in any order): equal to `predict(&vocab().vectorize(hits))` but for
    /// rounding, without sorting or building the row. Each distinct feature is scored
    /// with tf 1 as it comes; repeated ones (a few per message) are corrected at the end.
    pub fn predict_hits(&self, hits: &[u32]) -> Scores {
        const WORDS: usize = 256;
        const REPEATS: usize = 64;
        if self.vocab.len() > 64 * WORDS {
            return self.predict(&self.vocab.vectorize(hits.to_vec()));
        }
        let mut seen = [0u64; WORDS];
        // Repeated hits, a few per message: on the stack, and on the heap past REPEATS.
        let (mut repeats, mut n_repeats, mut spilled) = ([0u32; REPEATS], 0, Vec::new());
        let (mut z, mut norm2) = ([0.0f64; 3], 0.0f64);
        for &h in hits {
            let (word, bit) = (h as usize / 64, 1u64 << (h % 64));
            if seen[word] & bit != 0 {
                if n_repeats < REPEATS {
                    repeats[n_repeats] = h;
                    n_repeats += 1;
                } else {
                    spilled.push(h);
                }
                continue;
            }
            seen[word] |= bit;
            // The same products as w * idf and idf * idf computed here: scores are unchanged.
            let f = &self.scoring[h as usize];
            norm2 += f.idf2;
            z = [z[0] + f.weighted[0], z[1] + f.weighted[1], z[2] + f.weighted[2]];
        }
        let repeats = if spilled.is_empty() {
            &mut repeats[..n_repeats]
        } else {
            spilled.extend_from_slice(&repeats);
            &mut spilled[..]
        };
        repeats.sort_unstable();
        for run in repeats.chunk_by(|a, b| a == b) {
            let (once, w) = (self.file.idf[run[0] as usize], &self.file.weights[run[0] as usize]);
            let v = sublinear_tf(run.len() + 1) * once;
            let d = v - once;
            norm2 += v * v - once * once;
            z = [z[0] + w[0] * d, z[1] + w[1] * d, z[2] + w[2] * d];
        }
        let mut logits = self.file.intercepts;
        if norm2 > 0.0 {
            let norm = norm2.sqrt();
            for (l, zc) in logits.iter_mut().zip(z) {
                *l += zc / norm;
            }
        }
        softmax(logits)
    }
}

pub(crate) fn softmax(z: Scores) -> Scores {
    let m = z.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let e = z.map(|v| (v - m).exp());
    let s: f64 = e.iter().sum();
    e.map(|v| v / s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn softmax_sums_to_one() {
        let p = softmax([1.0, 2.0, 3.0]);
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!(p[2] > p[1] && p[1] > p[0]);
        let p = softmax([1000.0, 0.0, -1000.0]);
        assert!(p[0] > 0.999 && p.iter().all(|x| x.is_finite()));
    }
}
