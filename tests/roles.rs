//! Roles and privileges (issue 15, item 11): Atlas's `role`, `user` and `permission` blocks,
//! managed only when the env opts in. Roles are cluster-wide and tests run in parallel on one
//! server: every role of a test starts with its database's name, the opt-in is that prefix as
//! a pattern, and a guard drops the roles at the end (also after a failure).

mod common;
use common::TestDb;
use std::path::PathBuf;
use strata::commands::{self, Prepared, Settings};
use strata::model::RoleScope;
use strata::postgres::connect::DbUrl;
use strata::render::Painter;
use strata::render::human;

const PASSWORD: &str = "Sw0rdfish-PASSWORD-91";

/// Drops the roles starting with its prefixes when the test ends (after its databases).
struct Roles {
    prefixes: std::sync::Mutex<Vec<String>>,
}

impl Roles {
    fn new(prefix: String) -> Roles {
        Roles {
            prefixes: std::sync::Mutex::new(vec![prefix]),
        }
    }

    /// Roles of another prefix to drop too.
    fn also(&self, prefix: String) {
        if let Ok(mut p) = self.prefixes.lock() {
            p.push(prefix);
        }
    }
}

impl Drop for Roles {
    fn drop(&mut self) {
        let prefixes = self.prefixes.lock().map(|p| p.clone()).unwrap_or_default();
        let _ = std::thread::spawn(move || {
            common::runtime().block_on(async move {
                let a = common::admin().await;
                let rows = a
                    .query(
                        "SELECT rolname::text FROM pg_roles WHERE rolname::text ^@ ANY($1::text[])",
                        &[&prefixes],
                    )
                    .await
                    .unwrap_or_default();
                for r in rows {
                    let name: String = r.get(0);
                    let _ = a
                        .batch_execute(&format!(
                            "DROP ROLE IF EXISTS {}",
                            strata::postgres::quote::ident(&name)
                        ))
                        .await;
                }
            })
        })
        .join();
    }
}

/// A test database and the prefix of its roles; the guard is dropped after the database.
async fn setup(prefix: &str) -> (Roles, TestDb) {
    let db = TestDb::new(prefix).await;
    let guard = Roles::new(format!("{}_", db.name));
    (guard, db)
}

fn scope(db: &TestDb) -> RoleScope {
    RoleScope {
        roles: true,
        permissions: true,
        names: vec![format!("{}_*", db.name)],
    }
}

fn settings(db: &TestDb, hcl: &str, roles: Option<RoleScope>) -> Settings {
    let p: PathBuf = db.write("schema.hcl", hcl);
    let mut s = db.settings(&[p]);
    s.roles = roles;
    if hcl.contains("var.app_password") {
        s.vars.insert("app_password".into(), PASSWORD.into());
    }
    s
}

async fn plan(db: &TestDb, hcl: &str, roles: Option<RoleScope>) -> Prepared {
    match commands::prepare(&settings(db, hcl, roles)).await {
        Ok(p) => p,
        Err(e) => panic!("plan failed: {e:?}"),
    }
}

async fn apply(db: &TestDb, hcl: &str, roles: Option<RoleScope>) -> Prepared {
    let mut p = plan(db, hcl, roles).await;
    if let Err(e) = db.apply_prepared(&mut p).await {
        panic!("apply failed: {e}\nplan:\n{}", sql(&p));
    }
    p
}

fn shown(p: &Prepared) -> String {
    human::plan(&p.plan, &Painter::new(false))
}

fn sql(p: &Prepared) -> String {
    p.plan.statements().collect::<Vec<_>>().join(";\n")
}

fn codes(p: &Prepared) -> Vec<String> {
    p.plan.hazards().map(|(_, h)| h.code.clone()).collect()
}

