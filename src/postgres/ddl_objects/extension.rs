//! Extensions.

use super::*;

pub(crate) fn create_extension(e: &Extension) -> String {
    let mut s = format!("CREATE EXTENSION IF NOT EXISTS {}", ident(&e.name));
    if let Some(sc) = &e.schema {
        s.push_str(&format!(" WITH SCHEMA {}", ident(sc)));
    }
    if let Some(v) = &e.version {
        s.push_str(&format!(" VERSION {}", literal(v)));
    }
    s
}

pub(crate) fn drop_extension(name: &str) -> String {
    format!("DROP EXTENSION {}", ident(name))
}

pub(crate) fn alter_extension(from: &Extension, to: &Extension) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(v) = &to.version
        && Some(v) != from.version.as_ref()
    {
        out.push(format!(
            "ALTER EXTENSION {} UPDATE TO {}",
            ident(&to.name),
            literal(v)
        ));
    }
    if let Some(s) = &to.schema
        && Some(s) != from.schema.as_ref()
    {
        out.push(format!(
            "ALTER EXTENSION {} SET SCHEMA {}",
            ident(&to.name),
            ident(s)
        ));
    }
    out
}
