//! Diagnostics for HCL input: every error carries its file, a byte span and a message saying
//! what was expected, and renders through miette with the offending line underlined.

use miette::{Diagnostic, LabeledSpan, NamedSource, SourceSpan};
use std::ops::Range;
use std::sync::{Arc, OnceLock};
use thiserror::Error;

/// One source file, shared by every diagnostic that points into it.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub(crate) path: String,
    pub(crate) text: Arc<String>,
    /// Where the text that was parsed starts in `text` (a chunk of a large file); spans the
    /// parser reports are relative to it.
    pub(crate) offset: usize,
    /// Byte offsets where the text's lines start, computed at the first [`Self::line_col`]
    /// and shared by the file's copies: 20,000 lint findings in a 30 MB file once counted
    /// newlines from the start for each (four minutes).
    line_starts: Arc<OnceLock<Vec<usize>>>,
}

impl SourceFile {
    pub fn new(path: impl Into<String>, text: String) -> Self {
        SourceFile {
            path: path.into(),
            text: Arc::new(text),
            offset: 0,
            line_starts: Arc::default(),
        }
    }

    /// The same file, for a chunk of it starting at `offset`.
    pub(crate) fn with_offset(&self, offset: usize) -> Self {
        SourceFile {
            offset,
            ..self.clone()
        }
    }

    /// The file for miette, sharing the text: a thousand errors in a large file hold one copy.
    fn named(&self) -> NamedSource<SharedText> {
        NamedSource::new(self.path.clone(), SharedText(self.text.clone())).with_language("hcl")
    }

    /// 1-based line and column of a byte offset.
    pub(crate) fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let starts = self.line_starts.get_or_init(|| {
            std::iter::once(0)
                .chain(self.text.match_indices('\n').map(|(i, _)| i + 1))
                .collect()
        });
        // The number of lines starting at or before `offset` is its 1-based line.
        let line = starts.partition_point(|&start| start <= offset);
        let start = starts.get(line.wrapping_sub(1)).copied().unwrap_or(0);
        let col = self
            .text
            .get(start..offset)
            .map_or(offset - start, |l| l.chars().count())
            + 1;
        (line, col)
    }
}

/// A file's text shared between diagnostics.
#[derive(Debug, Clone)]
pub(crate) struct SharedText(Arc<String>);

impl miette::SourceCode for SharedText {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        self.0
            .as_str()
            .read_span(span, context_lines_before, context_lines_after)
    }
}

/// Longest line (in bytes) a diagnostic shows as a snippet; past it only file:line:column is
/// printed (the renderer cannot draw columns beyond 65,535, and such a line is unreadable).
const MAX_SNIPPET_LINE: usize = 10_000;

/// How many errors one run prints; the rest are counted.
pub(crate) const MAX_SHOWN_ERRORS: usize = 50;

/// A place in a source file.
#[derive(Debug, Clone)]
pub struct Location {
    pub(crate) file: SourceFile,
    pub(crate) span: Range<usize>,
}

impl Location {
    pub(crate) fn new(file: &SourceFile, span: Option<Range<usize>>) -> Self {
        let span = span.unwrap_or(0..0);
        Location {
            file: SourceFile {
                offset: 0,
                ..file.clone()
            },
            span: span.start + file.offset..span.end + file.offset,
        }
    }

    /// `path:line:column`.
    pub(crate) fn display(&self) -> String {
        let (l, c) = self.file.line_col(self.span.start);
        format!("{}:{}:{}", self.file.path, l, c)
    }
}

/// An error in an HCL file.
#[derive(Debug, Error)]
#[error("{message}")]
pub struct HclError {
    pub message: String,
    pub label: String,
    pub help: Option<String>,
    pub(crate) location: Location,
    /// Secondary places, e.g. the first definition of a duplicate.
    pub notes: Vec<(Location, String)>,
    src: NamedSource<SharedText>,
}

