//! Training: vocabulary, chi-squared feature selection, TF-IDF and a multinomial logistic
//! regression: linfa-logistic's objective, minimised over a sparse matrix by `solver`
//! (or, with `Solver::Linfa`, by linfa-logistic itself on the dense matrix, the
//! reference). Same data, parameters and seed give the same model, bit for bit.

use crate::context;
use crate::cues::Lexicon;
use crate::features::{SparseVec, Vocabulary, VocabularyError, smooth_idf};
use crate::label::Label;
use crate::model::{ANALYZER, Convergence, DataFile, FORMAT, FORMAT_VERSION, ModelFile, TrainingInfo};
use crate::solver::Solution;
use crate::tokenize::Tokenizer;
use linfa::prelude::*;
use linfa_logistic::{MultiFittedLogisticRegression, MultiLogisticRegression};
use ndarray::{Array1, Array2};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

mod terms;
#[cfg(any(test, feature = "testing"))]
use terms::term_keys;
use terms::{Interner, Keys};

/// Training parameters as given; [`TrainParams::check`] turns them into [`ValidParams`].
#[derive(Debug, Clone, PartialEq)]
pub struct TrainParams {
    /// L2 penalty on the summed cross-entropy.
    pub alpha: f64,
    /// Iteration cap of the solver.
    pub max_iterations: u64,
    /// Cap on the vocabulary, filled by chi-squared score.
    pub max_features: usize,
    /// A term must occur in at least this many training messages.
    pub min_df: usize,
    /// Seeds the row order the solver sees.
    pub seed: u64,
    /// Convergence: the gradient norm divided by the number of messages must fall below this.
    pub tolerance: f64,
    /// Which solver minimises the objective.
    pub solver: Solver,
    /// Scale the logits by a temperature fitted on held-out rows, so probabilities are
    /// calibrated.
    pub calibrate: bool,
    /// Han character trigrams as features (words and bigrams always are).
    pub trigrams: bool,
    /// Context features (cues and how they are used, see `context`).
    pub context: bool,
}

impl TrainParams {
    /// Whether a feature key is of a kind these parameters use.
    fn uses(&self, key: &str) -> bool {
        (self.trigrams || !key.starts_with("t:")) && (self.context || !key.starts_with(context::PREFIX))
    }
}

/// The solver that minimises linfa-logistic's objective.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Solver {
    /// `Linfa` while the dense matrix fits in [`DENSE_BUDGET`] bytes, else `Sparse`.
    Auto,
    /// linfa-logistic on the dense n x d matrix: the reference.
    Linfa,
    /// The same objective and L-BFGS over a sparse matrix: memory grows with the non-zeros.
    Sparse,
}

/// The dense matrix size up to which `auto` picks linfa-logistic.
pub const DENSE_BUDGET: usize = 64 << 20;

impl Solver {
    /// The solver `self` stands for on an n x d problem.
    pub fn resolve(self, n: usize, d: usize) -> Solver {
        match self {
            Solver::Auto if n.saturating_mul(d).saturating_mul(8) <= DENSE_BUDGET => Solver::Linfa,
            Solver::Auto => Solver::Sparse,
            s => s,
        }
    }

    /// The solver's name, as `--solver` takes it.
    pub fn name(self) -> &'static str {
        match self {
            Solver::Auto => "auto",
            Solver::Linfa => "linfa",
            Solver::Sparse => "sparse",
        }
    }
}

impl Default for TrainParams {
    fn default() -> Self {
        TrainParams {
            alpha: 0.3,
            max_iterations: 200,
            max_features: 16384,
            min_df: 2,
            seed: 42,
            tolerance: 1e-4,
            solver: Solver::Auto,
            calibrate: true,
            trigrams: true,
            context: true,
        }
    }
}

/// A training parameter out of range.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ParamError {
    /// `alpha` is not a positive number.
    #[error("alpha must be a positive number, got {0}")]
    Alpha(f64),
    /// `max_iterations` is 0.
    #[error("max-iterations must be at least 1")]
    MaxIterations,
    /// `max_features` is 0.
    #[error("max-features must be at least 1")]
    MaxFeatures,
    /// `min_df` is 0.
    #[error("min-df must be at least 1")]
    MinDf,
    /// `tolerance` is not a positive number.
    #[error("tolerance must be a positive number, got {0}")]
    Tolerance(f64),
}

