//! `strata fmt`: canonical layout for HCL files that keeps every comment. Two-space indents,
//! one attribute or block per line, `=` aligned within a run of consecutive attributes (as
//! `terraform fmt` does), at most one blank line between items, one-line blocks expanded.

use hcl::edit::structure::Body;
use hcl::edit::{Decor, Decorate, RawString, Span};

/// Whether a decor prefix ends with a blank line after its last comment (a header comment kept
/// apart from the item it precedes).
fn blank_after_comments(raw: Option<&RawString>) -> bool {
    let s: &str = raw.map(|r| &**r).unwrap_or("");
    let lines: Vec<&str> = s.split('\n').collect();
    let Some(last) = lines.iter().rposition(|l| !l.trim().is_empty()) else {
        return false;
    };
    lines.len() - (last + 1) >= 2
}

/// Comment lines in a decor prefix and whether a blank line preceded the item.
fn comments_of(raw: Option<&RawString>) -> (Vec<String>, bool) {
    let s: &str = raw.map(|r| &**r).unwrap_or("");
    let lines: Vec<&str> = s.split('\n').collect();
    let comments: Vec<String> = collect_comments(s);
    // A blank line: two newlines with only whitespace between, before the first comment.
    // The newline ending the previous item is not part of the decor: any newline before the
    // first comment is a blank line.
    let first_comment_line = lines
        .iter()
        .position(|l| !l.trim().is_empty())
        .unwrap_or(lines.len() - 1);
    let blank = first_comment_line >= 1;
    (comments, blank)
}

/// Splits decor text into comment lines; block comments keep their inner lines.
fn collect_comments(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_block = false;
    for line in s.split('\n') {
        let t = line.trim();
        if t.is_empty() && !in_block {
            continue;
        }
        if in_block {
            out.push(line.trim_end().to_string());
            if t.contains("*/") {
                in_block = false;
            }
            continue;
        }
        if t.starts_with("/*") && !t.contains("*/") {
            in_block = true;
        }
        out.push(t.to_string());
    }
    out
}

/// Whether a structure starts a new alignment run (blank line or comment before it).
fn breaks_run(raw: Option<&RawString>) -> bool {
    let (comments, blank) = comments_of(raw);
    blank || !comments.is_empty()
}

fn format_body(body: &mut Body, depth: usize, src: &str) {
    let ind = "  ".repeat(depth);
    body.set_prefer_oneline(false);
    // Alignment widths per run of attributes.
    let mut widths = vec![0usize; body.len()];
    let mut run_start = 0;
    let items: Vec<(bool, usize, bool)> = body
        .iter()
        .map(|s| {
            let is_attr = s.as_attribute().is_some();
            let klen = s
                .as_attribute()
                .map(|a| a.key.as_str().chars().count())
                .unwrap_or(0);
            (is_attr, klen, breaks_run(s.decor().prefix()))
        })
        .collect();
    for i in 0..=items.len() {
        let end_run = i == items.len() || !items[i].0 || (i > run_start && items[i].2);
        if end_run {
            let w = items[run_start..i].iter().map(|x| x.1).max().unwrap_or(0);
            for wi in widths.iter_mut().take(i).skip(run_start) {
                *wi = w;
            }
            run_start = if i < items.len() && items[i].0 {
                i
            } else {
                i + 1
            };
        }
    }
    for (i, mut s) in body.iter_mut().enumerate() {
        let (comments, blank) = comments_of(s.decor().prefix());
        let apart = !comments.is_empty() && blank_after_comments(s.decor().prefix());
        let suffix = s
            .decor()
            .suffix()
            .map(|r| r.trim().to_string())
            .unwrap_or_default();
        let mut pre = String::new();
        if blank && i > 0 {
            pre.push('\n');
        }
        for c in &comments {
            if c.starts_with(' ') || c.starts_with('*') {
                pre.push_str(c);
            } else {
                pre.push_str(&ind);
                pre.push_str(c);
            }
            pre.push('\n');
        }
        if apart {
            pre.push('\n');
        }
        pre.push_str(&ind);
        let suf = if suffix.is_empty() {
            String::new()
        } else {
            format!(" {suffix}")
        };
        *s.decor_mut() = Decor::new(pre, suf);
        if let Some(mut a) = s.as_attribute_mut() {
            let pad = widths[i].saturating_sub(a.get().key.as_str().chars().count());
            *a.key_decor_mut() = Decor::new("", " ".repeat(pad + 1));
            let v = a.value_mut();
            let vsuffix = v
                .decor()
                .suffix()
                .map(|r| r.trim().to_string())
                .unwrap_or_default();
            v.decor_mut().set_prefix(" ");
            v.decor_mut().set_suffix(if vsuffix.is_empty() {
                String::new()
            } else {
                format!(" {vsuffix}")
            });
        } else if let Some(b) = s.as_block_mut() {
            *b.ident.decor_mut() = Decor::new("", " ");
            for l in &mut b.labels {
                *l.decor_mut() = Decor::new("", " ");
            }
            let (head, _) = comments_of(b.body.decor().prefix());
            b.body.decor_mut().set_prefix(if head.is_empty() {
                String::new()
            } else {
                format!(" {}", head.join(" "))
            });
            // Comments after the last item live in the body's decor suffix: keep them.
            let (tail, tail_blank) = comments_of(b.body.decor().suffix());
            // An empty block written on one line stays `{}`, as terraform fmt leaves it.
            let one_line = b
                .span()
                .and_then(|r| src.get(r))
                .is_some_and(|text| !text.contains('\n'));
            if b.body.is_empty() && head.is_empty() && tail.is_empty() && one_line {
                b.body.decor_mut().set_suffix("");
                b.body.set_prefer_oneline(true);
                continue;
            }
            let inner = "  ".repeat(depth + 1);
            let mut close = String::new();
            if tail_blank && !tail.is_empty() && !b.body.is_empty() {
                close.push('\n');
            }
            for c in &tail {
                close.push_str(&inner);
                close.push_str(c);
                close.push('\n');
            }
            close.push_str(&ind);
            b.body.decor_mut().set_suffix(close);
            format_body(&mut b.body, depth + 1, src);
        }
    }
}

