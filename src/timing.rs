//! Stage timings for the benchmark: a leaf module every layer may use.

/// With STRATA_TIMING set, prints elapsed time and memory at a stage (for the benchmark).
pub fn stage(stage: &str) {
    if std::env::var_os("STRATA_TIMING").is_none() {
        return;
    }
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
    eprintln!("[timing] {stage}: {rss} {hwm}");
}
