//! Unit tests of env.hcl parsing.

use super::*;

fn env(text: &str, name: &str, vars: &[(&str, &str)]) -> Result<Env, HclErrors> {
    let file = SourceFile::new("env.hcl", text.to_string());
    let vars = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    parse_env(&file, name, &vars, Path::new("/proj"), None, &no_database)
}

#[test]
fn getenv_calls_are_found_anywhere_in_an_expression() {
    let expr = hcl::edit::parser::parse_expr(
        r#"var.x != "" ? var.x : "postgres://${getenv("DB_USER")}@h/${lower(getenv("DB_NAME"))}""#,
    )
    .unwrap();
    assert_eq!(getenv_names(&expr), vec!["DB_USER", "DB_NAME"]);
    // A getenv of a non-literal is not guessed at.
    let expr = hcl::edit::parser::parse_expr("getenv(var.name)").unwrap();
    assert!(getenv_names(&expr).is_empty());
}

#[test]
fn reads_an_env() {
    let e = env(
        r#"
variable "tenant" {
  type    = string
  default = "acme"
}
locals {
  db = "postgres://u@h/${var.tenant}"
}
env "prod" {
  url     = local.db
  src     = ["schema.hcl", "more/"]
  schemas = ["public"]
}
"#,
        "prod",
        &[],
    )
    .unwrap();
    assert_eq!(e.url.as_deref(), Some("postgres://u@h/acme"));
    assert_eq!(
        e.src,
        vec![
            PathBuf::from("/proj/schema.hcl"),
            PathBuf::from("/proj/more/")
        ]
    );
    assert_eq!(e.schemas, vec!["public"]);
}

#[test]
fn var_overrides_default() {
    let e = env(
        "variable \"t\" {\n  default = \"a\"\n}\nenv \"x\" {\n  url = \"postgres://h/${var.t}\"\n}\n",
        "x",
        &[("t", "b")],
    )
    .unwrap();
    assert_eq!(e.url.as_deref(), Some("postgres://h/b"));
}

#[test]
fn unknown_env_and_missing_variable_are_errors() {
    let err = env("env \"a\" {}\n", "b", &[]).unwrap_err();
    assert!(err.errors[0].message.contains("env \"b\" is not defined"));
    assert_eq!(err.errors[0].help.as_deref(), Some("defined envs: \"a\""));
    let err = env(
        "variable \"pw\" {}\nenv \"a\" {\n  url = var.pw\n}\n",
        "a",
        &[],
    )
    .unwrap_err();
    assert!(
        err.errors[0]
            .message
            .contains("missing value for required variable \"pw\"")
    );
    // Not used by the selected env: fine.
    assert!(env("variable \"pw\" {}\nenv \"a\" {}\n", "a", &[]).is_ok());
}

#[test]
fn migration_dir_and_external_schema() {
    let e = env(
        r#"
data "external_schema" "app" {
  program = ["python3", "models.py"]
}
env "a" {
  src = data.external_schema.app.url
  migration {
dir = "db/migrations"
  }
}
"#,
        "a",
        &[],
    )
    .unwrap();
    assert_eq!(e.src, vec![PathBuf::from("external_schema://app")]);
    assert_eq!(e.migration_dir, Some(PathBuf::from("/proj/db/migrations")));
    let x = &e.external_schemas["app"];
    assert_eq!(x.program, vec!["python3", "models.py"]);
    assert_eq!(x.working_dir, PathBuf::from("/proj"));
    let err = env("data \"template_dir\" \"x\" {}\nenv \"a\" {}\n", "a", &[]).unwrap_err();
    assert!(
        err.errors[0]
            .message
            .contains("unsupported data source `template_dir`")
    );
}

