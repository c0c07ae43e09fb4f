//! The migration directory: `<version>_<name>.sql` files applied in lexical order, optional
//! `<version>_<name>.down.sql` files that revert them, and the sum file.

use super::sql::SqlFile;
use super::sum::{SUM_FILE, SumError, SumFile, compute, file_checksum};
use miette::{Diagnostic, Result};
use std::cmp::Ordering;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// The migration directory could not be read or written.
#[derive(Debug, Error, Diagnostic)]
#[error("{message}")]
#[diagnostic(code(strata::migrate::dir))]
pub struct DirError {
    pub(crate) message: String,
    #[help]
    pub(crate) help: Option<String>,
}

fn io_error(what: String, e: std::io::Error) -> DirError {
    DirError {
        message: format!("{what}: {e}"),
        help: Some("check the migration directory (--dir or the env's migration { dir })".into()),
    }
}

/// One migration (an up file and maybe its down file).
#[derive(Debug, Clone)]
pub struct Migration {
    /// File name, e.g. `20240101120000_add_users.sql`.
    pub(crate) name: String,
    /// `20240101120000`.
    pub(crate) version: String,
    /// `add_users`.
    pub(crate) description: String,
    pub(crate) bytes: Vec<u8>,
    /// The down file's name and bytes.
    pub(crate) down: Option<(String, Vec<u8>)>,
}

impl Migration {
    /// The file as SQL text.
    pub fn sql(&self, dir: &Path) -> Result<SqlFile, DirError> {
        as_sql(dir, &self.name, &self.bytes)
    }

    /// The down file as SQL text.
    pub(crate) fn down_sql(&self, dir: &Path) -> Result<Option<SqlFile>, DirError> {
        self.down
            .as_ref()
            .map(|(n, b)| as_sql(dir, n, b))
            .transpose()
    }

    /// Base64 SHA-256 of the file: what the revisions table records.
    pub(crate) fn checksum(&self) -> String {
        file_checksum(&self.bytes)
    }
}

fn as_sql(dir: &Path, name: &str, bytes: &[u8]) -> Result<SqlFile, DirError> {
    let path = crate::hcl::display_path(&dir.join(name));
    match String::from_utf8(bytes.to_vec()) {
        Ok(text) => Ok(SqlFile::new(path, text)),
        Err(_) => Err(DirError {
            message: format!("{path} is not UTF-8 text"),
            help: Some("save migration files as UTF-8".into()),
        }),
    }
}

/// The migration directory, read into memory.
#[derive(Debug, Clone)]
pub struct Dir {
    pub(crate) path: PathBuf,
    /// Up files in order.
    pub migrations: Vec<Migration>,
    /// Every `.sql` file (up and down) in lexical order, for the sum file.
    pub(crate) files: Vec<(String, Vec<u8>)>,
}

/// Splits `20240101_add_users.sql` into version and description.
pub(crate) fn parse_name(name: &str) -> (String, String) {
    let stem = name.strip_suffix(".sql").unwrap_or(name);
    let stem = stem.strip_suffix(".down").unwrap_or(stem);
    match stem.split_once('_') {
        Some((v, d)) => (v.to_string(), d.to_string()),
        None => (stem.to_string(), String::new()),
    }
}

/// Orders versions: numerically when both are numbers, else as text.
pub(crate) fn compare_versions(a: &str, b: &str) -> Ordering {
    let numeric = |s: &str| !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit());
    if numeric(a) && numeric(b) {
        let (a, b) = (a.trim_start_matches('0'), b.trim_start_matches('0'));
        a.len().cmp(&b.len()).then_with(|| a.cmp(b))
    } else {
        a.cmp(b)
    }
}

