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

/// One batch: its text in one buffer and the bounds of each line in it.
#[derive(Default)]
struct Batch {
    text: String,
    bounds: Vec<(usize, usize)>,
}

impl Batch {
    /// Fills the batch from `lines`; false when there was nothing left.
    fn fill<R: BufRead>(&mut self, lines: &mut Lines<R>, name: &str) -> Result<bool, SourceError> {
        self.text.clear();
        self.bounds.clear();
        while self.bounds.len() < BATCH_LINES && self.text.len() < BATCH_BYTES {
            let start = self.text.len();
            let more = lines
                .read_line_into(&mut self.text)
                .map_err(|source| SourceError::Reading { name: name.to_string(), source })?;
            if !more {
                break;
            }
            self.bounds.push((start, self.text.len()));
        }
        Ok(!self.bounds.is_empty())
    }
}

/// Reads `lines` (of the input called `name`) and hands each (line number, text,
/// verdict) to `sink`, in order. With more than one thread, reading the next batch and
/// writing the last one overlap with classifying the current one, so that the pool does
/// not wait for this thread.
pub fn for_each_line<R: BufRead, E: From<SourceError>>(
    classifier: &Classifier,
    lines: &mut Lines<R>,
    name: &str,
    mut sink: impl FnMut(u64, &str, &Verdict) -> Result<(), E>,
) -> Result<(), E> {
    let mut line_no = 0u64;
    let mut emit = |batch: &Batch, verdicts: &[Verdict]| -> Result<(), E> {
        for (&(s, e), v) in batch.bounds.iter().zip(verdicts) {
            line_no += 1;
            sink(line_no, &batch.text[s..e], v)?;
        }
        Ok(())
    };
    let classify = |b: &Batch| classify_all(&b.bounds, |&(s, e)| classifier.classify(&b.text[s..e]));
    if rayon::current_num_threads() == 1 {
        let mut batch = Batch::default();
        while batch.fill(lines, name)? {
            let verdicts = classify(&batch);
            emit(&batch, &verdicts)?;
        }
        return Ok(());
    }
    // Batches go to a thread that hands them to the pool, and come back with their
    // verdicts; two batches are in flight at most, so memory stays bounded.
    let (to_pool, batches) = std::sync::mpsc::sync_channel::<Batch>(1);
    let (to_main, done) = std::sync::mpsc::sync_channel::<(Batch, Vec<Verdict>)>(1);
    std::thread::scope(|scope| {
        scope.spawn(move || {
            for batch in batches {
                let verdicts = classify(&batch);
                if to_main.send((batch, verdicts)).is_err() {
                    break;
                }
            }
        });
        // Owned here, so that an early return (a read or write error) closes both channels
        // and the classifying thread ends before the scope does.
        let (to_pool, done) = (to_pool, done);
        let mut spare = Some(Batch::default());
        let mut in_flight = 0;
        loop {
            let mut batch = spare.take().unwrap_or_default();
            let more = batch.fill(lines, name)?;
            if more {
                to_pool.send(batch).expect("the classifying thread lives until the channel closes");
                in_flight += 1;
            } else {
                spare = Some(batch);
            }
            // Keep one batch classifying while this one is written.
            if in_flight == 2 || (!more && in_flight > 0) {
                let (b, verdicts) = done.recv().expect("a verdict for every batch sent");
                in_flight -= 1;
                emit(&b, &verdicts)?;
                spare = Some(b);
            }
            if !more && in_flight == 0 {
                return Ok(());
            }
        }
    })
}