#[test]
fn a_fleet_env_has_one_target_per_item() {
    let text = r#"
variable "base" {
  default = "postgres://u:secret@h:5432/catalog?sslmode=disable"
}
data "sql" "tenants" {
  url   = var.base
  query = "SELECT name FROM tenants WHERE active AND region = $1"
  args  = ["eu"]
}
env "db" {
  for_each = toset(data.sql.tenants.values)
  url      = urlsetpath(var.base, each.value)
  src      = ["schema.hcl"]
}
env "schemas" {
  for_each = { acme = "t_acme", globex = "t_globex" }
  url      = urlqueryset(var.base, "search_path", each.value)
  schemas  = [each.value]
  vars     = { tenant = each.value, key = each.key }
}
env "plain" {
  url = var.base
}
"#;
    let file = SourceFile::new("env.hcl", text.to_string());
    let asked = std::cell::RefCell::new(Vec::new());
    let runner = |q: &SqlQuery| {
        asked.borrow_mut().push(q.clone());
        Ok(vec!["a".to_string(), "b b".to_string(), "a".to_string()])
    };
    let parse = |name: &str| {
        parse_env(
            &file,
            name,
            &BTreeMap::new(),
            Path::new("/p"),
            None,
            &runner,
        )
        .unwrap()
    };
    let e = parse("db");
    let targets = e.fleet.unwrap();
    assert_eq!(
        targets.iter().map(|t| t.key.as_str()).collect::<Vec<_>>(),
        vec!["a", "b b"]
    );
    assert_eq!(
        targets[1].url.as_deref(),
        Some("postgres://u:secret@h:5432/b%20b?sslmode=disable")
    );
    assert!(e.url.is_none() && e.url_unset.unwrap().contains("is a fleet"));
    assert_eq!(asked.borrow().len(), 1);
    assert_eq!(asked.borrow()[0].args, vec!["eu"]);
    let e = parse("schemas");
    let t = &e.fleet.unwrap()[1];
    assert_eq!(t.key, "globex");
    assert_eq!(t.schemas, vec!["t_globex"]);
    assert_eq!(
        t.url.as_deref(),
        Some("postgres://u:secret@h:5432/catalog?sslmode=disable&search_path=t_globex")
    );
    assert_eq!(t.vars["tenant"], "t_globex");
    assert_eq!(t.vars["key"], "globex");
    // An env that does not use the query does not run it.
    asked.borrow_mut().clear();
    assert!(parse("plain").fleet.is_none());
    assert!(asked.borrow().is_empty());
}

#[test]
fn fleet_errors_name_the_attribute() {
    let err = env(
        "env \"f\" {\n  for_each = [1, 2]\n  url = each.value\n}\n",
        "f",
        &[],
    )
    .unwrap_err();
    assert!(
        err.errors[0].message.contains("must be a set of strings"),
        "{:?}",
        err.errors[0]
    );
    let err = env(
        "env \"f\" {\n  for_each = toset([\"a\"])\n  url = each.nope\n}\n",
        "f",
        &[],
    )
    .unwrap_err();
    assert!(
        err.errors[0]
            .message
            .contains("`url` of env \"f\" for target \"a\""),
        "{:?}",
        err.errors[0]
    );
    // Outside a fleet env, `each` is not defined.
    let err = env("env \"f\" {\n  url = each.value\n}\n", "f", &[]).unwrap_err();
    assert!(err.errors[0].message.contains("cannot evaluate `url`"));
    let err = env(
        "data \"sql\" \"t\" {\n  url = \"postgres://h/x\"\n  query = \"SELECT 1\"\n}\nenv \"f\" {\n  for_each = toset(data.sql.t.values)\n  url = each.value\n}\n",
        "f",
        &[],
    )
    .unwrap_err();
    assert!(
        err.errors[0].message.contains("data \"sql\" \"t\" failed"),
        "{:?}",
        err.errors[0]
    );
}

#[test]
fn unknown_attribute_is_an_error() {
    let err = env("env \"a\" {\n  urll = \"x\"\n}\n", "a", &[]).unwrap_err();
    assert!(err.errors[0].message.contains("unknown attribute `urll`"));
}

#[test]
fn reads_the_role_opt_in() {
    use crate::model::RoleScope;
    let atlas = env(
        "env \"x\" {\n  schema {\n    mode {\n      roles = true\n      permissions = true\n      sensitive = ALLOW\n    }\n  }\n}\n",
        "x",
        &[],
    )
    .unwrap();
    assert_eq!(
        atlas.roles,
        Some(RoleScope {
            roles: true,
            permissions: true,
            names: vec![],
        })
    );
    let flat = env("env \"x\" {\n  roles = [\"app\", \"app_*\"]\n}\n", "x", &[]).unwrap();
    assert_eq!(
        flat.roles,
        Some(RoleScope {
            roles: true,
            permissions: false,
            names: vec!["app".into(), "app_*".into()],
        })
    );
    assert_eq!(env("env \"x\" {}\n", "x", &[]).unwrap().roles, None);
    let bad = env("env \"x\" {\n  roles = 3\n}\n", "x", &[]).unwrap_err();
    assert!(format!("{bad:?}").contains("`roles` must be"), "{bad:?}");
    let unknown = env(
        "env \"x\" {\n  schema {\n    mode {\n      tables = true\n    }\n  }\n}\n",
        "x",
        &[],
    )
    .unwrap_err();
    assert!(
        format!("{unknown:?}").contains("unknown `tables`"),
        "{unknown:?}"
    );
}
