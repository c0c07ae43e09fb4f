//! HCL syntax errors, pointed where the mistake most likely is. The parser reports where it gave
//! up: for a block whose `}` is missing that is the end of the file, and for a string whose
//! closing `"` is missing it is somewhere on a later line. A light scan of the text (strings,
//! comments, heredocs and braces) finds the unterminated string or the unclosed block; the
//! parser's own position stays as a second label.

use super::diag::{HclError, Location, SourceFile};

/// The error for a parse failure of `text` (all of `file`, or the chunk of it at `file`'s
/// offset).
pub(crate) fn syntax_error(
    file: &SourceFile,
    text: &str,
    e: &hcl::edit::parser::Error,
) -> HclError {
    let offset = e.location().offset();
    let parser_span = Some(offset..offset + 1);
    // A missing `}` is only suspected when the parser wanted one or ran out of text: a file
    // indented oddly is not wrong.
    let wanted_brace = e.message().contains("`}`") || offset + 1 >= text.trim_end().len();
    let cause =
        likely_cause(text, offset).filter(|c| c.kind == Cause::UnterminatedString || wanted_brace);
    let Some(cause) = cause else {
        return HclError::new(
            Location::new(file, parser_span),
            format!("HCL syntax error: {}", e.message()),
            "here",
        )
        .with_help("check for a missing bracket, quote or `=` near this position");
    };
    let (message, label, help) = match cause.kind {
        Cause::UnterminatedString => (
            "HCL syntax error: unterminated string",
            "this string is not closed on its line",
            "add the closing `\"` (a quoted string cannot span lines; use a heredoc `<<EOT … EOT` for text on several lines)",
        ),
        Cause::UnclosedBlock => (
            "HCL syntax error: a block is not closed",
            "this `{` has no matching `}`",
            "add the missing `}` where the block ends (the next line at the block's indentation is outside it)",
        ),
    };
    HclError::new(
        Location::new(file, Some(cause.at..cause.at + 1)),
        message,
        label,
    )
    .with_note(
        Location::new(file, parser_span),
        format!("the parser stopped here: {}", e.message()),
    )
    .with_help(help)
}

#[derive(Debug, PartialEq)]
enum Cause {
    UnterminatedString,
    UnclosedBlock,
}

#[derive(Debug, PartialEq)]
struct Likely {
    kind: Cause,
    /// Byte offset in the parsed text.
    at: usize,
}

/// An open `{`: where, and the indentation of its line.
struct Open {
    at: usize,
    indent: usize,
}

/// Scans `text` for a string not closed on its line before the parser's position, or a block
/// left open (a later line at or left of its indentation that does not close it, or the end of
/// the file). `None` when nothing stands out: the parser's position is then the best guess.
fn likely_cause(text: &str, parser_at: usize) -> Option<Likely> {
    let mut stack: Vec<Open> = Vec::new();
    let mut heredoc: Option<String> = None;
    let mut in_comment = false;
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let start = line_start;
        line_start += line.len();
        let body = line.trim_end_matches(['\n', '\r']);
        if let Some(marker) = &heredoc {
            if body.trim() == marker {
                heredoc = None;
            }
            continue;
        }
        let indent = body.len() - body.trim_start().len();
        let first = body.trim_start().chars().next();
        // A line left of an open block's indentation that does not close it: the block was
        // left open (checked before this line's own braces).
        if !in_comment
            && let (Some(top), Some(c)) = (stack.last(), first)
            && c != '}'
            && c != '#'
            && !body.trim_start().starts_with("//")
            && indent <= top.indent
            && start > top.at
        {
            return Some(Likely {
                kind: Cause::UnclosedBlock,
                at: top.at,
            });
        }
        let scan = scan_line(body, start, &mut in_comment, &mut stack);
        match scan {
            LineEnd::OpenString(at) if at <= parser_at => {
                return Some(Likely {
                    kind: Cause::UnterminatedString,
                    at,
                });
            }
            LineEnd::OpenString(_) => return None,
            LineEnd::Heredoc(marker) => heredoc = Some(marker),
            LineEnd::Normal => {}
        }
    }
    stack.last().map(|o| Likely {
        kind: Cause::UnclosedBlock,
        at: o.at,
    })
}

