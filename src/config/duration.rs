//! Durations in settings and flags: `500ms`, `5s`, `2m`, `1h`; a bare number is seconds,
//! everywhere. Timeouts are parsed once, when the flags are parsed and the settings resolved,
//! into a [`Timeout`]; PostgreSQL receives them in milliseconds.

use std::time::Duration;

/// What an invalid duration's error says to do.
pub(crate) const DURATION_HELP: &str =
    "use a duration such as 500ms, 5s, 2m or 1h (a bare number is seconds)";

/// A timeout as strata reads it, in whole milliseconds, at most PostgreSQL's limit
/// (2147483647 ms, about 24 days).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Timeout {
    ms: u32,
}

impl Timeout {
    /// No limit (PostgreSQL's `0`).
    pub(crate) const NONE: Timeout = Timeout { ms: 0 };

    /// Parses a duration (see [`parse_duration`]); `None` when it is not one or is longer than
    /// PostgreSQL accepts.
    pub fn parse(s: &str) -> Option<Timeout> {
        let ms = parse_duration(s)?.as_millis();
        let ms = u32::try_from(ms).ok().filter(|m| *m <= i32::MAX as u32)?;
        Some(Timeout { ms })
    }

    pub const fn from_secs(secs: u32) -> Timeout {
        Timeout { ms: secs * 1000 }
    }

    pub(crate) fn as_duration(self) -> Duration {
        Duration::from_millis(u64::from(self.ms))
    }

    #[cfg(test)]
    pub(crate) fn as_millis(self) -> u32 {
        self.ms
    }

    /// The value for PostgreSQL's `lock_timeout`/`statement_timeout`: milliseconds, e.g.
    /// `5000ms` (PostgreSQL would read a bare `5` as milliseconds, and rejects `2m`).
    pub(crate) fn postgres(self) -> String {
        format!("{}ms", self.ms)
    }
}

impl std::fmt::Display for Timeout {
    /// The largest whole unit: `5s`, `250ms`, `2m`, `1h`, `0`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ms = self.ms;
        if ms == 0 {
            write!(f, "0")
        } else if ms.is_multiple_of(3_600_000) {
            write!(f, "{}h", ms / 3_600_000)
        } else if ms.is_multiple_of(60_000) {
            write!(f, "{}m", ms / 60_000)
        } else if ms.is_multiple_of(1000) {
            write!(f, "{}s", ms / 1000)
        } else {
            write!(f, "{ms}ms")
        }
    }
}

/// For clap: a timeout flag's value.
pub(crate) fn timeout_arg(s: &str) -> Result<Timeout, String> {
    Timeout::parse(s).ok_or_else(|| format!("not a duration PostgreSQL accepts: {DURATION_HELP}"))
}

/// The timeouts and waits of an apply (`apply`, `migrate apply`, `migrate down`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// `lock_timeout` for every statement.
    pub lock: Timeout,
    /// `statement_timeout` for statements in transactions (`None`: the server's setting).
    pub statement: Option<Timeout>,
    /// `statement_timeout` for online statements (`None`: no limit, whatever the server's).
    pub online_statement: Option<Timeout>,
    /// How long to wait for another strata on the same database.
    pub db_lock_wait: Timeout,
}

impl Default for Timeouts {
    fn default() -> Timeouts {
        Timeouts {
            lock: Timeout::from_secs(5),
            statement: None,
            online_statement: None,
            db_lock_wait: Timeout::from_secs(30),
        }
    }
}

/// Parses `500ms`, `5s`, `2m` (or `2min`), `1h`; a bare number is seconds.
pub(crate) fn parse_duration(s: &str) -> Option<Duration> {
    let s = s.trim();
    let (num, unit) = s
        .find(|c: char| !c.is_ascii_digit())
        .map(|i| s.split_at(i))
        .unwrap_or((s, "s"));
    let n: u64 = num.parse().ok()?;
    Some(match unit.trim() {
        "ms" => Duration::from_millis(n),
        "s" | "" => Duration::from_secs(n),
        "m" | "min" => Duration::from_secs(n.checked_mul(60)?),
        "h" => Duration::from_secs(n.checked_mul(3600)?),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("5s"), Some(Duration::from_secs(5)));
        assert_eq!(parse_duration("250ms"), Some(Duration::from_millis(250)));
        assert_eq!(parse_duration("2m"), Some(Duration::from_secs(120)));
        assert_eq!(parse_duration("2min"), Some(Duration::from_secs(120)));
        assert_eq!(parse_duration("10"), Some(Duration::from_secs(10)));
        assert_eq!(parse_duration("x"), None);
        assert_eq!(parse_duration(""), None);
    }

    #[test]
    fn timeouts_mean_the_same_everywhere() {
        let t = |s: &str| Timeout::parse(s).map(|t| (t.as_millis(), t.postgres(), t.to_string()));
        assert_eq!(
            t("5"),
            Some((5000, "5000ms".into(), "5s".into())),
            "bare: seconds"
        );
        assert_eq!(t("2m"), Some((120_000, "120000ms".into(), "2m".into())));
        assert_eq!(t("250ms"), Some((250, "250ms".into(), "250ms".into())));
        assert_eq!(t("1h"), Some((3_600_000, "3600000ms".into(), "1h".into())));
        assert_eq!(t("0"), Some((0, "0ms".into(), "0".into())));
        assert_eq!(t("90s").map(|x| x.2), Some("90s".into()));
        assert_eq!(t("2147483647ms").map(|x| x.0), Some(2_147_483_647));
        assert_eq!(t("2147483648ms"), None, "over PostgreSQL's limit");
        assert_eq!(t("999999999999h"), None);
        assert_eq!(t("5 s").map(|x| x.0), Some(5000));
        assert_eq!(t("soon"), None);
        assert!(timeout_arg("x").is_err());
    }
}
