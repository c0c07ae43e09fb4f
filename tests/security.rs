//! Security: nothing a schema file holds can inject SQL whatever the server's settings, and no
//! path prints a password.

mod common;
use common::{TestDb, base_url, strata};

/// With `standard_conforming_strings = off` as the database default, a comment ending in a
/// backslash used to close the literal early and run the rest as SQL. strata forces the setting
/// on every session and writes backslashes as escape strings, which mean the same either way.
#[tokio::test]
async fn comments_with_backslashes_cannot_inject_under_any_setting() {
    let db = TestDb::new("sec_inject").await;
    db.exec(&format!(
        "ALTER DATABASE \"{}\" SET standard_conforming_strings = off",
        db.name
    ))
    .await;
    db.exec("CREATE TABLE victim (id int); CREATE TABLE t (id int)")
        .await;
    let evil = r"\'; DROP TABLE public.victim; --";
    let hcl = format!(
        r#"schema "public" {{}}
table "victim" {{
  schema = schema.public
  column "id" {{
    type = int
    null = true
  }}
}}
table "t" {{
  schema = schema.public
  comment = "{}"
  column "id" {{
    type = int
    null = true
    comment = "a\\b \\\\ c'd"
  }}
}}
"#,
        evil.replace('\\', "\\\\")
    );
    let src = db.write("schema.hcl", &hcl);
    let out = strata()
        .args(["--url", &db.url, "--dev-url", &base_url(), "--src"])
        .arg(&src)
        .args(["apply", "--auto-approve"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        db.query("SELECT count(*) FROM pg_tables WHERE tablename = 'victim'")
            .await,
        vec!["1"],
        "the comment ran as SQL"
    );
    assert_eq!(
        db.query("SELECT obj_description('public.t'::regclass, 'pg_class')")
            .await,
        vec![evil]
    );
    assert_eq!(
        db.query("SELECT col_description('public.t'::regclass, 1)")
            .await,
        vec![r"a\b \\ c'd"]
    );
    // The SQL rendering of the same plan is safe to run under either setting too.
    db.exec("COMMENT ON TABLE t IS NULL").await;
    let out = strata()
        .args(["--url", &db.url, "--dev-url", &base_url(), "--src"])
        .arg(&src)
        .args(["plan", "--format", "sql"])
        .output()
        .unwrap();
    let sql = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(sql.contains(r"E'\\''; DROP TABLE"), "{sql}");
    for scs in ["on", "off"] {
        db.exec(&format!(
            "SET standard_conforming_strings = {scs}; BEGIN; {sql}; ROLLBACK"
        ))
        .await;
    }
    assert_eq!(
        db.query("SELECT count(*) FROM pg_tables WHERE tablename = 'victim'")
            .await,
        vec!["1"]
    );
    let plan = strata()
        .args(["--url", &db.url, "--dev-url", &base_url(), "--src"])
        .arg(&src)
        .args(["apply", "--auto-approve"])
        .output()
        .unwrap();
    assert!(plan.status.success());
    let again = strata()
        .args(["--url", &db.url, "--dev-url", &base_url(), "--src"])
        .arg(&src)
        .args(["plan", "-detailed-exitcode"])
        .output()
        .unwrap();
    assert_eq!(
        again.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&again.stdout)
    );
}

/// Malformed URLs (an unescaped `/`, `?` or `@` in the password) never show the password, in
/// any command's error.
#[test]
fn invalid_urls_never_print_the_password() {
    for url in [
        "postgres://u:ab/cd-SECRET@127.0.0.1:1/db",
        "postgres://u:ab?cd-SECRET@127.0.0.1:1/db",
        "postgres://u:a@b-SECRET@127.0.0.1:1/db",
        "postgres://u:SECRET@127.0.0.1:notaport/db",
        "postgres://u:SECRET@127.0.0.1:1/db?sslmode=bogus",
        "postgres://u:SECRET@127.0.0.1:1/db?password=SECRET2&x=1",
        "postgres://u:SECRET@127.0.0.1:1/db?connect_timeout=1",
    ] {
        for cmd in [vec!["plan"], vec!["inspect"], vec!["migrate", "status"]] {
            let out = strata()
                .args(["--url", url, "--dev-url", url, "--src", "/nonexistent.hcl"])
                .args(&cmd)
                .output()
                .unwrap();
            let text = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(!out.status.success(), "{url} {cmd:?}");
            assert!(!text.contains("SECRET"), "{url} {cmd:?}: {text}");
        }
    }
}
