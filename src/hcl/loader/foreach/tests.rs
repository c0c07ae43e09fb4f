use crate::hcl::diag::SourceFile;
use crate::hcl::loader::{LoadOptions, Loaded, load};

fn try_load(text: &str) -> Result<Loaded, Vec<(String, String)>> {
    let files = [SourceFile::new("s.hcl", text.to_string())];
    load(&files, &LoadOptions::default()).map_err(|e| {
        e.errors
            .iter()
            .map(|e| (e.location.display(), e.message.clone()))
            .collect()
    })
}

fn loaded(text: &str) -> Loaded {
    match try_load(text) {
        Ok(l) => l,
        Err(e) => panic!("does not load: {e:?}"),
    }
}

fn errors(text: &str) -> Vec<(String, String)> {
    match try_load(text) {
        Ok(_) => panic!("loads"),
        Err(e) => e,
    }
}

const TENANTS: &str = r#"
variable "tenants" {
  type    = list(string)
  default = ["acme", "globex"]
}
schema "tenant" {
  for_each = toset(var.tenants)
  name     = each.value
  comment  = "tenant ${each.key}"
}
table "users" {
  for_each = toset(var.tenants)
  schema   = schema.tenant[each.value]
  column "id" {
    type = int
  }
  comment  = "users of ${each.value}"
  index "users_id" {
    columns = [column.id]
  }
}
"#;

#[test]
fn a_set_repeats_schemas_and_tables_with_each_in_templates() {
    let m = loaded(TENANTS).model;
    for t in ["acme", "globex"] {
        let s = &m.schemas[t];
        assert_eq!(s.comment.as_deref(), Some(format!("tenant {t}").as_str()));
        let users = &s.tables["users"];
        assert_eq!(
            users.comment.as_deref(),
            Some(format!("users of {t}").as_str())
        );
        assert_eq!(users.indexes[0].name, "users_id");
    }
    assert_eq!(m.schemas.len(), 2);
}

#[test]
fn a_map_gives_each_key_and_each_value_and_name_renames_an_instance() {
    let text = r#"
schema "public" {}
table "t" {
  schema = schema.public
  column "owner" {
    type = text
  }
}
policy "p" {
  for_each = { reader = "SELECT", writer = "INSERT" }
  name     = "${each.key}_policy"
  on       = table.t
  for      = each.value
  to       = ["PUBLIC"]
}
table "log" {
  for_each = [schema.public]
  schema   = each.value
  name     = "log_${each.key}"
  column "at" {
    type = timestamptz
  }
}
"#;
    let m = loaded(text).model;
    let t = &m.schemas["public"].tables["t"];
    let mut names: Vec<(&str, String)> = t
        .policies
        .iter()
        .map(|p| (p.name.as_str(), p.command.clone()))
        .collect();
    names.sort();
    assert_eq!(names.len(), 2, "{names:?}");
    assert_eq!(names[0].0, "reader_policy");
    assert!(names[0].1.to_uppercase().contains("SELECT"), "{names:?}");
    assert!(names[1].1.to_uppercase().contains("INSERT"), "{names:?}");
    // A list of references: the key is the index, the value the reference.
    assert!(m.schemas["public"].tables.contains_key("log_0"));
}

#[test]
fn a_list_of_references_repeats_a_trigger_on_each_table() {
    let text = r#"
schema "public" {}
table "users" {
  schema = schema.public
  column "id" {
    type = int
  }
}
table "orders" {
  schema = schema.public
  column "id" {
    type = int
  }
}
function "audit" {
  schema = schema.public
  lang   = PLpgSQL
  return = trigger
  as     = "BEGIN RETURN NEW; END"
}
trigger "audit_log" {
  for_each = [table.users, table.orders]
  on       = each.value
  after {
    insert = true
  }
  execute {
    function = function.audit
  }
}
trigger "audit_named" {
  for_each = toset(["users", "orders"])
  on       = table[each.value]
  after {
    delete = true
  }
  execute {
    function = function.audit
  }
}
"#;
    let l = loaded(text);
    for t in ["users", "orders"] {
        let triggers = &l.model.schemas["public"].tables[t].triggers;
        assert_eq!(triggers.len(), 2, "{t}: {triggers:?}");
    }
}

#[test]
fn for_each_errors_point_at_the_place() {
    // Not a set or a map.
    let e = errors("schema \"s\" {\n  for_each = \"acme\"\n}\n");
    assert_eq!(e[0].0, "s.hcl:2:14", "{e:?}");
    assert!(e[0].1.contains("set or a map"), "{e:?}");
    // Two instances with one name.
    let e = errors("schema \"s\" {\n  for_each = toset([\"a\", \"b\"])\n}\n");
    assert!(e[0].1.contains("duplicate schema \"s\""), "{e:?}");
    assert_eq!(e[0].0, "s.hcl:1:8", "{e:?}");
    // `each` without for_each, at the expression.
    let e = errors("schema \"s\" {\n  comment = each.value\n}\n");
    assert_eq!(e[0].0, "s.hcl:2:13", "{e:?}");
    assert!(e[0].1.contains("`each` is only available"), "{e:?}");
    // A field `each` does not have.
    let e = errors("schema \"s\" {\n  for_each = toset([\"a\"])\n  comment = each.name\n}\n");
    assert_eq!(e[0].0, "s.hcl:3:13", "{e:?}");
    // for_each on a nested block.
    let text = "schema \"public\" {}\ntable \"t\" {\n  schema = schema.public\n  column \"c\" {\n    for_each = toset([\"a\"])\n    type = int\n  }\n}\n";
    let e = errors(text);
    assert!(
        e.iter()
            .any(|(at, m)| at == "s.hcl:5:5" && m.contains("top-level")),
        "{e:?}"
    );
    // An error in an instance's expression points into the block.
    let text = "schema \"s\" {\n  for_each = toset([\"a\"])\n  name = each.value\n  comment = 1 + each.value\n}\n";
    let e = errors(text);
    assert_eq!(e[0].0, "s.hcl:4:13", "{e:?}");
}

#[test]
fn template_markers_in_values_stay_literal() {
    let text = "schema \"s\" {\n  for_each = toset([\"a$${x}\"])\n  name = \"n\"\n  comment = each.value\n}\n";
    let m = loaded(text).model;
    assert_eq!(m.schemas["n"].comment.as_deref(), Some("a${x}"));
}

#[test]
fn an_unlabeled_block_takes_its_name_from_name_as_in_atlas() {
    // Atlas's own test: `table { for_each = { t1 = schema.s1, … }  name = each.key }`.
    let text = r#"
schema "s1" {}
schema "s2" {}
table {
  for_each = {
    t1 = schema.s1
    t2 = schema.s2
  }
  name   = each.key
  schema = each.value
  column "id" {
    type = int
  }
}
"#;
    let m = loaded(text).model;
    assert!(m.schemas["s1"].tables.contains_key("t1"));
    assert!(m.schemas["s2"].tables.contains_key("t2"));
    // Without `name`, an unlabeled block has no name.
    let e =
        errors("schema \"s\" {}\ntable {\n  for_each = toset([\"a\"])\n  schema = schema.s\n}\n");
    assert!(e[0].1.contains("needs a name"), "{e:?}");
}
