//! Ordered parallel batching: messages are classified a batch at a time, in parallel
//! within the batch, and handed on in input order.

use crate::input::Lines;
use crate::source::SourceError;
use crate::{Classifier, Verdict};
use rayon::prelude::*;
use std::io::BufRead;

/// Lines per batch.
pub const BATCH_LINES: usize = 4096;
/// Bytes of text per batch, past which a batch ends early.
pub const BATCH_BYTES: usize = 8 << 20;

/// Classifies a batch in order: on rayon's threads, or on this one with one thread,
/// where handing work to one pool thread would only add waiting.
pub fn classify_all<T: Sync>(items: &[T], f: impl Fn(&T) -> Verdict + Sync + Send) -> Vec<Verdict> {
    if rayon::current_num_threads() == 1 {
        items.iter().map(f).collect()
    } else {
        items.par_iter().map(f).collect()
    }
}

/// Reads `lines` (of the input called `name`) and hands each (line number, text,
/// verdict) to `sink`, in order.
pub fn for_each_line<R: BufRead, E: From<SourceError>>(
    classifier: &Classifier,
    lines: &mut Lines<R>,
    name: &str,
    mut sink: impl FnMut(u64, &str, &Verdict) -> Result<(), E>,
) -> Result<(), E> {
    let mut line_no = 0u64;
    // A batch is one buffer of text and the bounds of each line in it.
    let mut text = String::new();
    let mut bounds: Vec<(usize, usize)> = Vec::with_capacity(BATCH_LINES);
    loop {
        text.clear();
        bounds.clear();
        while bounds.len() < BATCH_LINES && text.len() < BATCH_BYTES {
            let start = text.len();
            let more = lines
                .read_line_into(&mut text)
                .map_err(|source| SourceError::Reading { name: name.to_string(), source })?;
            if !more {
                break;
            }
            bounds.push((start, text.len()));
        }
        if bounds.is_empty() {
            return Ok(());
        }
        let verdicts = classify_all(&bounds, |&(s, e)| classifier.classify(&text[s..e]));
        for (&(s, e), v) in bounds.iter().zip(&verdicts) {
            line_no += 1;
            sink(line_no, &text[s..e], v)?;
        }
    }
}