enum LineEnd {
    Normal,
    /// A quoted string still open at the end of the line, opened at this offset.
    OpenString(usize),
    /// A heredoc starts: the lines up to its marker are text.
    Heredoc(String),
}

/// One line's strings, comments and braces.
fn scan_line(body: &str, start: usize, in_comment: &mut bool, stack: &mut Vec<Open>) -> LineEnd {
    let indent = body.len() - body.trim_start().len();
    let bytes = body.as_bytes();
    let mut string_at: Option<usize> = None;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let next = bytes.get(i + 1).copied();
        if *in_comment {
            if b == b'*' && next == Some(b'/') {
                *in_comment = false;
                i += 1;
            }
        } else if string_at.is_some() {
            match b {
                b'\\' => i += 1,
                b'"' => string_at = None,
                _ => {}
            }
        } else {
            match (b, next) {
                (b'"', _) => string_at = Some(start + i),
                (b'#', _) | (b'/', Some(b'/')) => break,
                (b'/', Some(b'*')) => {
                    *in_comment = true;
                    i += 1;
                }
                (b'<', Some(b'<')) => {
                    let marker = body[i + 2..].trim_start_matches('-').trim();
                    if !marker.is_empty() {
                        return LineEnd::Heredoc(marker.to_string());
                    }
                }
                (b'{', _) => stack.push(Open {
                    at: start + i,
                    indent,
                }),
                (b'}', _) => {
                    stack.pop();
                }
                _ => {}
            }
        }
        i += 1;
    }
    match string_at {
        Some(at) => LineEnd::OpenString(at),
        None => LineEnd::Normal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cause(text: &str) -> Option<(Cause, String)> {
        let e = hcl::edit::parser::parse_body(text).err()?;
        let c = likely_cause(text, e.location().offset())?;
        let line = text[..c.at].matches('\n').count() + 1;
        let col = c.at - text[..c.at].rfind('\n').map_or(0, |i| i + 1) + 1;
        Some((c.kind, format!("{line}:{col}")))
    }

    #[test]
    fn finds_the_unclosed_block() {
        let text = "table \"t\" {\n  column \"a\" {\n    type = int\n\n  column \"b\" {\n    type = int\n  }\n}\n";
        assert_eq!(cause(text), Some((Cause::UnclosedBlock, "2:14".into())));
        // Not closed at the end of the file.
        let text = "schema \"s\" {}\ntable \"t\" {\n  schema = schema.s\n";
        assert_eq!(cause(text), Some((Cause::UnclosedBlock, "2:11".into())));
    }

    #[test]
    fn finds_the_unterminated_string() {
        let text = "table \"t\" {\n  comment = \"oops\n  column \"a\" {\n    type = int\n  }\n}\n";
        assert_eq!(
            cause(text),
            Some((Cause::UnterminatedString, "2:13".into()))
        );
    }

    #[test]
    fn strings_comments_and_heredocs_do_not_confuse_it() {
        // Braces and quotes inside strings, comments and heredocs; the real mistake is a
        // missing `=`.
        let text = "# a { comment \" here\nview \"v\" {\n  /* { */ as = <<EOT\nSELECT '{' \"x\n  EOT\n  comment = \"a } b \\\" c\"\n  schema schema.s\n}\n";
        assert!(hcl::edit::parser::parse_body(text).is_err());
        assert_eq!(cause(text), None);
    }

    #[test]
    fn the_error_names_both_places() {
        let text = "table \"t\" {\n  comment = \"oops\n  column \"a\" {}\n}\n";
        let file = SourceFile::new("s.hcl", text.to_string());
        let Err(e) = hcl::edit::parser::parse_body(text) else {
            panic!("parses")
        };
        let err = syntax_error(&file, text, &e);
        assert_eq!(err.message, "HCL syntax error: unterminated string");
        assert_eq!(err.location.display(), "s.hcl:2:13");
        assert!(err.notes[0].1.starts_with("the parser stopped here"));
    }
}
