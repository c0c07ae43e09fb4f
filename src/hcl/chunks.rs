//! Splitting an HCL file into its top-level items without parsing it, so large schema files can
//! be parsed one block at a time (hcl-edit's lossless tree takes about 40 bytes of memory per
//! byte of source). Strings, templates, heredocs and comments are skipped correctly; if the text
//! does not split cleanly the caller parses the whole file instead.

use std::ops::Range;

/// Byte ranges of the top-level items of `text`, or `None` when braces do not balance.
pub(crate) fn split(text: &str) -> Option<Vec<Range<usize>>> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let n = b.len();
    while i < n {
        // Skip whitespace and comments between items.
        match b[i] {
            b' ' | b'\t' | b'\r' | b'\n' => {
                i += 1;
                continue;
            }
            b'#' => {
                i = line_end(b, i);
                continue;
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                i = line_end(b, i);
                continue;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i = block_comment_end(b, i)?;
                continue;
            }
            _ => {}
        }
        let start = i;
        let mut depth = 0usize;
        let mut seen_brace = false;
        while i < n {
            match b[i] {
                b'"' => i = string_end(b, i)?,
                b'#' => i = line_end(b, i),
                b'/' if b.get(i + 1) == Some(&b'/') => i = line_end(b, i),
                b'/' if b.get(i + 1) == Some(&b'*') => i = block_comment_end(b, i)?,
                b'<' if b.get(i + 1) == Some(&b'<') => i = heredoc_end(b, i)?,
                b'{' => {
                    depth += 1;
                    seen_brace = true;
                    i += 1;
                }
                b'}' => {
                    depth = depth.checked_sub(1)?;
                    i += 1;
                    if depth == 0 && seen_brace {
                        break;
                    }
                }
                b'\n' if depth == 0 && !seen_brace => {
                    // A top-level attribute line.
                    if text[start..i].contains('=') {
                        break;
                    }
                    i += 1;
                }
                _ => i += 1,
            }
        }
        if depth != 0 {
            return None;
        }
        out.push(start..i);
    }
    Some(out)
}

fn line_end(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && b[i] != b'\n' {
        i += 1;
    }
    i
}

fn block_comment_end(b: &[u8], i: usize) -> Option<usize> {
    let mut j = i + 2;
    while j + 1 < b.len() {
        if b[j] == b'*' && b[j + 1] == b'/' {
            return Some(j + 2);
        }
        j += 1;
    }
    None
}

/// End of a quoted string starting at `i` (which is `"`), templates included.
fn string_end(b: &[u8], i: usize) -> Option<usize> {
    let mut j = i + 1;
    while j < b.len() {
        match b[j] {
            b'\\' => j += 2,
            b'"' => return Some(j + 1),
            b'$' | b'%' if b.get(j + 1) == Some(&b'{') => {
                if j > 0 && b[j - 1] == b[j] {
                    // `$${` is an escaped literal.
                    j += 2;
                    continue;
                }
                j = template_end(b, j + 2)?;
            }
            _ => j += 1,
        }
    }
    None
}

/// End of a `${ … }` template whose body starts at `i`.
fn template_end(b: &[u8], i: usize) -> Option<usize> {
    let mut depth = 1;
    let mut j = i;
    while j < b.len() {
        match b[j] {
            b'"' => j = string_end(b, j)?,
            b'{' => {
                depth += 1;
                j += 1;
            }
            b'}' => {
                depth -= 1;
                j += 1;
                if depth == 0 {
                    return Some(j);
                }
            }
            _ => j += 1,
        }
    }
    None
}

/// End of a heredoc `<<ID` / `<<-ID` starting at `i`; `i + 2` if it is not one.
fn heredoc_end(b: &[u8], i: usize) -> Option<usize> {
    let mut j = i + 2;
    if b.get(j) == Some(&b'-') {
        j += 1;
    }
    let id_start = j;
    while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_') {
        j += 1;
    }
    if j == id_start || b.get(j) != Some(&b'\n') && b.get(j) != Some(&b'\r') {
        return Some(i + 2);
    }
    let id = &b[id_start..j];
    // Lines until one that is the identifier alone.
    loop {
        let line_start = line_end(b, j) + 1;
        if line_start > b.len() {
            return None;
        }
        let end = line_end(b, line_start);
        let line = &b[line_start..end];
        let trimmed: &[u8] = {
            let s = line
                .iter()
                .position(|c| !c.is_ascii_whitespace())
                .unwrap_or(line.len());
            let e = line
                .iter()
                .rposition(|c| !c.is_ascii_whitespace())
                .map(|p| p + 1)
                .unwrap_or(s);
            &line[s..e.max(s)]
        };
        if trimmed == id {
            return Some(end);
        }
        if end >= b.len() {
            return None;
        }
        j = end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces(text: &str) -> Vec<&str> {
        split(text).unwrap().into_iter().map(|r| &text[r]).collect()
    }

    #[test]
    fn splits_blocks_with_tricky_contents() {
        let text = "# head\nschema \"public\" {}\n\ntable \"t\" {\n  x = \"}{\\\"\"\n  y = \"${lower(\"}\")}\"\n  // }\n  /* { */\n  z = <<SQL\n}\nSQL\n}\nenum \"e\" { values = [\"a\"] }\n";
        let p = pieces(text);
        assert_eq!(p.len(), 3, "{p:#?}");
        assert!(p[0].starts_with("schema"));
        assert!(p[1].starts_with("table") && p[1].ends_with('}'));
        assert!(p[2].starts_with("enum"));
    }

    #[test]
    fn unbalanced_is_none() {
        assert!(split("table \"t\" {\n").is_none());
        assert!(split("}").is_none());
    }
}
