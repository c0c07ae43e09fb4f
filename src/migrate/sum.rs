//! `strata.sum`: Atlas's `atlas.sum` format. The first line is `h1:<sum of the directory>`, then
//! one line `<file> h1:<hash>` per file in lexical order. A file's hash is the running SHA-256
//! over the names and bytes of every file up to and including it (base64, standard alphabet), so
//! editing, adding, removing or reordering any file changes the sum.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use miette::Diagnostic;
use sha2::{Digest, Sha256};
use thiserror::Error;

/// Name of the sum file in the migration directory.
pub(crate) const SUM_FILE: &str = "strata.sum";

/// A parsed or computed sum file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SumFile {
    /// The directory's hash (without `h1:`).
    pub(crate) total: String,
    /// File name and its running hash (without `h1:`).
    pub(crate) entries: Vec<(String, String)>,
}

/// The migration directory does not match its sum file.
#[derive(Debug, Error, Diagnostic)]
#[error("{message}")]
#[diagnostic(code(strata::migrate::sum))]
pub struct SumError {
    pub(crate) message: String,
    #[help]
    pub(crate) help: Option<String>,
}

fn sum_error(message: String, help: &str) -> SumError {
    SumError {
        message,
        help: Some(help.to_string()),
    }
}

/// Base64 SHA-256 of a file's bytes: what the revisions table records per file.
pub(crate) fn file_checksum(bytes: &[u8]) -> String {
    STANDARD.encode(Sha256::digest(bytes))
}

/// Computes the sum of `files` (name, bytes), which must be in lexical order.
pub(crate) fn compute(files: &[(String, Vec<u8>)]) -> SumFile {
    let mut running = Sha256::new();
    let mut entries = Vec::with_capacity(files.len());
    for (name, bytes) in files {
        running.update(name.as_bytes());
        running.update(bytes);
        entries.push((name.clone(), STANDARD.encode(running.clone().finalize())));
    }
    SumFile {
        total: total(&entries),
        entries,
    }
}

fn total(entries: &[(String, String)]) -> String {
    let mut h = Sha256::new();
    for (name, hash) in entries {
        h.update(name.as_bytes());
        h.update(hash.as_bytes());
    }
    STANDARD.encode(h.finalize())
}

impl SumFile {
    /// The text of the sum file.
    pub(crate) fn render(&self) -> String {
        let mut out = format!("h1:{}\n", self.total);
        for (name, hash) in &self.entries {
            out.push_str(&format!("{name} h1:{hash}\n"));
        }
        out
    }

    /// Parses a sum file; a file whose first line does not match its entries is an error.
    pub(crate) fn parse(text: &str) -> Result<SumFile, SumError> {
        if text.lines().any(|l| {
            l.starts_with("<<<<<<<") || l.starts_with("=======") || l.starts_with(">>>>>>>")
        }) {
            return Err(sum_error(
                format!("{SUM_FILE} has merge conflict markers: two branches added migrations"),
                "keep the files the other branch added as they are, rename the files your branch added to versions after theirs (a newer timestamp), then run `strata migrate hash`; never merge the sum file by hand",
            ));
        }
        let mut lines = text.lines();
        let first = lines.next().unwrap_or("");
        let Some(sum) = first.strip_prefix("h1:") else {
            return Err(sum_error(
                format!("{SUM_FILE} is not a sum file: its first line must be h1:<hash>"),
                "run `strata migrate hash` to write it again",
            ));
        };
        let mut entries = Vec::new();
        for l in lines.filter(|l| !l.trim().is_empty()) {
            let Some((name, hash)) = l.rsplit_once(" h1:") else {
                return Err(sum_error(
                    format!("{SUM_FILE} has a malformed line: {l:?}"),
                    "run `strata migrate hash` to write it again",
                ));
            };
            entries.push((name.trim().to_string(), hash.trim().to_string()));
        }
        if total(&entries) != sum.trim() {
            return Err(sum_error(
                format!("{SUM_FILE} was edited: its first line does not match its entries"),
                "the sum file is written by strata; run `strata migrate hash` to write it again",
            ));
        }
        Ok(SumFile {
            total: sum.trim().to_string(),
            entries,
        })
    }

