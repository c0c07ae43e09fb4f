//! The documentation pages of the hazard codes (`docs/src/hazards/`), generated from the rule
//! registry so that they never drift from `strata explain`. `tests/docs.rs` compares the files
//! with what these functions produce (and rewrites them with `STRATA_UPDATE_DOCS=1`).

use super::policy::Policy;
use super::{Check, Rule, all};

/// Where the generated pages live, relative to the book's `src/` directory.
pub const DIR: &str = "hazards";

/// The page listing every code, relative to [`DIR`].
pub(crate) const INDEX: &str = "overview.md";

/// What finds a rule's hazards, in a few words (the "found by" column of the index).
fn found_by(check: &Check) -> &'static str {
    match check {
        Check::Step(_) => "plan",
        Check::Schema(_) => "validate",
        Check::Sql => "migrate lint",
    }
}

/// Where a rule is checked, as a sentence (the same words as `strata explain CODE`).
fn checked(check: &Check) -> &'static str {
    match check {
        Check::Step(_) => {
            "on every plan step that changes an existing object (`plan`, `apply`, the comments of `migrate diff`, `migrate lint`)"
        }
        Check::Schema(_) => "on the desired schema by `strata validate` (no database)",
        Check::Sql => "on migration files by `strata migrate lint`",
    }
}

fn default_level(rule: &Rule) -> &'static str {
    Policy::default()
        .rule_level(rule.code)
        .map(|l| l.as_str())
        .unwrap_or("warn")
}

/// The file name of a rule's page: `DS102.md`.
pub(crate) fn file_name(rule: &Rule) -> String {
    format!("{}.md", rule.code)
}

/// What a page says about allowing or silencing a rule's findings, by where it is checked.
fn allowing(rule: &Rule) -> String {
    let code = rule.code;
    let env = format!(
        "```hcl env\nenv \"prod\" {{\n  url = getenv(\"DATABASE_URL\")\n  src = [\"schema.hcl\"]\n  lint {{\n    allow = [\"{code}\"]\n  }}\n}}\n```\n"
    );
    match rule.check {
        Check::Step(_) => format!(
            "## Allowing it\n\n\
For one apply: `strata apply --allow-hazards {code}`. For every apply of an env, in `env.hcl`:\n\n\
{env}"
        ),
        Check::Schema(_) => format!(
            "## Allowing it\n\n\
`strata validate` reports it at the level the env's policy gives it: `deny` makes `validate`\n\
exit 1, `allow` hides it (shown with `--all`). In `env.hcl`:\n\n\
{env}"
        ),
        Check::Sql => format!(
            "## Silencing it\n\n\
`strata migrate lint` reports it at the level the env's policy gives it (`deny`: an error,\n\
`warn`: a warning, `allow`: silenced; PG103 is always an error, since PostgreSQL rejects it).\n\
To silence one reviewed statement, put a comment right above it:\n\n\
```sql\n-- strata:nolint {code}\n```\n"
        ),
    }
}

/// One code's page.
pub(crate) fn page(rule: &Rule) -> String {
    let code = rule.code;
    format!(
        "<!-- generated from src/lint/rules/ by `STRATA_UPDATE_DOCS=1 cargo test --test docs`; do not edit -->\n\
# {code}: {title}\n\n\
| | |\n\
|---|---|\n\
| category | {label} (`{key}`) |\n\
| default level | `{level}` |\n\
| checked | {checked} |\n\n\
{explain}\n\n\
{allowing}\n\
`strata explain {code}` prints this explanation and the level the selected env gives it. See\n\
[Hazards and the policy](../concepts/hazards.md) and [every code](overview.md).\n",
        title = rule.title,
        label = rule.category.label(),
        key = rule.category.key(),
        level = default_level(rule),
        checked = checked(&rule.check),
        explain = rule.explain,
        allowing = allowing(rule),
    )
}

/// The page that lists every code.
pub(crate) fn index() -> String {
    let mut out = String::from(
        "<!-- generated from src/lint/rules/ by `STRATA_UPDATE_DOCS=1 cargo test --test docs`; do not edit -->\n\
# Hazard and lint codes\n\
\n\
Every code strata reports, as `strata explain` lists them. \"Found by\": `plan` means every plan\n\
step (so also `apply`, the comments of `migrate diff` and `migrate lint`), `validate` the schema\n\
lints, `migrate lint` the SQL of migration files only. The default level is the one an env\n\
without a `lint` block gives (see [Hazards and the policy](../concepts/hazards.md)).\n\
\n\
| code | category | default | found by | title |\n\
|---|---|---|---|---|\n",
    );
    for r in all() {
        out.push_str(&format!(
            "| [{code}]({file}) | `{key}` | {level} | {found} | {title} |\n",
            code = r.code,
            file = file_name(r),
            key = r.category.key(),
            level = default_level(r),
            found = found_by(&r.check),
            title = r.title,
        ));
    }
    out
}

/// Every generated page: (path relative to the book's `src/`, content), the index first.
pub fn all_pages() -> Vec<(String, String)> {
    let mut out = vec![(format!("{DIR}/{INDEX}"), index())];
    out.extend(
        all()
            .iter()
            .map(|r| (format!("{DIR}/{}", file_name(r)), page(r))),
    );
    out
}

/// The lines `SUMMARY.md` holds for the generated pages, indented under the index.
pub fn summary_lines() -> Vec<String> {
    let mut out = vec![format!("- [Hazard codes]({DIR}/{INDEX})")];
    out.extend(
        all()
            .iter()
            .map(|r| format!("  - [{}]({DIR}/{})", r.code, file_name(r))),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_names_its_code_category_and_level() {
        let r = super::super::find("DS102").expect("DS102 is a rule");
        let p = page(r);
        assert!(p.contains("# DS102: drops a table"));
        assert!(p.contains("data loss (`data_loss`)"));
        assert!(p.contains("| default level | `deny` |"));
        assert!(p.contains("allow = [\"DS102\"]"));
    }

    #[test]
    fn the_index_lists_every_code_once() {
        let i = index();
        for r in all() {
            assert_eq!(i.matches(&format!("[{}]", r.code)).count(), 1, "{}", r.code);
        }
        assert_eq!(all_pages().len(), all().len() + 1);
    }
}