/// Formats a file. Parse errors are returned so the caller can point at them.
pub(crate) fn format(src: &str) -> Result<String, hcl::edit::parser::Error> {
    let mut body = hcl::edit::parser::parse_body(src)?;
    let (tail, _) = comments_of(body.decor().suffix());
    let (head, _) = comments_of(body.decor().prefix());
    let body_prefix: Option<RawString> = body.decor().prefix().cloned();
    *body.decor_mut() = Decor::new("", "");
    format_body(&mut body, 0, src);
    let mut out = String::new();
    let head_apart = !head.is_empty() && blank_after_comments(body_prefix.as_ref());
    for c in head {
        out.push_str(&c);
        out.push('\n');
    }
    if head_apart {
        out.push('\n');
    }
    out.push_str(&body.to_string());
    let mut out = out.trim_end().to_string();
    if !tail.is_empty() {
        out.push('\n');
        for c in tail {
            out.push_str(&c);
            out.push('\n');
        }
    }
    let mut out = out.trim_end().to_string();
    out.push('\n');
    if out.trim().is_empty() {
        return Ok(String::new());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_keeps_comments() {
        let input = "# header comment\ntable \"t\" {\n    schema=schema.public   # why\n  column \"id\" {\n  type = int\n      null=false\n  }\n  /* block comment */\n  index \"i\" { columns = [column.id] }\n}\n";
        let out = format(input).unwrap();
        let expected = "# header comment\ntable \"t\" {\n  schema = schema.public # why\n  column \"id\" {\n    type = int\n    null = false\n  }\n  /* block comment */\n  index \"i\" {\n    columns = [column.id]\n  }\n}\n";
        assert_eq!(out, expected);
        assert_eq!(format(&out).unwrap(), out, "idempotent");
    }

    #[test]
    fn aligns_runs_and_keeps_blank_lines() {
        let input = "schema \"public\" {\n}\n\n\n\ntable \"t\" {\n  schema = schema.public\n  comment = \"x\"\n\n  column \"a\" {\n    type = text\n    null = true\n  }\n  # trailing note\n}\n";
        let out = format(input).unwrap();
        let expected = "schema \"public\" {\n}\n\ntable \"t\" {\n  schema  = schema.public\n  comment = \"x\"\n\n  column \"a\" {\n    type = text\n    null = true\n  }\n  # trailing note\n}\n";
        assert_eq!(out, expected);
        assert_eq!(format(&out).unwrap(), out);
    }

    #[test]
    fn keeps_a_header_comment_apart_and_empty_blocks_on_one_line() {
        let input = "# Header.\n\nvariable \"x\" {\n  type = string\n}\n\n# About a.\nenv \"a\" {}\nschema \"s\" {\n}\n";
        let out = format(input).unwrap();
        assert_eq!(out, input);
        assert_eq!(
            format("# h\nschema \"s\" {}\n").unwrap(),
            "# h\nschema \"s\" {}\n"
        );
    }

    #[test]
    fn writer_output_is_already_formatted() {
        let text = "schema \"public\" {\n}\n\ntable \"users\" {\n  schema  = schema.public\n  comment = \"people\"\n  column \"id\" {\n    type = bigint\n    null = false\n    identity {\n      generated = ALWAYS\n    }\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\n";
        assert_eq!(format(text).unwrap(), text);
    }
}