/// The schema of the tests, with `P` standing for the roles' prefix.
const SCHEMA: &str = r#"
variable "app_password" {
  type      = string
  sensitive = true
}
schema "public" {}
schema "app" {}
table "users" {
  schema = schema.app
  column "id" {
    type = int
  }
  column "email" {
    type = text
  }
  primary_key {
    columns = [column.id]
  }
}
sequence "ids" {
  schema = schema.app
}
view "active" {
  schema     = schema.app
  as         = "SELECT id FROM app.users"
  depends_on = [table.users]
}
function "one" {
  schema = schema.app
  lang   = SQL
  return = int
  as     = "SELECT 1"
}
enum "status" {
  schema = schema.app
  values = ["on", "off"]
}
domain "positive" {
  schema = schema.app
  type   = int
}
role "P_ro" {
  conn_limit = 5
}
user "P_app" {
  password  = var.app_password
  member_of = [role.P_ro]
}
role "P_admin" {
  create_db   = true
  create_role = true
  inherit     = false
}
permission {
  to         = role.P_ro
  for        = schema.app
  privileges = [USAGE]
}
permission {
  to         = role.P_ro
  for        = table.users
  privileges = [SELECT]
}
permission {
  to         = user.P_app
  for        = table.users
  privileges = [SELECT, INSERT, UPDATE]
  grantable  = true
}
permission {
  to         = role.P_ro
  for        = table.users.column.email
  privileges = [UPDATE]
}
permission {
  to         = user.P_app
  for        = sequence.ids
  privileges = [USAGE, SELECT]
}
permission {
  to         = role.P_ro
  for        = view.active
  privileges = [SELECT]
}
permission {
  to         = user.P_app
  for        = function.one
  privileges = [EXECUTE]
}
permission {
  to         = role.P_admin
  for        = schema.app
  privileges = [ALL]
}
permission {
  to         = role.P_ro
  for        = enum.status
  privileges = [USAGE]
}
default_privileges {
  owner      = role.P_admin
  schema     = schema.app
  on         = TABLES
  to         = role.P_ro
  privileges = [SELECT]
}
default_privileges {
  owner      = role.P_admin
  on         = FUNCTIONS
  to         = user.P_app
  privileges = [EXECUTE]
  grantable  = true
}
permission {
  to         = user.P_app
  for        = domain.positive
  privileges = [usage]
}
"#;

fn schema(db: &TestDb) -> String {
    SCHEMA.replace("P_", &format!("{}_", db.name))
}

/// The same privileges, written by hand.
fn grants_sql(db: &TestDb) -> String {
    let p = &db.name;
    format!(
        "GRANT USAGE ON SCHEMA app TO {p}_ro;
         GRANT SELECT ON app.users TO {p}_ro;
         GRANT SELECT, INSERT, UPDATE ON app.users TO {p}_app WITH GRANT OPTION;
         GRANT UPDATE (email) ON app.users TO {p}_ro;
         GRANT USAGE, SELECT ON SEQUENCE app.ids TO {p}_app;
         GRANT SELECT ON app.active TO {p}_ro;
         GRANT EXECUTE ON FUNCTION app.one() TO {p}_app;
         GRANT USAGE, CREATE ON SCHEMA app TO {p}_admin;
         GRANT USAGE ON TYPE app.status TO {p}_ro;
         GRANT USAGE ON DOMAIN app.positive TO {p}_app;
         ALTER DEFAULT PRIVILEGES FOR ROLE {p}_admin IN SCHEMA app GRANT SELECT ON TABLES TO {p}_ro;
         ALTER DEFAULT PRIVILEGES FOR ROLE {p}_admin GRANT EXECUTE ON FUNCTIONS TO {p}_app WITH GRANT OPTION;"
    )
}

/// `pg_dump --schema-only` with privileges (owners aside), as a set of entries.
fn dump_with_privileges(url: &str) -> std::collections::BTreeSet<String> {
    let out = std::process::Command::new("pg_dump")
        .args(["--schema-only", "--no-owner", "-d", url])
        .output()
        .expect("pg_dump");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::trim)
        .filter(|l| {
            !l.is_empty()
                && !l.starts_with("--")
                && !l.starts_with("SET ")
                && !l.starts_with("SELECT pg_catalog.set_config")
                && !l.starts_with("\\restrict")
                && !l.starts_with("\\unrestrict")
        })
        .map(str::to_string)
        .collect()
}