/// Errors fitting a model.
#[derive(Debug, thiserror::Error)]
pub enum FitError {
    /// A label has no training messages.
    #[error("the training data has no {0} messages; all three labels are needed")]
    MissingLabel(Label),
    /// The solver failed.
    #[error("logistic regression failed: {0}")]
    Solver(linfa_logistic::error::Error),
    /// The sparse solver failed.
    #[error("sparse solver failed: {0}")]
    Sparse(String),
    /// The solver returned classes other than 0, 1, 2.
    #[error("unexpected classes from the solver: {0:?}")]
    Classes(Vec<usize>),
    /// The selected features do not form a vocabulary.
    #[error(transparent)]
    Vocabulary(#[from] VocabularyError),
}

/// Checked training parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidParams(TrainParams);

impl TrainParams {
    /// Checks the parameters.
    pub fn check(self) -> Result<ValidParams, ParamError> {
        if !(self.alpha.is_finite() && self.alpha > 0.0) {
            return Err(ParamError::Alpha(self.alpha));
        }
        if self.max_iterations == 0 {
            return Err(ParamError::MaxIterations);
        }
        if self.max_features == 0 {
            return Err(ParamError::MaxFeatures);
        }
        if self.min_df == 0 {
            return Err(ParamError::MinDf);
        }
        if !(self.tolerance.is_finite() && self.tolerance > 0.0) {
            return Err(ParamError::Tolerance(self.tolerance));
        }
        Ok(ValidParams(self))
    }
}

/// A labelled training message.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    /// The message.
    pub text: String,
    /// Its label.
    pub label: Label,
}

/// The fitted model file, and linfa's own fitted model when linfa fitted it (for checking
/// the sparse scorer).
pub struct Fitted {
    /// The model file.
    pub file: ModelFile,
    /// linfa's fitted model, when linfa fitted it.
    #[cfg(any(test, feature = "testing"))]
    pub linfa: Option<MultiFittedLogisticRegression<f64, usize>>,
}

/// Dense TF-IDF rows of `texts` for `vocab` (what linfa predicts from).
#[cfg(any(test, feature = "testing"))]
pub fn dense_rows(tokenizer: &Tokenizer, vocab: &Vocabulary, texts: &[&str]) -> Array2<f64> {
    let lexicon = Lexicon::embedded();
    let mut x = Array2::zeros((texts.len(), vocab.len()));
    for (r, t) in texts.iter().enumerate() {
        let v = sparse_row(vocab, &term_keys(tokenizer, &lexicon, t));
        for (&i, &val) in v.indices.iter().zip(&v.values) {
            x[[r, i as usize]] = val;
        }
    }
    x
}

#[cfg(any(test, feature = "testing"))]
fn sparse_row(vocab: &Vocabulary, keys: &[String]) -> SparseVec {
    vocab.vectorize(keys.iter().filter_map(|k| vocab.get(k)).collect())
}

/// Chi-squared statistic of a term's presence against the three labels.
fn chi2(present: [usize; 3], class_totals: [usize; 3], n: usize) -> f64 {
    let df: usize = present.iter().sum();
    let mut s = 0.0;
    for c in 0..3 {
        let col = class_totals[c] as f64;
        for (observed, row) in [(present[c], df), (class_totals[c] - present[c], n - df)] {
            let expected = row as f64 * col / n as f64;
            if expected > 0.0 {
                s += (observed as f64 - expected).powi(2) / expected;
            }
        }
    }
    s
}

/// splitmix64: a tiny, fixed generator, so the row order depends only on the seed.
fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn shuffled(n: usize, seed: u64) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    let mut state = seed;
    for i in (1..n).rev() {
        let j = (splitmix(&mut state) % (i as u64 + 1)) as usize;
        order.swap(i, j);
    }
    order
}

impl ValidParams {
    /// The parameters.
    pub fn params(&self) -> &TrainParams {
        &self.0
    }

