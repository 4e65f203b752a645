//! The sparse trainer: linfa-logistic's multinomial objective (summed cross-entropy plus
//! `alpha / 2 |W|²`, intercepts unpenalised) minimised by the same solver linfa-logistic
//! uses (argmin's L-BFGS, memory 10, More-Thuente line search), over a CSR matrix, so
//! memory is proportional to the non-zeros and each evaluation costs nnz × labels.

use crate::features::SparseVec;
use crate::model::softmax;
use argmin::core::{CostFunction, Error as ArgminError, Executor, Gradient, State};
use argmin::solver::linesearch::MoreThuenteLineSearch;
use argmin::solver::quasinewton::LBFGS;
use ndarray::Array1;
use rayon::prelude::*;
use std::sync::Mutex;

/// Rows per block of the parallel sums. Fixed, so the order of every floating-point sum,
/// and so the fitted model, does not depend on the number of threads.
const BLOCK: usize = 2048;

/// A design matrix in compressed sparse row form.
#[derive(Debug, Clone, Default)]
pub(crate) struct Csr {
    indptr: Vec<usize>,
    indices: Vec<u32>,
    values: Vec<f64>,
    cols: usize,
}

impl Csr {
    /// The matrix whose rows are `rows`, with `cols` columns.
    pub(crate) fn from_rows<'a>(rows: impl IntoIterator<Item = &'a SparseVec>, cols: usize) -> Self {
        let mut m = Csr { indptr: vec![0], cols, ..Default::default() };
        for r in rows {
            m.indices.extend_from_slice(&r.indices);
            m.values.extend_from_slice(&r.values);
            m.indptr.push(m.indices.len());
        }
        m
    }

    pub(crate) fn rows(&self) -> usize {
        self.indptr.len() - 1
    }

    pub(crate) fn nnz(&self) -> usize {
        self.indices.len()
    }

    fn row(&self, r: usize) -> (&[u32], &[f64]) {
        let span = self.indptr[r]..self.indptr[r + 1];
        (&self.indices[span.clone()], &self.values[span])
    }
}

/// The fitted parameters: one weight row per feature and the intercepts.
pub(crate) struct Solution {
    pub weights: Vec<[f64; 3]>,
    pub intercepts: [f64; 3],
    pub iterations: u64,
}

/// Why the solver failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum SolverError {
    #[error("{rows} rows but {labels} labels")]
    Shape { rows: usize, labels: usize },
    #[error("a label index is not 0, 1 or 2")]
    Label,
    #[error("the starting point has {got} features, the data {expected}")]
    Start { expected: usize, got: usize },
    #[error("L-BFGS failed: {0}")]
    Lbfgs(String),
}

/// A point with its loss and gradient.
type Evaluated = (Array1<f64>, f64, Array1<f64>);

struct Problem<'a> {
    x: &'a Csr,
    y: &'a [usize],
    alpha: f64,
    /// The last point evaluated, with its loss and gradient: the line search asks for the
    /// cost and the gradient of one point separately, and one pass gives both.
    cache: Mutex<Option<Evaluated>>,
}

impl Problem<'_> {
    /// Loss and gradient at `w` (flattened: feature-major rows of three, intercepts last).
    fn evaluate(&self, w: &Array1<f64>) -> (f64, Array1<f64>) {
        if let Some((p, loss, grad)) = self.cache.lock().expect("cache lock").as_ref()
            && p == w
        {
            return (*loss, grad.clone());
        }
        let d = self.x.cols;
        let ws = w.as_slice().expect("contiguous parameters");
        let b = [ws[3 * d], ws[3 * d + 1], ws[3 * d + 2]];
        let n = self.x.rows();
        let blocks: Vec<(f64, Vec<f64>)> = (0..n.div_ceil(BLOCK))
            .into_par_iter()
            .map(|k| {
                let mut grad = vec![0.0; 3 * d + 3];
                let mut loss = 0.0;
                for r in k * BLOCK..((k + 1) * BLOCK).min(n) {
                    let (idx, val) = self.x.row(r);
                    let mut z = b;
                    for (&i, &v) in idx.iter().zip(val) {
                        let i = 3 * i as usize;
                        z[0] += ws[i] * v;
                        z[1] += ws[i + 1] * v;
                        z[2] += ws[i + 2] * v;
                    }
                    let label = self.y[r];
                    let m = z[0].max(z[1]).max(z[2]);
                    let lse = m + ((z[0] - m).exp() + (z[1] - m).exp() + (z[2] - m).exp()).ln();
                    loss += lse - z[label];
                    let mut diff = softmax(z);
                    diff[label] -= 1.0;
                    for (&i, &v) in idx.iter().zip(val) {
                        let i = 3 * i as usize;
                        grad[i] += v * diff[0];
                        grad[i + 1] += v * diff[1];
                        grad[i + 2] += v * diff[2];
                    }
                    for c in 0..3 {
                        grad[3 * d + c] += diff[c];
                    }
                }
                (loss, grad)
            })
            .collect();
        let mut loss = 0.0;
        let mut grad = vec![0.0; 3 * d + 3];
        for (l, g) in &blocks {
            loss += l;
            grad.iter_mut().zip(g).for_each(|(a, b)| *a += b);
        }
        for (g, &wi) in grad[..3 * d].iter_mut().zip(&ws[..3 * d]) {
            *g += self.alpha * wi;
            loss += 0.5 * self.alpha * wi * wi;
        }
        let grad = Array1::from(grad);
        *self.cache.lock().expect("cache lock") = Some((w.clone(), loss, grad.clone()));
        (loss, grad)
    }
}