/// `inspect` (with the roles) → HCL.
async fn inspect_hcl(db: &TestDb) -> String {
    let c = DbUrl::parse(&db.url)
        .unwrap()
        .connect()
        .await
        .expect("connect");
    let filter = strata::postgres::inspect::SchemaFilter::listed(&[]).with_roles(Some(scope(db)));
    let m = strata::postgres::inspect::inspect(&c, &filter)
        .await
        .expect("inspect");
    strata::hcl::writer::write(&m)
}

#[tokio::test]
async fn roles_and_permissions_converge() {
    let (_roles, db) = setup("roles_conv").await;
    let hcl = schema(&db);
    let p = apply(&db, &hcl, Some(scope(&db))).await;
    let text = sql(&p);
    assert!(text.contains("CREATE ROLE"), "{text}");
    assert!(text.contains("WITH GRANT OPTION"), "{text}");
    assert!(text.contains("ALTER DEFAULT PRIVILEGES"), "{text}");
    assert!(!text.contains(PASSWORD), "{text}");
    let again = plan(&db, &hcl, Some(scope(&db))).await;
    assert!(again.plan.is_empty(), "re-plan:\n{}", shown(&again));
    let name = &db.name;
    let attrs = db
        .query(&format!(
            "SELECT rolname || ' ' || rolcanlogin || ' ' || rolconnlimit || ' ' || rolinherit || ' ' || rolcreatedb \
             FROM pg_roles WHERE starts_with(rolname, '{name}_') ORDER BY 1"
        ))
        .await;
    assert_eq!(
        attrs,
        vec![
            format!("{name}_admin false -1 false true"),
            format!("{name}_app true -1 true false"),
            format!("{name}_ro false 5 true false"),
        ]
    );
    let member = db
        .query(&format!(
            "SELECT pg_has_role('{name}_app', '{name}_ro', 'MEMBER')::text"
        ))
        .await;
    assert_eq!(member, vec!["true".to_string()]);
    // The pg_dump oracle: the same objects with the privileges granted by hand.
    let fresh = TestDb::new("roles_fresh").await;
    apply(&fresh, &hcl, None).await;
    fresh.exec(&grants_sql(&db)).await;
    let (migrated, built) = (
        dump_with_privileges(&db.url),
        dump_with_privileges(&fresh.url),
    );
    assert_eq!(
        migrated.difference(&built).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "only in the migrated database"
    );
    assert_eq!(
        built.difference(&migrated).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "only in the database built by hand"
    );
    // inspect → HCL → plan converges (without a password: it is never read back).
    let inspected = inspect_hcl(&db).await;
    assert!(
        inspected.contains(&format!("user \"{name}_app\"")),
        "{inspected}"
    );
    assert!(inspected.contains("permission {"), "{inspected}");
    let round = plan(&db, &inspected, Some(scope(&db))).await;
    assert!(
        round.plan.is_empty(),
        "inspected HCL:\n{inspected}\nplan:\n{}",
        shown(&round)
    );
}