    /// Fits a model on `examples`. `progress` hears about each stage.
    pub fn fit(
        &self,
        tokenizer: &Tokenizer,
        examples: &[Example],
        data: Vec<DataFile>,
        progress: &dyn Fn(&str),
    ) -> Result<Fitted, FitError> {
        let p = &self.0;
        let n = examples.len();
        let mut class_totals = [0usize; 3];
        for e in examples {
            class_totals[e.label.index()] += 1;
        }
        if let Some(l) = Label::ALL.iter().find(|l| class_totals[l.index()] == 0) {
            return Err(FitError::MissingLabel(*l));
        }
        progress(&format!("tokenizing {n} messages"));
        let lexicon = Lexicon::embedded();
        // Each chunk of messages is interned (serial) while the pool tokenizes the next.
        let tokenize = |chunk: &[Example]| -> Vec<Keys> {
            chunk.par_iter().map(|e| Keys::of(tokenizer, &lexicon, &e.text)).collect()
        };
        let chunks: Vec<&[Example]> = examples.chunks(TOKENIZE_CHUNK).collect();
        let mut interner = Interner::with_capacity(n);
        let mut ready = chunks.first().map(|c| tokenize(c));
        for (i, chunk) in chunks.iter().enumerate() {
            let keys = ready.take().unwrap_or_default();
            let ((), next) = rayon::join(
                || keys.iter().zip(*chunk).for_each(|(doc, e)| interner.add(doc, e.label)),
                || chunks.get(i + 1).map(|c| tokenize(c)),
            );
            ready = next;
        }
        let Interner { terms, counts, docs, .. } = interner;
        let used: Vec<u32> = (0..terms.len() as u32).filter(|&t| p.uses(&terms[t as usize])).collect();
        let mut scored: Vec<(f64, &str, usize, u32)> = used
            .iter()
            .map(|&t| (t, counts[t as usize].map(|c| c as usize)))
            .filter(|(_, c)| c.iter().sum::<usize>() >= p.min_df)
            .map(|(t, c)| (chi2(c, class_totals, n), &*terms[t as usize], c.iter().sum(), t))
            .collect();
        let candidates = scored.len();
        // Context features are always kept (they are few, and the fusion of cues and
        // model rests on them); words and bigrams fill the rest by chi-squared.
        scored.sort_by(|a, b| {
            let word = |t: &str| !t.starts_with(context::PREFIX);
            word(a.1).cmp(&word(b.1)).then(b.0.total_cmp(&a.0)).then(a.1.cmp(b.1))
        });
        scored.truncate(p.max_features);
        scored.sort_by(|a, b| a.1.cmp(b.1));
        let features: Vec<String> = scored.iter().map(|s| s.1.to_string()).collect();
        let idf: Vec<f64> = scored.iter().map(|s| smooth_idf(n, s.2)).collect();
        // Term id to feature index (NO_FEATURE if not kept).
        let mut feature_of = vec![NO_FEATURE; terms.len()];
        for (i, s) in scored.iter().enumerate() {
            feature_of[s.3 as usize] = i as u32;
        }
        progress(&format!(
            "{} terms, {candidates} with document frequency >= {}, kept {} by chi-squared",
            used.len(),
            p.min_df,
            features.len()
        ));
        if n < SMALL_DATA || features.len() < SMALL_VOCABULARY {
            progress(&format!(
                "warning: {n} messages and {} features are too few for a model that generalises \
                 (a useful one needs thousands of messages); it is fitted, but expect little of it",
                features.len()
            ));
        }
        let vocab = Vocabulary::new(&features, idf.clone())?;
        drop(scored);
        drop(terms);

        let order = shuffled(n, p.seed);
        let rows: Vec<SparseVec> = order
            .iter()
            .map(|&i| {
                vocab.vectorize(
                    docs[i].iter().map(|&t| feature_of[t as usize]).filter(|&f| f != NO_FEATURE).collect(),
                )
            })
            .collect();
        drop(docs);
        let y: Array1<usize> = order.iter().map(|&i| examples[i].label.index()).collect();
        let d = vocab.len();
        let solver = p.solver.resolve(n, d);
        progress(&format!(
            "fitting logistic regression ({} solver): {n} x {d}, alpha {}, at most {} iterations",
            solver.name(),
            p.alpha,
            p.max_iterations
        ));
        let tol = p.tolerance * n as f64;
        let y = y.as_slice().unwrap_or(&[]);
        let (weights, intercepts, linfa) = solve(solver, &rows, y, d, p, None, progress)?;
        let convergence = convergence(&rows, y, &weights, intercepts, p.alpha, tol);
        progress(&format!(
            "loss {:.4}, gradient norm {:.3e} (tolerance {:.3e}): {}",
            convergence.loss,
            convergence.gradient_norm,
            tol,
            if convergence.converged { "converged" } else { "NOT converged: stopped at max-iterations" }
        ));
        let temperature = if p.calibrate {
            // Every fifth row held out: fit on the rest, then the temperature that makes the
            // held-out probabilities honest (least log loss).
            let (held, kept): (Vec<usize>, Vec<usize>) = (0..n).partition(|r| r % CALIBRATION_FOLD == 0);
            let pick = |ix: &[usize]| -> (Vec<SparseVec>, Vec<usize>) {
                (ix.iter().map(|&r| rows[r].clone()).collect(), ix.iter().map(|&r| y[r]).collect())
            };
            let ((fit_x, fit_y), (cal_x, cal_y)) = (pick(&kept), pick(&held));
            if (0..3).any(|c| !fit_y.contains(&c)) || cal_y.len() < 3 {
                progress("no temperature fitted: too few rows to hold some out with every label left");
                1.0
            } else {
                // Four fifths of the rows are near all of them: started from the full fit,
                // the sparse solver needs a fraction of the iterations.
                let start = Solution { weights: weights.clone(), intercepts, iterations: 0 };
                let (w, b, _) = solve(solver, &fit_x, &fit_y, d, p, Some(&start), &|_| {})?;
                let logits: Vec<[f64; 3]> = cal_x.iter().map(|x| logits(&w, b, x)).collect();
                let t = fit_temperature(&logits, &cal_y);
                progress(&format!("temperature {t:.4} (fitted on {} held-out rows)", cal_y.len()));
                t
            }
        } else {
            1.0
        };
        let weights: Vec<[f64; 3]> = weights.iter().map(|w| w.map(|v| v / temperature)).collect();
        let intercepts = intercepts.map(|v| v / temperature);
        let file = ModelFile {
            format: FORMAT.into(),
            format_version: FORMAT_VERSION,
            analyzer: ANALYZER.into(),
            labels: Label::ALL.to_vec(),
            features,
            idf,
            weights,
            intercepts,
            training: TrainingInfo {
                data,
                seed: p.seed,
                alpha: p.alpha,
                max_iterations: p.max_iterations,
                solver: solver.name().into(),
                temperature,
                trigrams: p.trigrams,
                context: p.context,
                max_features: p.max_features,
                min_df: p.min_df,
                feature_selection: "chi-squared of term presence against the label, top max_features".into(),
                documents: n,
                convergence,
                held_out: None,
            },
        };
        #[cfg(not(any(test, feature = "testing")))]
        let _ = linfa;
        Ok(Fitted {
            file,
            #[cfg(any(test, feature = "testing"))]
            linfa,
        })
    }
}

