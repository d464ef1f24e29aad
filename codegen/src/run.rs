//! How a generation runs: on one thread per core, each stage timed.

use std::time::{Duration, Instant};

/// Wall time spent in each stage of [`generate_timed`](crate::generate_timed), summed over the
/// modules generated.
#[derive(Clone, Copy, Debug, Default)]
pub struct Timings {
    /// Reading the spec and overlays, parsing YAML, applying overlays,
    /// deserializing into `openapiv3`.
    pub load: Duration,
    /// Spec -> IR.
    pub normalize: Duration,
    /// IR -> token streams.
    pub emit: Duration,
    /// Token streams -> formatted Rust text (`syn` + prettyplease).
    pub format: Duration,
    /// IR -> Markdown pages and the compiled examples.
    pub docs: Duration,
}

impl Timings {
    /// The sum of every stage.
    pub fn total(&self) -> Duration {
        self.load + self.normalize + self.emit + self.format + self.docs
    }
}

/// The number of worker threads the generator uses: one per core.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// Runs `work` on one scoped thread per core, item `i` going to thread
/// `i % threads`, and returns each thread's result in thread order, so the
/// outcome does not depend on scheduling. A panic in a thread resumes here.
pub fn on_each_core<T: Sync, R: Send>(
    items: &[T],
    work: impl Fn(&mut dyn Iterator<Item = &T>) -> R + Sync,
) -> Vec<R> {
    let threads = cores().min(items.len()).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|thread| {
                let work = &work;
                scope.spawn(move || work(&mut items.iter().skip(thread).step_by(threads)))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
            .collect()
    })
}

/// Times `f`, adding its duration to `slot`.
pub(crate) fn timed<T>(slot: &mut Duration, f: impl FnOnce() -> T) -> T {
    let started = Instant::now();
    let out = f();
    *slot += started.elapsed();
    out
}