#[tokio::test]
async fn revokes_alters_and_drift() {
    let (roles, db) = setup("roles_rev").await;
    let hcl = schema(&db);
    apply(&db, &hcl, Some(scope(&db))).await;
    let name = db.name.clone();
    // A privilege removed from the configuration: REVOKE, flagged SC105.
    let fewer = hcl.replace(
        "privileges = [SELECT, INSERT, UPDATE]",
        "privileges = [SELECT]",
    );
    let p = plan(&db, &fewer, Some(scope(&db))).await;
    let text = sql(&p);
    assert!(
        text.contains(&format!(
            "REVOKE INSERT, UPDATE ON TABLE \"app\".\"users\" FROM \"{name}_app\""
        )),
        "{text}"
    );
    assert!(codes(&p).contains(&"SC105".to_string()), "{}", shown(&p));
    db.apply_prepared(&mut plan(&db, &fewer, Some(scope(&db))).await)
        .await
        .expect("apply the revoke");
    assert!(plan(&db, &fewer, Some(scope(&db))).await.plan.is_empty());
    // The grant option alone.
    let no_option = fewer.replace("grantable  = true", "grantable  = false");
    let p = plan(&db, &no_option, Some(scope(&db))).await;
    assert!(
        sql(&p).contains("REVOKE GRANT OPTION FOR SELECT"),
        "{}",
        sql(&p)
    );
    // Drift: a GRANT by hand to a managed role shows in the plan (as a REVOKE).
    db.exec(&format!("GRANT DELETE ON app.users TO \"{name}_ro\""))
        .await;
    let p = plan(&db, &fewer, Some(scope(&db))).await;
    assert!(
        sql(&p).contains(&format!(
            "REVOKE DELETE ON TABLE \"app\".\"users\" FROM \"{name}_ro\""
        )),
        "{}",
        sql(&p)
    );
    // A GRANT to a role outside the managed set is never touched.
    db.exec(&format!(
        "CREATE ROLE \"x{name}_\"; GRANT SELECT ON app.users TO \"x{name}_\""
    ))
    .await;
    roles.also(format!("x{name}_"));
    let p = plan(&db, &fewer, Some(scope(&db))).await;
    assert!(!sql(&p).contains(&format!("x{name}")), "{}", sql(&p));
    // A role attribute changed: ALTER ROLE (the password is not compared).
    let altered = fewer.replace("conn_limit = 5", "conn_limit = 10");
    let p = plan(&db, &altered, Some(scope(&db))).await;
    let text = sql(&p);
    assert!(
        text.contains(&format!("ALTER ROLE \"{name}_ro\" WITH"))
            && text.contains("CONNECTION LIMIT 10"),
        "{text}"
    );
    // A membership removed: REVOKE role, flagged SC105.
    let no_member = fewer.replace(&format!("member_of = [role.{name}_ro]"), "");
    let p = plan(&db, &no_member, Some(scope(&db))).await;
    assert!(
        sql(&p).contains(&format!("REVOKE \"{name}_ro\" FROM \"{name}_app\"")),
        "{}",
        sql(&p)
    );
    assert!(codes(&p).contains(&"SC105".to_string()));
    // A default privilege removed: ALTER DEFAULT PRIVILEGES … REVOKE, flagged SC105.
    let start = fewer
        .find("default_privileges {\n  owner      = role.")
        .expect("block");
    let end = start + fewer[start..].find("}\n").expect("end") + 2;
    let no_default = format!("{}{}", &fewer[..start], &fewer[end..]);
    let p = plan(&db, &no_default, Some(scope(&db))).await;
    assert!(
        sql(&p).contains(&format!(
            "ALTER DEFAULT PRIVILEGES FOR ROLE \"{name}_admin\" IN SCHEMA \"app\" REVOKE SELECT ON TABLES FROM \"{name}_ro\""
        )),
        "{}",
        sql(&p)
    );
    assert!(codes(&p).contains(&"SC105".to_string()));
}

