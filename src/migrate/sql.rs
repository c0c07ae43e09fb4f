//! SQL text: statement splitting with PostgreSQL's own scanner (`pg_query`), file directives
//! (`-- strata:txmode none`, `-- strata:nolint`), and diagnostics that point at the failing
//! statement's file, line and column.

use crate::postgres::connect::error_text;
use miette::{Diagnostic, LabeledSpan, NamedSource, SourceSpan};
use std::sync::Arc;
use thiserror::Error;
use tokio_postgres::GenericClient;
use tokio_postgres::error::ErrorPosition;

/// An SQL text with the name it is shown under (a path, or a program's output).
#[derive(Debug, Clone)]
pub struct SqlFile {
    pub(crate) name: String,
    pub(crate) text: Arc<String>,
}

impl SqlFile {
    pub(crate) fn new(name: impl Into<String>, text: String) -> SqlFile {
        SqlFile {
            name: name.into(),
            text: Arc::new(text),
        }
    }

    /// 1-based line and column of a byte offset.
    pub(crate) fn line_col(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        (line, col)
    }

    /// Splits the text into statements.
    pub fn statements(&self) -> Result<Vec<Statement>, SqlError> {
        if let Some((offset, mode)) = unknown_txmode(&self.text) {
            return Err(SqlError::at(
                self,
                offset..offset + mode.len(),
                format!("{}: unknown transaction mode `{mode}`", self.name),
                "unknown txmode",
                Some("use `-- strata:txmode none` (run without a transaction) or remove the line (one transaction per file)".into()),
            ));
        }
        split(&self.text).map_err(|(offset, message)| {
            SqlError::at(
                self,
                offset..offset,
                format!("cannot split {} into statements: {message}", self.name),
                "here",
                None,
            )
        })
    }

    /// The directives in the file's leading comment lines.
    pub fn directives(&self) -> Directives {
        directives(&self.text)
    }
}

/// One statement of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// The statement without leading comments and the trailing semicolon.
    pub(crate) text: String,
    /// Byte offset of the statement in its file.
    pub(crate) offset: usize,
    /// The comments right before the statement (where `-- strata:nolint` goes).
    pub(crate) comments: String,
}

/// Splits SQL into statements; an error carries a byte offset and a message.
pub(crate) fn split(text: &str) -> Result<Vec<Statement>, (usize, String)> {
    if let Some(nul) = text.find('\0') {
        return Err((nul, "the text contains a NUL byte".into()));
    }
    let parts = pg_query::split_with_scanner(text).map_err(|e| (0, e.to_string()))?;
    let base = text.as_ptr() as usize;
    let mut out = Vec::new();
    let mut prev_end = 0;
    for part in parts {
        let start = (part.as_ptr() as usize).saturating_sub(base);
        let (skipped, body) = leading_comments(part);
        let body_trimmed = body.trim_end().trim_end_matches(';').trim_end();
        let gap_start = prev_end.min(start);
        prev_end = start + part.len();
        if body_trimmed.is_empty() {
            continue;
        }
        let offset = start + skipped;
        out.push(Statement {
            text: body_trimmed.to_string(),
            offset,
            comments: text.get(gap_start..offset).unwrap_or("").to_string(),
        });
    }
    Ok(out)
}

/// Length of the whitespace and comments at the start of `s`, and the rest.
fn leading_comments(s: &str) -> (usize, &str) {
    let mut rest = s;
    loop {
        let trimmed = rest.trim_start();
        if let Some(after) = trimmed.strip_prefix("--") {
            rest = after.find('\n').map_or("", |i| &after[i + 1..]);
        } else if let Some(after) = trimmed.strip_prefix("/*") {
            rest = after.find("*/").map_or("", |i| &after[i + 2..]);
        } else {
            rest = trimmed;
            break;
        }
    }
    (s.len() - rest.len(), rest)
}

/// Directives of a migration file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Directives {
    /// `-- strata:txmode none`: the file runs outside a transaction.
    pub(crate) txmode_none: bool,
    /// `-- strata:nolint [CODE…]` in the file header (followed by a blank line): lint codes
    /// silenced for the whole file; empty means all.
    pub(crate) nolint: Option<Vec<String>>,
}

/// A `-- strata:txmode X` header line whose X is not `none`: its offset and X.
fn unknown_txmode(text: &str) -> Option<(usize, String)> {
    let mut offset = 0;
    for l in text.split_inclusive('\n') {
        let trimmed = l.trim_start();
        if !trimmed.starts_with("--") {
            break;
        }
        let body = trimmed.trim_start_matches('-').trim();
        if let Some(mode) = body.strip_prefix("strata:txmode") {
            let mode = mode.trim();
            if !mode.eq_ignore_ascii_case("none") {
                let at = offset + l.find(mode).unwrap_or(0);
                return Some((at, mode.to_string()));
            }
        }
        offset += l.len();
    }
    None
}

fn directives(text: &str) -> Directives {
    let mut d = Directives::default();
    let lines: Vec<&str> = text.lines().collect();
    let header = lines
        .iter()
        .take_while(|l| l.trim_start().starts_with("--"))
        .count();
    let file_level = lines.get(header).is_none_or(|l| l.trim().is_empty());
    for l in &lines[..header] {
        let body = l.trim_start().trim_start_matches('-').trim();
        if let Some(mode) = body.strip_prefix("strata:txmode") {
            d.txmode_none = mode.trim().eq_ignore_ascii_case("none");
        }
    }
    if file_level {
        d.nolint = nolint(&lines[..header].join("\n"));
    }
    d
}

