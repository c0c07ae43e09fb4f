//! The relations a query reads, from its parse tree (for diagrams: which tables a view reads).

use pg_query::NodeRef;

/// `(schema, name)` of every relation the query names in a `FROM` (CTE names included: the
/// caller keeps those it knows as tables or views). A query that does not parse names none.
pub(crate) fn read_by(query: &str) -> Vec<(Option<String>, String)> {
    let Ok(parsed) = pg_query::parse(query, 0) else {
        return Vec::new();
    };
    let mut out: Vec<(Option<String>, String)> = Vec::new();
    for (node, _, _, _) in parsed.protobuf.nodes() {
        if let NodeRef::RangeVar(rv) = node {
            let schema = (!rv.schemaname.is_empty()).then(|| rv.schemaname.clone());
            let item = (schema, rv.relname.clone());
            if !out.contains(&item) {
                out.push(item);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_qualified_and_bare_relations_once() {
        let r = read_by("SELECT * FROM a.\"T x\" JOIN b ON true WHERE EXISTS (SELECT 1 FROM b)");
        assert_eq!(
            r,
            vec![(Some("a".into()), "T x".into()), (None, "b".into())]
        );
        assert!(read_by("not sql").is_empty());
    }
}
