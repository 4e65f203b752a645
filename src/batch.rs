//! Ordered parallel batching: messages are classified a batch at a time, in parallel
//! within the batch, and handed on in input order.

use crate::input::Lines;
use crate::source::SourceError;
use crate::{Classifier, Verdict};
use rayon::prelude::*;
use std::collections::VecDeque;
use std::io::BufRead;

/// Lines per batch.
pub const BATCH_LINES: usize = 4096;
/// Bytes of text per batch, past which a batch ends early.
pub const BATCH_BYTES: usize = 8 << 20;
/// Lines per piece of a batch whose output is made on the pool: enough to share one
/// output buffer, few enough that the pool's threads end a batch together.
const PIECE_LINES: usize = 128;
/// Batches on the pool at once, beside the one being read and the one being written.
const IN_FLIGHT: usize = 2;

/// Classifies a batch in order: on rayon's threads, or on this one with one thread.
pub fn classify_all<T: Sync>(items: &[T], f: impl Fn(&T) -> Verdict + Sync + Send) -> Vec<Verdict> {
    map_in_order(items, f)
}

/// `f` on every item, results in order: on rayon's threads, or on this one with one
/// thread, where handing work to one pool thread would only add waiting.
fn map_in_order<T: Sync, U: Send>(items: &[T], f: impl Fn(&T) -> U + Sync + Send) -> Vec<U> {
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
    /// The line number of the batch's first line.
    first: u64,
}

impl Batch {
    /// Fills the batch from `lines`, starting at line `first`; false when there was
    /// nothing left.
    fn fill<R: BufRead>(
        &mut self,
        lines: &mut Lines<R>,
        name: &str,
        first: u64,
    ) -> Result<bool, SourceError> {
        self.text.clear();
        self.bounds.clear();
        self.first = first;
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

    fn line(&self, i: usize) -> &str {
        let (s, e) = self.bounds[i];
        &self.text[s..e]
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
    let classify = |b: &Batch| classify_all(&b.bounds, |&(s, e)| classifier.classify(&b.text[s..e]));
    pipeline(lines, name, classify, |batch, verdicts| {
        for (i, v) in verdicts.iter().enumerate() {
            sink(batch.first + i as u64, batch.line(i), v)?;
        }
        Ok(())
    })
}

/// Output made on the pool: one piece of a batch, its lines' bytes in order, and how
/// many of its lines `encode` selected.
pub struct Encoded {
    /// The bytes to write.
    pub bytes: Vec<u8>,
    /// Lines in the piece.
    pub lines: u64,
    /// Lines selected.
    pub selected: u64,
}

/// Like [`for_each_line`], but each line's output is made on the pool as well:
/// `encode(line number, text, verdict, out)` appends what the line prints to `out` and
/// says whether the line was selected; `write` gets the pieces in input order. This
/// thread then only reads and writes.
pub fn encode_lines<R: BufRead, E: From<SourceError>>(
    classifier: &Classifier,
    lines: &mut Lines<R>,
    name: &str,
    encode: impl Fn(u64, &str, &Verdict, &mut Vec<u8>) -> bool + Sync,
    mut write: impl FnMut(&Encoded) -> Result<(), E>,
) -> Result<(), E> {
    let piece = |b: &Batch, lo: usize| {
        let hi = (lo + PIECE_LINES).min(b.bounds.len());
        let mut out = Encoded { bytes: Vec::new(), lines: (hi - lo) as u64, selected: 0 };
        for i in lo..hi {
            let text = b.line(i);
            let v = classifier.classify(text);
            out.selected += u64::from(encode(b.first + i as u64, text, &v, &mut out.bytes));
        }
        out
    };
    let work = |b: &Batch| -> Vec<Encoded> {
        let starts: Vec<usize> = (0..b.bounds.len()).step_by(PIECE_LINES).collect();
        map_in_order(&starts, |&lo| piece(b, lo))
    };
    pipeline(lines, name, work, |_, pieces| pieces.iter().try_for_each(&mut write))
}

/// The batch loop: `work` runs on each batch (on the pool, with more than one thread)
/// and `emit` gets each batch with its result, in order, on this thread.
fn pipeline<R: BufRead, E: From<SourceError>, T: Send>(
    lines: &mut Lines<R>,
    name: &str,
    work: impl Fn(&Batch) -> T + Sync,
    mut emit: impl FnMut(&Batch, &T) -> Result<(), E>,
) -> Result<(), E> {
    let mut next = 1u64;
    if rayon::current_num_threads() == 1 {
        let mut batch = Batch::default();
        while batch.fill(lines, name, next)? {
            next += batch.bounds.len() as u64;
            let done = work(&batch);
            emit(&batch, &done)?;
        }
        return Ok(());
    }
    // Each batch is a task on the pool, and up to IN_FLIGHT of them run at once, so that
    // the pool starts on the next batch while the last lines of one finish: no core
    // waits at a batch's end. Results come back in order, each on its own channel;
    // memory stays bounded by the batches in flight.
    rayon::in_place_scope(|scope| {
        let work = &work;
        let mut pending: VecDeque<std::sync::mpsc::Receiver<(Batch, T)>> = VecDeque::new();
        let mut spare: Vec<Batch> = Vec::new();
        let mut more = true;
        loop {
            while more && pending.len() < IN_FLIGHT {
                let mut batch = spare.pop().unwrap_or_default();
                more = batch.fill(lines, name, next)?;
                if !more {
                    break;
                }
                next += batch.bounds.len() as u64;
                let (tx, rx) = std::sync::mpsc::sync_channel(1);
                scope.spawn(move |_| {
                    let result = work(&batch);
                    // The receiver is gone only when this thread returned early with an
                    // error; the result is not wanted then.
                    let _ = tx.send((batch, result));
                });
                pending.push_back(rx);
            }
            let Some(rx) = pending.pop_front() else {
                return Ok(());
            };
            let (b, result) = rx.recv().expect("a result for every batch spawned");
            emit(&b, &result)?;
            spare.push(b);
        }
    })
}