/// Below this many messages, or this many features, `fit` warns that the model will not
/// generalise.
const SMALL_DATA: usize = 500;
const SMALL_VOCABULARY: usize = 200;

/// Messages tokenized at a time (in parallel) before their keys are interned.
const TOKENIZE_CHUNK: usize = 4096;

/// A term id that is no feature.
const NO_FEATURE: u32 = u32::MAX;

/// Every how-many-th row (of the shuffled order) the calibration fit holds out.
const CALIBRATION_FOLD: usize = 5;

/// Weights, intercepts, and linfa's own model when linfa fitted them.
type Solved = (Vec<[f64; 3]>, [f64; 3], Option<MultiFittedLogisticRegression<f64, usize>>);

/// Fits the weights and intercepts with `solver` (linfa's own model too when it is linfa).
fn solve(
    solver: Solver,
    rows: &[SparseVec],
    y: &[usize],
    d: usize,
    p: &TrainParams,
    start: Option<&Solution>,
    progress: &dyn Fn(&str),
) -> Result<Solved, FitError> {
    let n = rows.len();
    let tol = p.tolerance * n as f64;
    if solver == Solver::Sparse {
        let x = crate::solver::Csr::from_rows(rows, d);
        progress(&format!("{} non-zeros", x.nnz()));
        let s = crate::solver::fit(&x, y, p.alpha, p.max_iterations, tol, start)
            .map_err(|e| FitError::Sparse(e.to_string()))?;
        progress(&format!("{} L-BFGS iterations", s.iterations));
        return Ok((s.weights, s.intercepts, None));
    }
    let mut x = Array2::<f64>::zeros((n, d));
    for (r, v) in rows.iter().enumerate() {
        for (&i, &val) in v.indices.iter().zip(&v.values) {
            x[[r, i as usize]] = val;
        }
    }
    let dataset = Dataset::new(x, Array1::from(y.to_vec()));
    let fitted = MultiLogisticRegression::default()
        .alpha(p.alpha)
        .max_iterations(p.max_iterations)
        .gradient_tolerance(tol)
        .fit(&dataset)
        .map_err(FitError::Solver)?;
    let classes = fitted.classes().to_vec();
    if classes != [0, 1, 2] {
        return Err(FitError::Classes(classes));
    }
    let params = fitted.params();
    let weights: Vec<[f64; 3]> = (0..d).map(|i| [params[[i, 0]], params[[i, 1]], params[[i, 2]]]).collect();
    let b = fitted.intercept();
    Ok((weights, [b[0], b[1], b[2]], Some(fitted)))
}