/// The codes a `strata:nolint` comment in `comments` names (empty: all), if there is one.
pub(crate) fn nolint(comments: &str) -> Option<Vec<String>> {
    let i = comments.find("strata:nolint")?;
    let rest = &comments[i + "strata:nolint".len()..];
    let line = rest.lines().next().unwrap_or("");
    let line = line.split("*/").next().unwrap_or("");
    Some(
        line.split(|c: char| c.is_whitespace() || c == ',')
            .filter(|w| !w.is_empty())
            .map(|w| w.to_ascii_uppercase())
            .collect(),
    )
}

/// An SQL statement failed, or a file could not be read as SQL.
#[derive(Debug, Error)]
#[error("{message}")]
pub struct SqlError {
    pub(crate) message: String,
    /// `file:line:column`.
    pub(crate) location: String,
    pub(crate) help: Option<String>,
    pub(crate) label: String,
    src: Box<NamedSource<String>>,
    span: SourceSpan,
}

impl SqlError {
    /// An error at a byte range of `file`.
    pub(crate) fn at(
        file: &SqlFile,
        span: std::ops::Range<usize>,
        message: impl Into<String>,
        label: impl Into<String>,
        help: Option<String>,
    ) -> SqlError {
        let (l, c) = file.line_col(span.start);
        SqlError {
            message: message.into(),
            location: format!("{}:{l}:{c}", file.name),
            help,
            label: label.into(),
            src: Box::new(
                NamedSource::new(file.name.clone(), file.text.as_ref().clone())
                    .with_language("sql"),
            ),
            span: (span.start, span.end.saturating_sub(span.start)).into(),
        }
    }

    /// PostgreSQL rejected `stmt` of `file`: points at PostgreSQL's error position when it
    /// gives one, else at the statement.
    pub(crate) fn from_postgres(
        file: &SqlFile,
        stmt: &Statement,
        e: &tokio_postgres::Error,
        context: &str,
    ) -> SqlError {
        let pos = e.as_db_error().and_then(|d| match d.position() {
            Some(ErrorPosition::Original(p)) => Some(*p as usize),
            _ => None,
        });
        let span = match pos {
            Some(p) => {
                let byte = stmt
                    .text
                    .char_indices()
                    .nth(p.saturating_sub(1))
                    .map_or(stmt.text.len(), |(i, _)| i);
                let start = stmt.offset + byte;
                start..start + 1
            }
            None => stmt.offset..stmt.offset + stmt.text.len(),
        };
        let (l, c) = file.line_col(span.start);
        let mut err = SqlError::at(
            file,
            span,
            format!("{context}: {}", error_text(e)),
            "PostgreSQL's error is here",
            Some(format!(
                "the failing statement ({}:{l}:{c}):\n{}",
                file.name, stmt.text
            )),
        );
        if pos.is_none() {
            err.label = "in this statement".into();
        }
        err
    }

    pub(crate) fn with_help(mut self, help: impl Into<String>) -> SqlError {
        let extra = help.into();
        self.help = Some(match self.help.take() {
            Some(h) => format!("{h}\n{extra}"),
            None => extra,
        });
        self
    }
}

impl Diagnostic for SqlError {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new(&self.location))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn std::fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(self.src.as_ref())
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(std::iter::once(
            LabeledSpan::new_primary_with_span(Some(self.label.clone()), self.span),
        )))
    }
}

/// Runs every statement of `file` on `client`, each on its own (autocommit unless the caller
/// opened a transaction). Stops at the first failure.
pub(crate) async fn run_file<C: GenericClient + Sync>(
    client: &C,
    file: &SqlFile,
    context: &str,
) -> Result<usize, SqlError> {
    let stmts = file.statements()?;
    for st in &stmts {
        client
            .batch_execute(&st.text)
            .await
            .map_err(|e| SqlError::from_postgres(file, st, &e, context))?;
    }
    Ok(stmts.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_with_offsets_and_comments() {
        let text = "-- strata:txmode none\n\nCREATE TABLE a (id int);\n-- strata:nolint PG101\nCREATE INDEX CONCURRENTLY i ON a (id);\nCREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN 1; END $$;\n-- trailing\n";
        let st = split(text).unwrap();
        assert_eq!(st.len(), 3);
        assert_eq!(st[0].text, "CREATE TABLE a (id int)");
        assert_eq!(&text[st[0].offset..st[0].offset + 6], "CREATE");
        assert!(st[1].text.starts_with("CREATE INDEX CONCURRENTLY"));
        assert_eq!(nolint(&st[1].comments), Some(vec!["PG101".to_string()]));
        assert_eq!(nolint(&st[0].comments), None);
        assert!(st[2].text.ends_with("END $$"));
        let d = directives(text);
        assert!(d.txmode_none);
        assert_eq!(d.nolint, None);
        let d = directives("-- strata:nolint\n\nDROP TABLE a;\n");
        assert_eq!(d.nolint, Some(vec![]));
        let d = directives("-- strata:nolint DS102, ds103\nDROP TABLE a;\n");
        assert_eq!(
            d.nolint, None,
            "directly above a statement: statement level"
        );
        let f = SqlFile::new("x.sql", "a\nbc\n".into());
        assert_eq!(f.line_col(3), (2, 2));
    }
}