#[tokio::test]
async fn dropping_a_role_is_data_loss_and_names_what_it_owns() {
    let (_roles, db) = setup("roles_drop").await;
    let name = db.name.clone();
    let base = format!(
        "schema \"public\" {{}}\ntable \"t\" {{\n  schema = schema.public\n  column \"id\" {{\n    type = int\n  }}\n}}\nrole \"{name}_gone\" {{}}\nrole \"{name}_owner\" {{}}\npermission {{\n  to = role.{name}_gone\n  for = table.t\n  privileges = [SELECT]\n}}\n"
    );
    apply(&db, &base, Some(scope(&db))).await;
    // The other role owns a table (in this database, outside the managed schemas' objects).
    db.exec(&format!(
        "CREATE TABLE public.owned (id int); ALTER TABLE public.owned OWNER TO \"{name}_owner\""
    ))
    .await;
    let without = base
        .replace(&format!("role \"{name}_gone\" {{}}\n"), "")
        .replace(&format!("role \"{name}_owner\" {{}}\n"), "");
    let without = without[..without.find("permission").unwrap()].to_string();
    let p = plan(&db, &without, Some(scope(&db))).await;
    let text = sql(&p);
    // Privileges are revoked before the role is dropped.
    let revoke = text.find("REVOKE SELECT").expect("revoke");
    let drop = text
        .find(&format!("DROP ROLE \"{name}_gone\""))
        .expect("drop");
    assert!(revoke < drop, "{text}");
    let hazards: Vec<String> = p
        .plan
        .hazards()
        .map(|(_, h)| format!("{} {}", h.code, h.message))
        .collect();
    assert!(
        hazards.iter().any(|h| h.starts_with("DS108")
            && h.contains(&format!("{name}_owner"))
            && h.contains("owns 1 object")),
        "{hazards:?}"
    );
    assert!(
        hazards
            .iter()
            .any(|h| h.starts_with("DS108") && h.contains(&format!("{name}_gone"))),
        "{hazards:?}"
    );
}

#[tokio::test]
async fn without_opt_in_nothing_about_roles() {
    let (_roles, db) = setup("roles_off").await;
    let name = db.name.clone();
    db.exec(&format!(
        "CREATE ROLE \"{name}_kept\"; CREATE SCHEMA app; CREATE TABLE app.users (id int, email text); \
         GRANT SELECT ON app.users TO \"{name}_kept\""
    ))
    .await;
    // The schema's role and permission blocks are left alone, and so is the database's role.
    let hcl = schema(&db);
    let p = plan(&db, &hcl, None).await;
    let text = sql(&p);
    assert!(
        !text.contains("ROLE") && !text.contains("GRANT") && !text.contains("REVOKE"),
        "{text}"
    );
    assert!(!shown(&p).contains("role"), "{}", shown(&p));
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
}

/// `strata` with an env that manages the test's roles; the password from `--var`.
fn cli(db: &TestDb) -> assert_cmd::Command {
    let mut c = common::strata();
    c.current_dir(db.path()).args([
        "--env",
        "test",
        "--var",
        &format!("app_password={PASSWORD}"),
    ]);
    c
}

