//! `--stats`: what a run cost, told on stderr at its end. The serial share is the part of
//! the run no added core can shorten: start-up, and the CPU time of the thread that reads
//! and writes while the others classify.

use std::time::{Duration, Instant};

/// Clock readings at the start of a run and once the classifier is ready.
pub struct Stats {
    start: Instant,
    ready: Option<(Instant, Duration)>,
}

impl Stats {
    /// Starts timing (call first thing).
    pub fn start() -> Self {
        Stats { start: Instant::now(), ready: None }
    }

    /// The classifier is loaded: start-up ends here.
    pub fn ready(&mut self) {
        self.ready = Some((Instant::now(), thread_cpu().unwrap_or_default()));
    }

    /// The report line for `messages` read, `selected` of them printed.
    pub fn report(&self, messages: u64, selected: u64) -> String {
        let wall = self.start.elapsed().as_secs_f64();
        let (ready, main_at_ready) = self.ready.unwrap_or((self.start, Duration::ZERO));
        let startup = (ready - self.start).as_secs_f64();
        let rate = messages as f64 / (wall - startup).max(1e-9);
        let mut line = format!(
            "{messages} messages, {selected} printed, {wall:.3} s; start-up {startup:.3} s, then {rate:.0} messages/s"
        );
        if rayon::current_num_threads() == 1 {
            if let Some(all) = process_cpu() {
                line += &format!("; CPU {:.3} s, one thread", all.as_secs_f64());
            }
        } else if let (Some(main), Some(all)) = (thread_cpu(), process_cpu()) {
            let main = (main - main_at_ready).as_secs_f64();
            let all = all.as_secs_f64();
            let serial = 100.0 * (startup + main) / all.max(1e-9);
            line += &format!(
                "; CPU {all:.3} s, of which the reading and writing thread {main:.3} s after start-up; serial share {serial:.1}%"
            );
        }
        line
    }
}

#[cfg(unix)]
fn clock(id: libc::clockid_t) -> Option<Duration> {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `ts` is a valid, writable timespec; the call only writes it.
    let rc = unsafe { libc::clock_gettime(id, &mut ts) };
    (rc == 0).then(|| Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32))
}

/// CPU time of the calling thread.
#[cfg(unix)]
fn thread_cpu() -> Option<Duration> {
    clock(libc::CLOCK_THREAD_CPUTIME_ID)
}

/// CPU time of the whole process, every thread.
#[cfg(unix)]
fn process_cpu() -> Option<Duration> {
    clock(libc::CLOCK_PROCESS_CPUTIME_ID)
}

#[cfg(not(unix))]
fn thread_cpu() -> Option<Duration> {
    None
}

#[cfg(not(unix))]
fn process_cpu() -> Option<Duration> {
    None
}
