//! Pins today's plans for every object kind, without a database: the human plan (no color),
//! the SQL script and the JSON plan for creating `tests/fixtures/everything.hcl`, dropping it,
//! and one change per kind (the transitions of `tests/destructive.rs`). A change to any of
//! them is a change of what reviewers read: accept it with `cargo insta review` (or
//! `INSTA_UPDATE=always`) and say why in the commit.

#[path = "common/transitions.rs"]
mod transitions;

use strata::render::{self, Painter};

/// `drop a column` → `drop_a_column`.
fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_matches('_').to_string()
}

/// The JSON plan without what changes from run to run (the time it was made) or release to
/// release (the version that made it).
fn json(plan: &strata::plan::Plan) -> String {
    let mut doc: serde_json::Value =
        serde_json::from_str(&render::json(plan)).expect("the JSON plan parses");
    for key in ["created_at", "strata_version"] {
        assert!(doc.get(key).is_some(), "the JSON plan has {key}");
        doc[key] = serde_json::Value::String(format!("[{key}]"));
    }
    serde_json::to_string_pretty(&doc).expect("JSON")
}

#[test]
fn plans_of_every_kind() {
    let all = transitions::transitions();
    assert!(all.len() >= 16, "{} transitions", all.len());
    for (name, plan) in all {
        let slug = slug(&name);
        insta::with_settings!({ description => name.clone(), omit_expression => true }, {
            insta::assert_snapshot!(
                format!("{slug}__human"),
                render::human::plan(&plan, &Painter::new(false))
            );
            insta::assert_snapshot!(format!("{slug}__sql"), render::sql(&plan));
            insta::assert_snapshot!(format!("{slug}__json"), json(&plan));
        });
    }
}

#[test]
fn plans_are_deterministic() {
    let render_all = || -> Vec<(String, String)> {
        transitions::transitions()
            .into_iter()
            .map(|(name, p)| {
                let text = format!(
                    "{}\n{}\n{}",
                    render::human::plan(&p, &Painter::new(false)),
                    render::sql(&p),
                    json(&p)
                );
                (name, text)
            })
            .collect()
    };
    for ((name, a), (_, b)) in render_all().into_iter().zip(render_all()) {
        assert!(a == b, "{name}: two runs differ");
    }
}