#[tokio::test]
async fn the_password_is_never_printed() {
    let (_roles, db) = setup("roles_pw").await;
    db.write("schema.hcl", &schema(&db));
    db.write(
        "env.hcl",
        &format!(
            "env \"test\" {{\n  url = \"{}\"\n  dev = \"{}\"\n  src = [\"schema.hcl\"]\n  schema {{\n    mode {{\n      roles       = [\"{}_*\"]\n      permissions = true\n    }}\n  }}\n}}\n",
            db.url,
            common::base_url(),
            db.name
        ),
    );
    let mut outputs = Vec::new();
    for format in ["human", "json", "sql"] {
        let out = cli(&db)
            .args(["plan", "--format", format, "-detailed-exitcode"])
            .output()
            .expect("run");
        assert_eq!(
            out.status.code(),
            Some(2),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        outputs.push(out);
    }
    let plan_json = String::from_utf8_lossy(&outputs[1].stdout).to_string();
    assert!(plan_json.contains("CREATE ROLE"), "{plan_json}");
    let out = cli(&db)
        .args(["apply", "-auto-approve"])
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    outputs.push(out);
    let out = cli(&db)
        .args(["plan", "-detailed-exitcode"])
        .output()
        .expect("run");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    outputs.push(out);
    // Drift by hand shows in -detailed-exitcode.
    db.exec(&format!(
        "GRANT TRUNCATE ON app.users TO \"{}_ro\"",
        db.name
    ))
    .await;
    let out = cli(&db)
        .args(["plan", "-detailed-exitcode"])
        .output()
        .expect("run");
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    outputs.push(out);
    for o in &outputs {
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(!all.contains(PASSWORD), "the password was printed:\n{all}");
    }
    // A saved plan: the file holds no password, and applying it re-inspects the same roles
    // (its fingerprint matches) — here a revoked drift.
    let saved = db.path().join("plan.json");
    let out = cli(&db)
        .args(["plan", "-out", &saved.display().to_string()])
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    outputs.push(out);
    let file = std::fs::read_to_string(&saved).unwrap();
    assert!(!file.contains(PASSWORD));
    let out = common::strata()
        .current_dir(db.path())
        .args(["--env", "test", "apply", &saved.display().to_string()])
        .args(["-auto-approve", "--allow-hazards", "SC105"])
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    outputs.push(out);
    let out = cli(&db)
        .args(["plan", "-detailed-exitcode"])
        .output()
        .expect("run");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // `strata inspect` writes the roles and permissions (never a password).
    let out = cli(&db).arg("inspect").output().expect("run");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains(&format!("user \"{}_app\"", db.name)) && text.contains("permission {"),
        "{text}"
    );
    assert!(!text.contains("password"), "{text}");
    // The role has the password (as PostgreSQL's SCRAM verifier).
    let stored = db
        .query(&format!(
            "SELECT left(rolpassword, 19) FROM pg_authid WHERE rolname = '{}_app'",
            db.name
        ))
        .await;
    assert_eq!(stored, vec!["SCRAM-SHA-256$4096:".to_string()]);
    // The saved plan's commands too.
    for o in &outputs {
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(!all.contains(PASSWORD), "the password was printed:\n{all}");
    }
}

#[tokio::test]
async fn a_password_must_come_from_a_sensitive_variable() {
    let (_roles, db) = setup("roles_plain").await;
    let hcl = format!(
        "schema \"public\" {{}}\nuser \"{}_u\" {{\n  password = \"plain\"\n}}\n",
        db.name
    );
    let s = settings(&db, &hcl, Some(scope(&db)));
    let err = match commands::prepare(&s).await {
        Ok(_) => panic!("a literal password loaded"),
        Err(e) => format!("{e:?}"),
    };
    assert!(
        err.contains("must come from a variable") && err.contains("schema.hcl:3:14"),
        "{err}"
    );
}

#[tokio::test]
async fn a_recreated_view_gets_its_privileges_again() {
    let (_roles, db) = setup("roles_view").await;
    let hcl = schema(&db);
    apply(&db, &hcl, Some(scope(&db))).await;
    // The view reads `id`, whose type changes: the view is dropped and created again.
    let retyped = hcl.replacen(
        "column \"id\" {\n    type = int\n  }",
        "column \"id\" {\n    type = bigint\n  }",
        1,
    );
    let p = apply(&db, &retyped, Some(scope(&db))).await;
    let text = sql(&p);
    assert!(text.contains("DROP VIEW"), "{text}");
    assert!(
        text.contains(&format!(
            "GRANT SELECT ON TABLE \"app\".\"active\" TO \"{}_ro\"",
            db.name
        )),
        "{text}"
    );
    let again = plan(&db, &retyped, Some(scope(&db))).await;
    assert!(again.plan.is_empty(), "{}", shown(&again));
}