impl CostFunction for Problem<'_> {
    type Param = Array1<f64>;
    type Output = f64;
    fn cost(&self, w: &Self::Param) -> Result<f64, ArgminError> {
        Ok(self.evaluate(w).0)
    }
}

impl Gradient for Problem<'_> {
    type Param = Array1<f64>;
    type Gradient = Array1<f64>;
    fn gradient(&self, w: &Self::Param) -> Result<Array1<f64>, ArgminError> {
        Ok(self.evaluate(w).1)
    }
}

/// Minimises the objective from zero, as linfa-logistic does, or from `start` (a nearby
/// problem's solution), stopping when the gradient norm falls below `gradient_tolerance`
/// or after `max_iterations`.
pub(crate) fn fit(
    x: &Csr,
    y: &[usize],
    alpha: f64,
    max_iterations: u64,
    gradient_tolerance: f64,
    start: Option<&Solution>,
) -> Result<Solution, SolverError> {
    if x.rows() != y.len() {
        return Err(SolverError::Shape { rows: x.rows(), labels: y.len() });
    }
    if y.iter().any(|&l| l > 2) {
        return Err(SolverError::Label);
    }
    let d = x.cols;
    if let Some(s) = start.filter(|s| s.weights.len() != d) {
        return Err(SolverError::Start { expected: d, got: s.weights.len() });
    }
    let problem = Problem { x, y, alpha, cache: Mutex::new(None) };
    let solver = LBFGS::new(MoreThuenteLineSearch::new(), 10)
        .with_tolerance_grad(gradient_tolerance)
        .map_err(|e| SolverError::Lbfgs(e.to_string()))?;
    let init = match start {
        Some(s) => s.weights.iter().flatten().chain(&s.intercepts).copied().collect::<Array1<f64>>(),
        None => Array1::<f64>::zeros(3 * d + 3),
    };
    let result = Executor::new(problem, solver)
        .configure(|state| state.param(init.clone()).max_iters(max_iterations))
        .run()
        .map_err(|e| SolverError::Lbfgs(e.to_string()))?;
    let iterations = result.state.get_iter();
    let w = result.state.best_param.unwrap_or(init);
    let w = w.as_slice().expect("contiguous parameters");
    Ok(Solution {
        weights: w[..3 * d].chunks_exact(3).map(|c| [c[0], c[1], c[2]]).collect(),
        intercepts: [w[3 * d], w[3 * d + 1], w[3 * d + 2]],
        iterations,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(pairs: &[(u32, f64)]) -> SparseVec {
        SparseVec {
            indices: pairs.iter().map(|p| p.0).collect(),
            values: pairs.iter().map(|p| p.1).collect(),
        }
    }

    #[test]
    fn gradient_matches_finite_differences() {
        let rows = [row(&[(0, 0.6), (2, 0.8)]), row(&[(1, 1.0)]), row(&[(0, 0.3), (1, 0.4), (2, 0.866)])];
        let x = Csr::from_rows(&rows, 3);
        let y = [0, 1, 2];
        let p = Problem { x: &x, y: &y, alpha: 0.7, cache: Mutex::new(None) };
        let w = Array1::from_iter((0..12).map(|k| (k as f64 * 0.37).sin()));
        let (_, g) = p.evaluate(&w);
        for k in 0..12 {
            let mut a = w.clone();
            let mut b = w.clone();
            a[k] += 1e-6;
            b[k] -= 1e-6;
            let num = (p.evaluate(&a).0 - p.evaluate(&b).0) / 2e-6;
            assert!((num - g[k]).abs() < 1e-6, "{k}: {num} vs {}", g[k]);
        }
    }

    #[test]
    fn separable_data_is_learned() {
        let rows: Vec<SparseVec> = (0..30).map(|i| row(&[((i % 3) as u32, 1.0)])).collect();
        let y: Vec<usize> = (0..30).map(|i| i % 3).collect();
        let x = Csr::from_rows(&rows, 3);
        let s = fit(&x, &y, 1.0, 100, 1e-8, None).unwrap();
        for c in 0..3 {
            let z: Vec<f64> = (0..3).map(|k| s.weights[c][k] + s.intercepts[k]).collect();
            let best = (0..3).max_by(|&a, &b| z[a].total_cmp(&z[b])).unwrap();
            assert_eq!(best, c);
        }
        assert!(fit(&x, &y[..3], 1.0, 10, 1e-8, None).is_err());
        // From its own solution the fit stops at once, where it was.
        let again = fit(&x, &y, 1.0, 100, 1e-8, Some(&s)).unwrap();
        assert!(again.iterations <= 1 && again.weights == s.weights, "{}", again.iterations);
        // A start from a problem of another width is refused, not silently dropped.
        let wider = Csr::from_rows(&rows, 4);
        assert!(matches!(
            fit(&wider, &y, 1.0, 10, 1e-8, Some(&s)),
            Err(SolverError::Start { expected: 4, got: 3 })
        ));
    }
}