impl HclError {
    pub(crate) fn new(
        location: Location,
        message: impl Into<String>,
        label: impl Into<String>,
    ) -> Self {
        let src = location.file.named();
        HclError {
            message: message.into(),
            label: label.into(),
            help: None,
            location,
            notes: Vec::new(),
            src,
        }
    }

    pub(crate) fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub(crate) fn with_note(mut self, location: Location, label: impl Into<String>) -> Self {
        self.notes.push((location, label.into()));
        self
    }

    /// Can the offending line be shown? Not when it is extremely long.
    fn snippet(&self) -> bool {
        let text = self.location.file.text.as_str();
        let at = self.location.span.start.min(text.len());
        let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
        let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
        let spans_fit = self
            .notes
            .iter()
            .all(|(l, _)| l.span.end.saturating_sub(l.span.start) < MAX_SNIPPET_LINE);
        end - start < MAX_SNIPPET_LINE && spans_fit
    }
}

fn source_span(r: &Range<usize>) -> SourceSpan {
    (r.start, r.end.saturating_sub(r.start)).into()
}

impl Diagnostic for HclError {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new(self.location.display()))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn std::fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.snippet()
            .then_some(&self.src as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if !self.snippet() {
            return None;
        }
        let mut labels = vec![LabeledSpan::new_primary_with_span(
            Some(self.label.clone()),
            source_span(&self.location.span),
        )];
        for (loc, label) in &self.notes {
            if loc.file.path == self.location.file.path {
                labels.push(LabeledSpan::new_with_span(
                    Some(label.clone()),
                    source_span(&loc.span),
                ));
            }
        }
        Some(Box::new(labels.into_iter()))
    }
}

/// Every error found while loading a set of files.
#[derive(Debug, Error)]
#[error("{}", summary(.errors))]
pub struct HclErrors {
    pub errors: Vec<HclError>,
}

fn summary(errors: &[HclError]) -> String {
    match errors {
        [one] => one.message.clone(),
        many if many.len() > MAX_SHOWN_ERRORS => format!(
            "{} errors in the schema files; the first {MAX_SHOWN_ERRORS} are shown, and {} more",
            many.len(),
            many.len() - MAX_SHOWN_ERRORS
        ),
        many => format!("{} errors in the schema files", many.len()),
    }
}

impl Diagnostic for HclErrors {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        match self.errors.as_slice() {
            [one] => one.code(),
            _ => None,
        }
    }

    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        match self.errors.as_slice() {
            [one] => one.help(),
            _ => None,
        }
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        match self.errors.as_slice() {
            [one] => one.source_code(),
            _ => None,
        }
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        match self.errors.as_slice() {
            [one] => one.labels(),
            _ => None,
        }
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        if self.errors.len() < 2 {
            return None;
        }
        Some(Box::new(
            self.errors
                .iter()
                .take(MAX_SHOWN_ERRORS)
                .map(|e| e as &dyn Diagnostic),
        ))
    }
}

/// Collects errors while loading, so one run reports all of them.
#[derive(Debug, Default)]
pub(crate) struct Errors {
    pub(crate) list: Vec<HclError>,
}

impl Errors {
    pub(crate) fn push(&mut self, e: HclError) {
        self.list.push(e);
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    pub(crate) fn into_result<T>(self, value: T) -> Result<T, HclErrors> {
        if self.list.is_empty() {
            Ok(value)
        } else {
            Err(HclErrors { errors: self.list })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::SourceFile;

    #[test]
    fn line_col_counts_lines_and_characters() {
        let f = SourceFile::new("x.hcl", "ab\ncdé\n\nxy".to_string());
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(2), (1, 3), "the newline ends line 1");
        assert_eq!(f.line_col(3), (2, 1));
        assert_eq!(f.line_col(7), (2, 4), "é is one column of two bytes");
        assert_eq!(f.line_col(9), (4, 1), "after an empty line");
        assert_eq!(f.line_col(10), (4, 2));
        assert_eq!(f.line_col(1000), (4, 3), "past the end: the end");
        // A copy shares the index, and a chunk's offset does not change line numbers.
        assert_eq!(f.with_offset(3).line_col(3), (2, 1));
    }
}
