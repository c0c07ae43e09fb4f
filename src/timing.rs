//! Stage timings for the benchmark: a leaf module every layer may use.

use std::sync::OnceLock;
use std::time::Instant;

static START: OnceLock<Instant> = OnceLock::new();

/// Starts the clock [`stage`] measures from (the first call wins; `stage` starts it too).
pub(crate) fn start() {
    START.get_or_init(Instant::now);
}

/// With STRATA_TIMING set, prints the time since [`start`] and memory at a stage (for the
/// benchmark).
pub(crate) fn stage(stage: &str) {
    if std::env::var_os("STRATA_TIMING").is_none() {
        return;
    }
    let elapsed = START.get_or_init(Instant::now).elapsed();
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let rss = status
        .lines()
        .find(|l| l.starts_with("VmRSS"))
        .unwrap_or("")
        .trim();
    let hwm = status
        .lines()
        .find(|l| l.starts_with("VmHWM"))
        .unwrap_or("")
        .trim();
    eprintln!(
        "[timing] {stage}: {:.3}s {rss} {hwm}",
        elapsed.as_secs_f64()
    );
}
