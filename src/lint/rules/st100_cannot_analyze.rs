//! ST100: `strata migrate lint` cannot analyze a statement's effect on the schema.

use crate::lint::{Category, Check, Rule};

pub(crate) const RULE: Rule = Rule {
    code: "ST100",
    category: Category::Style,
    title: "strata cannot analyze this change in a migration file",
    explain: "`strata migrate lint` runs each statement on a scratch database, inspects the \
schema before and after and diffs the two to find the planner's hazards. When that diff fails \
(the change is one strata's model cannot compare), the statement's effects go unchecked: no \
data-loss, lock or may-fail hazard is reported for it. Review the statement by hand; \
once it is reviewed, a `strata:nolint ST100` comment above it silences the warning. Found by \
`strata migrate lint`.",
    check: Check::Sql,
};