#[tokio::test]
async fn roles_outside_the_list_are_refused_and_policies_name_roles() {
    let (_roles, db) = setup("roles_list").await;
    let name = db.name.clone();
    // A policy's `to` takes Atlas's role references.
    let hcl = format!(
        "schema \"public\" {{}}\ntable \"t\" {{\n  schema = schema.public\n  column \"id\" {{\n    type = int\n  }}\n  row_security {{\n    enabled = true\n  }}\n}}\nrole \"{name}_reader\" {{}}\npolicy \"read\" {{\n  on  = table.t\n  for = SELECT\n  to  = [role.{name}_reader]\n  using = \"true\"\n}}\n"
    );
    apply(&db, &hcl, Some(scope(&db))).await;
    let to = db
        .query("SELECT array_to_string(polroles::regrole[], ',') FROM pg_policy")
        .await;
    assert_eq!(to, vec![format!("{name}_reader")]);
    assert!(plan(&db, &hcl, Some(scope(&db))).await.plan.is_empty());
    // A role the env's list does not cover is an error, not silently left out.
    let other = format!("{hcl}role \"other_{name}\" {{}}\n");
    let s = settings(&db, &other, Some(scope(&db)));
    let err = match commands::prepare(&s).await {
        Ok(_) => panic!("a role outside the list was accepted"),
        Err(e) => format!("{e:?}"),
    };
    assert!(err.contains(&format!("\"other_{name}\"")), "{err}");
}

#[tokio::test]
async fn privileges_follow_a_routine_whose_signature_normalizes() {
    let (_roles, db) = setup("roles_sig").await;
    let name = db.name.clone();
    // `varchar(10)` in the files, `character varying` once PostgreSQL has the function.
    let hcl = format!(
        "schema \"public\" {{}}\nfunction \"shout\" {{\n  schema = schema.public\n  lang   = SQL\n  arg \"s\" {{\n    type = varchar(10)\n  }}\n  return = text\n  as     = \"SELECT upper(s)\"\n}}\nrole \"{name}_caller\" {{}}\npermission {{\n  to         = role.{name}_caller\n  for        = function.shout\n  privileges = [EXECUTE]\n}}\n"
    );
    let p = apply(&db, &hcl, Some(scope(&db))).await;
    assert!(sql(&p).contains("GRANT EXECUTE ON FUNCTION"), "{}", sql(&p));
    let again = plan(&db, &hcl, Some(scope(&db))).await;
    assert!(again.plan.is_empty(), "{}", shown(&again));
    let can = db
        .query(&format!(
            "SELECT has_function_privilege('{name}_caller', 'public.shout(varchar)', 'EXECUTE')::text"
        ))
        .await;
    assert_eq!(can, vec!["true".to_string()]);
}

#[tokio::test]
async fn odd_names_round_trip() {
    let (_roles, db) = setup("roles_odd").await;
    let name = db.name.clone();
    let role = format!("{name}_Réad \"Only\" x");
    let hcl = format!(
        "schema \"public\" {{}}\nschema \"My Schema\" {{}}\ntable \"My Table\" {{\n  schema = schema[\"My Schema\"]\n  column \"Some Col\" {{\n    type = int\n  }}\n}}\nrole {role_label} {{\n  conn_limit = 2\n}}\npermission {{\n  to         = role[{role_label}]\n  for        = table[\"My Table\"]\n  privileges = [SELECT]\n}}\npermission {{\n  to         = role[{role_label}]\n  for        = table[\"My Table\"].column[\"Some Col\"]\n  privileges = [UPDATE]\n}}\npermission {{\n  to         = role[{role_label}]\n  for        = schema[\"My Schema\"]\n  privileges = [USAGE]\n}}\n",
        role_label = strata::hcl::writer::string_literal(&role)
    );
    apply(&db, &hcl, Some(scope(&db))).await;
    let again = plan(&db, &hcl, Some(scope(&db))).await;
    assert!(again.plan.is_empty(), "{}", shown(&again));
    let can = db
        .query(&format!(
            "SELECT has_column_privilege({}, '\"My Schema\".\"My Table\"', 'Some Col', 'UPDATE')::text",
            strata::postgres::quote::literal(&role)
        ))
        .await;
    assert_eq!(can, vec!["true".to_string()]);
    let inspected = inspect_hcl(&db).await;
    let round = plan(&db, &inspected, Some(scope(&db))).await;
    assert!(
        round.plan.is_empty(),
        "inspected HCL:\n{inspected}\nplan:\n{}",
        shown(&round)
    );
}