impl Dir {
    /// Reads the directory; a missing directory is an empty one.
    pub fn open(path: &Path) -> Result<Dir, DirError> {
        let mut files: Vec<(String, Vec<u8>)> = Vec::new();
        if path.exists() {
            let entries = std::fs::read_dir(path)
                .map_err(|e| io_error(format!("cannot read {}", path.display()), e))?;
            for entry in entries {
                let entry =
                    entry.map_err(|e| io_error(format!("cannot read {}", path.display()), e))?;
                let p = entry.path();
                let Some(name) = p.file_name().and_then(|n| n.to_str()).map(str::to_string) else {
                    continue;
                };
                if !name.ends_with(".sql") || !p.is_file() {
                    continue;
                }
                let bytes = std::fs::read(&p)
                    .map_err(|e| io_error(format!("cannot read {}", p.display()), e))?;
                files.push((name, bytes));
            }
        }
        files.sort_by(|a, b| a.0.cmp(&b.0));
        let mut migrations: Vec<Migration> = files
            .iter()
            .filter(|(n, _)| !n.ends_with(".down.sql"))
            .map(|(name, bytes)| {
                let (version, description) = parse_name(name);
                Migration {
                    name: name.clone(),
                    version,
                    description,
                    bytes: bytes.clone(),
                    down: None,
                }
            })
            .collect();
        for (name, bytes) in files.iter().filter(|(n, _)| n.ends_with(".down.sql")) {
            let up = format!("{}.sql", name.trim_end_matches(".down.sql"));
            if let Some(m) = migrations.iter_mut().find(|m| m.name == up) {
                m.down = Some((name.clone(), bytes.clone()));
            }
        }
        migrations
            .sort_by(|a, b| compare_versions(&a.version, &b.version).then(a.name.cmp(&b.name)));
        for w in migrations.windows(2) {
            if w[0].version == w[1].version {
                return Err(DirError {
                    message: format!(
                        "{} and {} have the same version {}",
                        w[0].name, w[1].name, w[0].version
                    ),
                    help: Some(
                        "every migration needs its own version: rename one to a newer timestamp and run `strata migrate hash`"
                            .into(),
                    ),
                });
            }
        }
        Ok(Dir {
            path: path.to_path_buf(),
            migrations,
            files,
        })
    }

    /// The sum of the files as they are now.
    pub(crate) fn computed_sum(&self) -> SumFile {
        compute(&self.files)
    }

    /// Checks the sum file: a directory with files needs one that matches them.
    pub fn check_sum(&self) -> Result<(), SumError> {
        let path = self.path.join(SUM_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(SumError {
                    message: format!("cannot read {}: {e}", crate::hcl::display_path(&path)),
                    help: Some(
                        "restore it from version control, or run `strata migrate hash` to write it again"
                            .into(),
                    ),
                });
            }
            Err(_) if self.files.is_empty() => return Ok(()),
            Err(_) => {
                return Err(SumError {
                    message: format!(
                        "{} has migration files but no {SUM_FILE}",
                        crate::hcl::display_path(&self.path)
                    ),
                    help: Some("run `strata migrate hash` to write it".into()),
                });
            }
        };
        SumFile::parse(&text)?.check(&self.computed_sum())
    }

    /// Writes the sum file for the files as they are now.
    pub(crate) fn write_sum(&self) -> Result<(), DirError> {
        let path = self.path.join(SUM_FILE);
        std::fs::write(&path, self.computed_sum().render())
            .map_err(|e| io_error(format!("cannot write {}", path.display()), e))
    }

    /// A version for a new file: the current UTC time as `YYYYMMDDHHMMSS`, or one after the
    /// last version when that is not later.
    pub(crate) fn next_version(&self) -> String {
        let now = chrono::Utc::now().format("%Y%m%d%H%M%S").to_string();
        match self.migrations.last() {
            Some(last) if compare_versions(&now, &last.version) != Ordering::Greater => {
                match last.version.parse::<u64>() {
                    Ok(n) => (n + 1).to_string(),
                    Err(_) => now,
                }
            }
            _ => now,
        }
    }

    /// Writes a file into the directory (created if missing), then re-reads the directory and
    /// rewrites the sum file.
    pub(crate) fn add_files(&self, files: &[(String, String)]) -> Result<Dir, DirError> {
        std::fs::create_dir_all(&self.path)
            .map_err(|e| io_error(format!("cannot create {}", self.path.display()), e))?;
        for (name, text) in files {
            let p = self.path.join(name);
            std::fs::write(&p, text)
                .map_err(|e| io_error(format!("cannot write {}", p.display()), e))?;
        }
        let dir = Dir::open(&self.path)?;
        dir.write_sum()?;
        Ok(dir)
    }

    /// The migration with this version.
    pub(crate) fn find(&self, version: &str) -> Option<&Migration> {
        self.migrations.iter().find(|m| m.version == version)
    }
}

/// A valid file name part from a migration name: letters, digits and `_`.
pub(crate) fn sanitize_name(name: &str) -> String {
    let s: String = name
        .trim()
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { '_' })
        .collect();
    s.trim_matches('_').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_versions() {
        assert_eq!(
            parse_name("20240101120000_add_users.sql"),
            ("20240101120000".into(), "add_users".into())
        );
        assert_eq!(parse_name("2_x.down.sql"), ("2".into(), "x".into()));
        assert_eq!(compare_versions("9", "10"), Ordering::Less);
        assert_eq!(compare_versions("b", "a"), Ordering::Greater);
        assert_eq!(sanitize_name("add users!"), "add_users");
    }
}