    /// Checks that `current` (computed from the directory) matches this stored sum, naming
    /// the first file that differs.
    pub(crate) fn check(&self, current: &SumFile) -> Result<(), SumError> {
        if self.total == current.total {
            return Ok(());
        }
        let stored_names: Vec<&str> = self.entries.iter().map(|(n, _)| n.as_str()).collect();
        let current_names: Vec<&str> = current.entries.iter().map(|(n, _)| n.as_str()).collect();
        let last = stored_names.last().copied();
        for (i, (name, hash)) in current.entries.iter().enumerate() {
            match self.entries.get(i) {
                Some((n, h)) if n == name => {
                    if h != hash {
                        return Err(sum_error(
                            format!(
                                "migration file {name} was edited after {SUM_FILE} was written"
                            ),
                            "a file that was applied anywhere must not change: revert the edit and write a new migration; if it was never applied, run `strata migrate hash`",
                        ));
                    }
                }
                _ if !stored_names.contains(&name.as_str()) => {
                    return Err(match last {
                        Some(last) if i < stored_names.len() => sum_error(
                            format!(
                                "migration file {name} is not in {SUM_FILE} and sorts before {last}, the last file there: it was probably added on another branch"
                            ),
                            "rename it to a version after the last migration (a newer timestamp, e.g. with `strata migrate new`), then run `strata migrate hash`",
                        ),
                        _ => sum_error(
                            format!("migration file {name} is not in {SUM_FILE}"),
                            "run `strata migrate hash` after adding or editing files by hand (`strata migrate diff` and `migrate new` do it for you)",
                        ),
                    });
                }
                _ => break,
            }
        }
        if let Some(missing) = stored_names.iter().find(|n| !current_names.contains(n)) {
            return Err(sum_error(
                format!("migration file {missing} is listed in {SUM_FILE} but missing"),
                "restore it; if removing it was intended and it was never applied anywhere, run `strata migrate hash`",
            ));
        }
        Err(sum_error(
            format!("the migration directory does not match {SUM_FILE}"),
            "run `strata migrate hash` if the changes are intended",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(list: &[(&str, &str)]) -> Vec<(String, Vec<u8>)> {
        list.iter()
            .map(|(n, b)| (n.to_string(), b.as_bytes().to_vec()))
            .collect()
    }

    #[test]
    fn chained_hash_round_trips() {
        let a = compute(&files(&[
            ("1_a.sql", "CREATE TABLE a();\n"),
            ("2_b.sql", "x"),
        ]));
        let text = a.render();
        assert!(text.starts_with("h1:"));
        assert_eq!(text.lines().count(), 3);
        assert!(text.lines().nth(1).unwrap().starts_with("1_a.sql h1:"));
        assert_eq!(a.entries[0].1.len(), 44);
        assert_eq!(SumFile::parse(&text).unwrap(), a);
        // Matches Atlas's algorithm: the first entry is sha256(name ‖ bytes).
        let mut h = Sha256::new();
        h.update(b"1_a.sql");
        h.update(b"CREATE TABLE a();\n");
        assert_eq!(a.entries[0].1, STANDARD.encode(h.finalize()));
    }

    #[test]
    fn names_what_changed() {
        let stored = compute(&files(&[("1_a.sql", "a"), ("3_c.sql", "c")]));
        let edited = compute(&files(&[("1_a.sql", "A"), ("3_c.sql", "c")]));
        let e = stored.check(&edited).unwrap_err();
        assert!(e.message.contains("1_a.sql was edited"), "{}", e.message);
        let added_end = compute(&files(&[
            ("1_a.sql", "a"),
            ("3_c.sql", "c"),
            ("4_d.sql", "d"),
        ]));
        let e = stored.check(&added_end).unwrap_err();
        assert!(e.message.contains("4_d.sql is not in"), "{}", e.message);
        let added_mid = compute(&files(&[
            ("1_a.sql", "a"),
            ("2_b.sql", "b"),
            ("3_c.sql", "c"),
        ]));
        let e = stored.check(&added_mid).unwrap_err();
        assert!(e.message.contains("another branch"), "{}", e.message);
        let removed = compute(&files(&[("1_a.sql", "a")]));
        let e = stored.check(&removed).unwrap_err();
        assert!(e.message.contains("3_c.sql is listed"), "{}", e.message);
        assert!(stored.check(&stored.clone()).is_ok());
        let conflict = format!(
            "<<<<<<< HEAD\n{}=======\n{}>>>>>>> other\n",
            stored.render(),
            added_end.render()
        );
        let e = SumFile::parse(&conflict).unwrap_err();
        assert!(e.message.contains("merge conflict"));
        let tampered = stored.render().replace("3_c.sql h1:", "3_c.sql h1:x");
        assert!(SumFile::parse(&tampered).is_err());
    }
}
