//! Row-level security policies.

use super::*;

pub(super) fn roles(p: &Policy) -> String {
    p.roles
        .iter()
        .map(|r| {
            if r == "public" {
                "PUBLIC".to_string()
            } else {
                ident(r)
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) fn create_policy(on: &QualifiedName, p: &Policy) -> Vec<String> {
    let mut s = format!("CREATE POLICY {} ON {}", ident(&p.name), qualified(on));
    if !p.permissive {
        s.push_str(" AS RESTRICTIVE");
    }
    if p.command != "ALL" {
        s.push_str(&format!(" FOR {}", p.command));
    }
    s.push_str(&format!(" TO {}", roles(p)));
    if let Some(u) = &p.using {
        s.push_str(&format!(" USING ({u})"));
    }
    if let Some(c) = &p.check {
        s.push_str(&format!(" WITH CHECK ({c})"));
    }
    let mut out = vec![s];
    if p.comment.is_some() {
        out.push(format!(
            "COMMENT ON POLICY {} ON {} IS {}",
            ident(&p.name),
            qualified(on),
            comment(&p.comment)
        ));
    }
    out
}

pub(crate) fn alter_policy(on: &QualifiedName, from: &Policy, to: &Policy) -> Vec<String> {
    let mut out = Vec::new();
    let mut s = format!("ALTER POLICY {} ON {}", ident(&to.name), qualified(on));
    let mut changed = false;
    if from.roles != to.roles {
        s.push_str(&format!(" TO {}", roles(to)));
        changed = true;
    }
    if from.using != to.using {
        s.push_str(&format!(
            " USING ({})",
            to.using.as_deref().unwrap_or("true")
        ));
        changed = true;
    }
    if from.check != to.check {
        s.push_str(&format!(
            " WITH CHECK ({})",
            to.check.as_deref().unwrap_or("true")
        ));
        changed = true;
    }
    if changed {
        out.push(s);
    }
    if from.comment != to.comment {
        out.push(format!(
            "COMMENT ON POLICY {} ON {} IS {}",
            ident(&to.name),
            qualified(on),
            comment(&to.comment)
        ));
    }
    out
}

pub(crate) fn drop_policy(on: &QualifiedName, p: &Policy) -> String {
    format!("DROP POLICY {} ON {}", ident(&p.name), qualified(on))
}

pub(crate) fn row_security(
    q: &QualifiedName,
    enabled: bool,
    forced: bool,
    was_enabled: bool,
    was_forced: bool,
) -> Vec<String> {
    let mut clauses = Vec::new();
    if enabled != was_enabled {
        clauses.push(
            if enabled {
                "ENABLE ROW LEVEL SECURITY"
            } else {
                "DISABLE ROW LEVEL SECURITY"
            }
            .to_string(),
        );
    }
    if forced != was_forced {
        clauses.push(
            if forced {
                "FORCE ROW LEVEL SECURITY"
            } else {
                "NO FORCE ROW LEVEL SECURITY"
            }
            .to_string(),
        );
    }
    if clauses.is_empty() {
        vec![]
    } else {
        vec![format!(
            "ALTER TABLE {} {}",
            qualified(q),
            clauses.join(", ")
        )]
    }
}
