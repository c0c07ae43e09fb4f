//! The one identifier lexer: splits a possibly qualified, possibly quoted name into its parts the
//! way PostgreSQL's scanner does.
//!
//! - An unquoted part starts with a letter (any non-ASCII character counts as one) or `_` and
//!   continues with those, digits and `$`; it folds to lower case, ASCII letters only, as
//!   PostgreSQL's `downcase_identifier` does under a multi-byte encoding (`Äpfel` stays `Äpfel`,
//!   `ÄPFEL` becomes `Äpfel`).
//! - A quoted part (`"My ""odd"" name"`) keeps its case and everything in it, dots and spaces
//!   included; a doubled `""` stands for one `"`. An empty `""` is an error, as in PostgreSQL.
//! - Parts are separated by dots; whitespace around parts and dots is allowed.
//!
//! Unlike PostgreSQL, names are not truncated to 63 bytes, and `U&"…"` identifiers are not
//! accepted (the text is not an identifier for this lexer).

/// The parts of `text` (`schema.name`, `"Schema"."Name"`, `name`), unquoted and folded; `None`
/// when `text` is not a dot-separated list of identifiers.
pub(crate) fn split(text: &str) -> Option<Vec<String>> {
    let mut parts = Vec::new();
    let mut chars = text.chars().peekable();
    loop {
        skip_space(&mut chars);
        let part = match chars.next()? {
            '"' => quoted(&mut chars)?,
            c if is_start(c) => {
                let mut part = String::new();
                part.push(c);
                while let Some(&c) = chars.peek() {
                    if !is_continue(c) {
                        break;
                    }
                    part.push(c);
                    chars.next();
                }
                fold(&part)
            }
            _ => return None,
        };
        parts.push(part);
        skip_space(&mut chars);
        match chars.next() {
            None => return Some(parts),
            Some('.') => {}
            Some(_) => return None,
        }
    }
}

/// Exactly one identifier (`"Name"` → `Name`, `Name` → `name`); `None` for a qualified name or
/// anything that is not an identifier.
pub(crate) fn parse(text: &str) -> Option<String> {
    let mut parts = split(text)?;
    match parts.len() {
        1 => parts.pop(),
        _ => None,
    }
}

/// Folds an unquoted identifier to lower case like PostgreSQL: ASCII letters only.
pub(crate) fn fold(word: &str) -> String {
    word.to_ascii_lowercase()
}

/// `ident_start`: `[A-Za-z\200-\377_]`.
fn is_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_' || !c.is_ascii()
}

/// `ident_cont`: `[A-Za-z\200-\377_0-9\$]`.
fn is_continue(c: char) -> bool {
    is_start(c) || c.is_ascii_digit() || c == '$'
}

/// PostgreSQL's `space`: `[ \t\n\r\f\v]`.
fn skip_space(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while chars
        .peek()
        .is_some_and(|c| matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0c' | '\x0b'))
    {
        chars.next();
    }
}

/// The rest of a quoted identifier after its opening `"`.
fn quoted(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Option<String> {
    let mut part = String::new();
    loop {
        match chars.next()? {
            '"' if chars.peek() == Some(&'"') => {
                chars.next();
                part.push('"');
            }
            '"' => break,
            c => part.push(c),
        }
    }
    (!part.is_empty()).then_some(part)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(text: &str) -> Option<Vec<String>> {
        split(text)
    }

    fn names(names: &[&str]) -> Option<Vec<String>> {
        Some(names.iter().map(|n| n.to_string()).collect())
    }

    #[test]
    fn unquoted_parts_fold_to_lower_case() {
        assert_eq!(parts("users"), names(&["users"]));
        assert_eq!(parts("Users"), names(&["users"]));
        assert_eq!(parts("Public.Users"), names(&["public", "users"]));
        assert_eq!(parts("a.b.c"), names(&["a", "b", "c"]));
        assert_eq!(parts("_x1$"), names(&["_x1$"]));
    }

    #[test]
    fn quoted_parts_keep_case_and_undouble_quotes() {
        assert_eq!(parts("\"Users\""), names(&["Users"]));
        assert_eq!(
            parts("\"My \"\"odd\"\" name\""),
            names(&["My \"odd\" name"])
        );
        assert_eq!(parts("\"\"\"\""), names(&["\""]));
        assert_eq!(parts("\"Sales\".Orders"), names(&["Sales", "orders"]));
        assert_eq!(parts("sales.\"Orders\""), names(&["sales", "Orders"]));
    }

    #[test]
    fn dots_and_spaces_inside_quotes_belong_to_the_name() {
        assert_eq!(parts("\"a.b\""), names(&["a.b"]));
        assert_eq!(parts("\"a.b\".\"c d\""), names(&["a.b", "c d"]));
        assert_eq!(parts("\" x \""), names(&[" x "]));
    }

    #[test]
    fn whitespace_around_parts_and_dots_is_allowed() {
        assert_eq!(parts("  public . users  "), names(&["public", "users"]));
        assert_eq!(parts("\tpublic\n.\"T\""), names(&["public", "T"]));
    }

    #[test]
    fn only_ascii_letters_fold() {
        // PostgreSQL under UTF-8 folds A-Z only: `Äpfel` stays, `ÄPFEL` becomes `Äpfel`.
        assert_eq!(parts("Äpfel"), names(&["Äpfel"]));
        assert_eq!(parts("ÄPFEL"), names(&["Äpfel"]));
        assert_eq!(parts("ÉCOLE.Straße"), names(&["École", "straße"]));
        assert_eq!(parts("名前"), names(&["名前"]));
        assert_eq!(fold("İSTANBUL"), "İstanbul");
    }

    #[test]
    fn not_identifiers() {
        for text in [
            "",
            " ",
            ".",
            "a.",
            ".a",
            "a..b",
            "1abc",
            "$a",
            "a b",
            "a-b",
            "\"\"",
            "\"open",
            "\"a\"b",
            "a(1)",
            "numeric(10,2)",
            "a.\"\"",
            "U&\"x\"",
            "a;",
            "*",
        ] {
            assert_eq!(split(text), None, "{text:?}");
        }
    }

    #[test]
    fn parse_takes_exactly_one_part() {
        assert_eq!(parse("\"Mood\""), Some("Mood".to_string()));
        assert_eq!(parse(" mood "), Some("mood".to_string()));
        assert_eq!(parse("public.mood"), None);
        assert_eq!(parse("my type"), None);
    }
}