fn logits(w: &[[f64; 3]], b: [f64; 3], x: &SparseVec) -> [f64; 3] {
    let mut z = b;
    for (&i, &v) in x.indices.iter().zip(&x.values) {
        for c in 0..3 {
            z[c] += w[i as usize][c] * v;
        }
    }
    z
}

/// The temperature T (logits divided by T) with the least log loss on `logits`, by
/// golden-section search over ln T in [ln 0.05, ln 20]: the loss is unimodal in T.
fn fit_temperature(logits: &[[f64; 3]], y: &[usize]) -> f64 {
    let nll = |ln_t: f64| -> f64 {
        let t = ln_t.exp();
        logits
            .iter()
            .zip(y)
            .map(|(z, &l)| -crate::model::softmax(z.map(|v| v / t))[l].max(f64::MIN_POSITIVE).ln())
            .sum()
    };
    if logits.is_empty() {
        return 1.0;
    }
    let g = (5f64.sqrt() - 1.0) / 2.0;
    let (mut a, mut b) = (0.05f64.ln(), 20f64.ln());
    let (mut c, mut d) = (b - g * (b - a), a + g * (b - a));
    let (mut fc, mut fd) = (nll(c), nll(d));
    for _ in 0..80 {
        if fc < fd {
            (b, d, fd) = (d, c, fc);
            c = b - g * (b - a);
            fc = nll(c);
        } else {
            (a, c, fc) = (c, d, fd);
            d = a + g * (b - a);
            fd = nll(d);
        }
    }
    ((a + b) / 2.0).exp()
}

/// Loss and gradient of linfa's objective (summed cross-entropy + alpha/2 |W|^2, intercept
/// unpenalised) at the fitted parameters, computed on the sparse rows.
fn convergence(
    rows: &[SparseVec],
    y: &[usize],
    w: &[[f64; 3]],
    b: [f64; 3],
    alpha: f64,
    tol: f64,
) -> Convergence {
    let mut grad_w = vec![[0.0f64; 3]; w.len()];
    let mut grad_b = [0.0f64; 3];
    let mut loss = 0.0;
    for (x, &label) in rows.iter().zip(y) {
        let p = crate::model::softmax(logits(w, b, x));
        loss -= p[label].max(f64::MIN_POSITIVE).ln();
        for c in 0..3 {
            let diff = p[c] - if c == label { 1.0 } else { 0.0 };
            grad_b[c] += diff;
            for (&i, &v) in x.indices.iter().zip(&x.values) {
                grad_w[i as usize][c] += v * diff;
            }
        }
    }
    let mut sq = 0.0;
    for (g, wi) in grad_w.iter_mut().zip(w) {
        for c in 0..3 {
            g[c] += alpha * wi[c];
            sq += g[c] * g[c];
            loss += 0.5 * alpha * wi[c] * wi[c];
        }
    }
    sq += grad_b.iter().map(|g| g * g).sum::<f64>();
    let gradient_norm = sq.sqrt();
    Convergence { converged: gradient_norm <= tol, loss, gradient_norm, gradient_tolerance: tol }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_are_checked_once() {
        assert!(TrainParams::default().check().is_ok());
        assert!(TrainParams { alpha: -1.0, ..Default::default() }.check().is_err());
        assert!(TrainParams { max_iterations: 0, ..Default::default() }.check().is_err());
        assert!(TrainParams { tolerance: f64::NAN, ..Default::default() }.check().is_err());
    }

    #[test]
    fn chi2_is_zero_for_independent_terms() {
        assert!(chi2([10, 10, 10], [100, 100, 100], 300).abs() < 1e-12);
        assert!(chi2([30, 0, 0], [100, 100, 100], 300) > 50.0);
    }

    #[test]
    fn shuffle_depends_only_on_seed() {
        assert_eq!(shuffled(50, 3), shuffled(50, 3));
        assert_ne!(shuffled(50, 3), shuffled(50, 4));
        let mut s = shuffled(50, 3);
        s.sort();
        assert_eq!(s, (0..50).collect::<Vec<_>>());
    }
}
