//! `strata erd` and `strata plan --format html`: self-contained pages, checked in a real
//! browser. Headless Chromium loads each page from a file; the DOM it dumps after the page's
//! script ran must hold every table (`data-table`), and the page must name no network
//! resource. Without Chromium the browser checks print why and skip, unless
//! `STRATA_REQUIRE_CHROMIUM=1` (CI), which makes its absence a failure.

mod common;

use common::{TestDb, strata};
use std::path::{Path, PathBuf};
use std::process::Command;
use strata::hcl::{LoadOptions, SourceFile, load};

/// The browser, or `None` (after saying so) when the tests should skip.
fn chromium() -> Option<PathBuf> {
    let candidates = [
        std::env::var("STRATA_CHROMIUM").unwrap_or_default(),
        "/usr/bin/chromium".into(),
        "/usr/bin/chromium-browser".into(),
        "/usr/bin/google-chrome".into(),
    ];
    if let Some(found) = candidates
        .iter()
        .filter(|c| !c.is_empty())
        .map(PathBuf::from)
        .find(|p| p.is_file())
    {
        return Some(found);
    }
    if std::env::var("STRATA_REQUIRE_CHROMIUM").is_ok_and(|v| v == "1") {
        panic!(
            "STRATA_REQUIRE_CHROMIUM=1 but no Chromium was found (/usr/bin/chromium; apt-get install -y chromium)"
        );
    }
    eprintln!(
        "SKIPPED: the browser checks of the ERD need Chromium (apt-get install -y chromium, or STRATA_CHROMIUM=/path); none found"
    );
    None
}

/// Chromium without a window; `profile` of its own, so parallel tests do not share its lock.
fn headless(browser: &Path, profile: &Path) -> Command {
    let mut c = Command::new(browser);
    c.args([
        "--headless",
        "--disable-gpu",
        "--no-sandbox",
        "--no-first-run",
        "--disable-extensions",
        "--hide-scrollbars",
    ]);
    c.arg(format!("--user-data-dir={}", profile.display()));
    c
}

/// The DOM after the page's script ran (`#fragment` appended to the file URL).
fn dump_dom(browser: &Path, page: &Path, fragment: &str) -> String {
    let profile = tempfile::tempdir().expect("profile dir");
    let out = headless(browser, profile.path())
        .arg("--window-size=1400,900")
        .arg("--dump-dom")
        .arg(format!("file://{}{fragment}", page.display()))
        .output()
        .expect("run chromium");
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 DOM")
}

fn screenshot(browser: &Path, page: &Path, png: &Path) {
    let profile = tempfile::tempdir().expect("profile dir");
    let out = headless(browser, profile.path())
        .arg("--window-size=1400,900")
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("run chromium");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bytes = std::fs::read(png).expect("screenshot written");
    assert!(bytes.starts_with(b"\x89PNG"), "not a PNG");
}

/// `data-table="…"` elements of a DOM or page.
fn tables_drawn(html: &str) -> usize {
    html.matches(" data-table=\"").count()
}

/// Nothing fetched at view time: no `src`/`href` attribute, no CSS import or external `url()`.
fn assert_offline(html: &str) {
    for needle in [
        " src=",
        " href=",
        "@import",
        "<link",
        "<iframe",
        "fetch(",
        "XMLHttpRequest",
    ] {
        assert!(!html.contains(needle), "the page holds {needle:?}");
    }
    for (i, _) in html.match_indices("url(") {
        assert!(html[i + 4..].starts_with('#'), "external url() at {i}");
    }
    // The only absolute URL is the SVG namespace, which nothing fetches.
    let urls = html.matches("http://").count() + html.matches("https://").count();
    let namespaces = html.matches("xmlns=\"http://www.w3.org/2000/svg\"").count();
    assert_eq!(
        urls, namespaces,
        "an absolute URL other than the SVG namespace"
    );
}

fn model_tables(text: &str) -> usize {
    load(
        &[SourceFile::new("schema.hcl", text.to_string())],
        &LoadOptions::default(),
    )
    .expect("valid HCL")
    .model
    .tables()
    .count()
}

/// 50 tables in two schemas with awkward names, foreign keys between and across them, a view
/// and an enum.
fn fifty_tables() -> String {
    let mut s = String::from(
        "schema \"public\" {}\nschema \"Sales \\\"Dept\\\"\" {}\nenum \"mood\" {\n  schema = schema.public\n  values = [\"ok\", \"<b>bad</b>\"]\n}\n",
    );
    for i in 0..50 {
        let schema = if i % 5 == 4 {
            "schema[\"Sales \\\"Dept\\\"\"]"
        } else {
            "schema.public"
        };
        let name = match i {
            0 => "users".to_string(),
            7 => "<script>alert(1)</script>".to_string(),
            8 => "Ünïcødé & \\\"quotes\\\" 'too'".to_string(),
            _ => format!("t{i:02}"),
        };
        s.push_str(&format!(
            "table \"{name}\" {{\n  schema = {schema}\n  comment = \"table <{i}> & co\"\n  column \"id\" {{ type = bigint }}\n  column \"ref\" {{\n    type = bigint\n    null = true\n  }}\n  column \"mood\" {{\n    type = enum.mood\n    null = true\n  }}\n  primary_key {{ columns = [column.id] }}\n"
        ));
        if i > 0 && i % 5 != 4 && i % 7 != 0 {
            let parent = if i < 10 { 0 } else { i / 3 };
            let parent = if parent % 5 == 4 || parent == 7 || parent == 8 {
                0
            } else {
                parent
            };
            let pname = if parent == 0 {
                "users".to_string()
            } else {
                format!("t{parent:02}")
            };
            s.push_str(&format!(
                "  foreign_key \"fk_{i}\" {{\n    columns     = [column.ref]\n    ref_columns = [table.{pname}.column.id]\n  }}\n"
            ));
        }
        s.push_str("}\n");
    }
    s.push_str("view \"recent\" {\n  schema = schema.public\n  as = \"SELECT id FROM users\"\n}\n");
    s
}

fn erd_of(dir: &Path, schema: &str, format: &str) -> (PathBuf, String) {
    std::fs::write(dir.join("schema.hcl"), schema).expect("write schema");
    let out = dir.join(format!("schema.{format}"));
    strata()
        .current_dir(dir)
        .args(["erd", "--src", "schema.hcl", "--format", format, "--out"])
        .arg(&out)
        .assert()
        .success();
    let text = std::fs::read_to_string(&out).expect("page written");
    (out, text)
}

#[test]
fn fifty_tables_are_all_drawn_and_nothing_is_fetched() {
    let dir = tempfile::tempdir().expect("tempdir");
    let schema = fifty_tables();
    assert_eq!(model_tables(&schema), 50);
    let (page, html) = erd_of(dir.path(), &schema, "html");
    assert_eq!(tables_drawn(&html), 50);
    assert_offline(&html);
    // The odd names are escaped: no markup of theirs reaches the page.
    assert!(!html.contains("<script>alert"), "unescaped name");
    assert!(!html.contains("<b>bad"), "unescaped enum value");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("Ünïcødé &amp; &quot;quotes&quot; &#39;too&#39;"));
    let Some(browser) = chromium() else { return };
    let dom = dump_dom(&browser, &page, "");
    assert!(
        dom.contains("data-ready=\"true\""),
        "the page's script did not finish"
    );
    assert_eq!(tables_drawn(&dom), 50, "tables in the browser's DOM");
    assert_eq!(dom.matches("<script").count(), 2, "a name became a script");
    // Search by the URL fragment: `t1` matches t10…t19 (t14 is in the other schema: it
    // matches too).
    let dom = dump_dom(&browser, &page, "#q=t1");
    let matched = dom.matches("class=\"ent table match\"").count();
    assert_eq!(matched, 10, "tables matching t1");
    assert!(dom.contains("10 of 50 tables"));
    // Selecting a table highlights its neighbours and fills the panel with its columns.
    let dom = dump_dom(&browser, &page, "#t=public.users");
    assert!(dom.contains("class=\"ent table sel\""), "selected");
    assert!(
        dom.matches("class=\"ent table hl\"").count() >= 5,
        "neighbours"
    );
    assert!(dom.contains("<aside id=\"panel\">"), "panel shown");
    assert!(dom.contains("<h2>public.users</h2>"), "panel title");
    assert!(
        dom.contains("table &lt;0&gt; &amp; co"),
        "comment in the panel"
    );
    let png = dir.path().join("shot.png");
    screenshot(&browser, &page, &png);
}

#[test]
fn the_example_schema_is_drawn() {
    let dir = tempfile::tempdir().expect("tempdir");
    let schema = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("schema.hcl"))
        .expect("the repository's schema.hcl");
    let expected = model_tables(&schema);
    assert!(expected > 0);
    let (page, html) = erd_of(dir.path(), &schema, "html");
    assert_eq!(tables_drawn(&html), expected);
    assert_offline(&html);
    let Some(browser) = chromium() else { return };
    let dom = dump_dom(&browser, &page, "");
    assert!(dom.contains("data-ready=\"true\""));
    assert_eq!(tables_drawn(&dom), expected);
}

#[test]
fn svg_is_a_bare_drawing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (page, svg) = erd_of(dir.path(), &fifty_tables(), "svg");
    assert!(svg.starts_with("<?xml") && svg.trim_end().ends_with("</svg>"));
    assert!(!svg.contains("<script"));
    assert_eq!(tables_drawn(&svg), 50);
    assert_offline(&svg);
    let Some(browser) = chromium() else { return };
    let dom = dump_dom(&browser, &page, "");
    assert_eq!(tables_drawn(&dom), 50);
}

#[tokio::test]
async fn erd_of_a_live_database_and_a_colored_plan() {
    let db = TestDb::new("erd_html").await;
    db.exec(
        "CREATE TABLE users (id bigint PRIMARY KEY, email text);
         CREATE TABLE \"Old <One>\" (id int PRIMARY KEY);
         CREATE TABLE posts (id int PRIMARY KEY, user_id bigint REFERENCES users (id), gone text);",
    )
    .await;
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("live.html");
    strata()
        .args(["--url", &db.url, "erd", "--out"])
        .arg(&out)
        .assert()
        .success();
    let html = std::fs::read_to_string(&out).expect("written");
    assert_eq!(tables_drawn(&html), 3);
    assert!(html.contains("data-table=\"public.Old &lt;One&gt;\""));
    // --exclude cuts like inspect.
    let svg = strata()
        .args([
            "--url",
            &db.url,
            "--exclude",
            "public.posts",
            "erd",
            "--format",
            "svg",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(tables_drawn(&String::from_utf8_lossy(&svg)), 2);

    // The plan adds a table and a column, drops a table and a column.
    let src = db.write(
        "schema.hcl",
        r#"schema "public" {}
table "users" {
  schema = schema.public
  column "id" { type = bigint }
  column "email" {
    type = text
    null = true
  }
  column "name" {
    type = text
    null = true
  }
  primary_key { columns = [column.id] }
}
table "posts" {
  schema = schema.public
  column "id" { type = int }
  column "user_id" {
    type = bigint
    null = true
  }
  primary_key { columns = [column.id] }
  foreign_key "posts_user_id_fkey" {
    columns     = [column.user_id]
    ref_columns = [table.users.column.id]
  }
}
table "tags" {
  schema = schema.public
  column "id" { type = int }
  primary_key { columns = [column.id] }
}
"#,
    );
    let page = strata()
        .args(["--url", &db.url, "--dev-url", &common::base_url(), "--src"])
        .arg(&src)
        .args(["plan", "--format", "html", "--allow-destructive"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let html = String::from_utf8(page).expect("utf-8");
    assert_offline(&html);
    assert_eq!(tables_drawn(&html), 4, "desired tables and the dropped one");
    assert!(html.contains("class=\"ent table added\" data-name=\"public.tags\""));
    assert!(html.contains("class=\"ent table dropped\" data-name=\"public.Old &lt;One&gt;\""));
    assert!(html.contains("class=\"ent table changed\" data-name=\"public.users\""));
    assert!(html.contains("<g class=\"row added\" data-column=\"name\">"));
    assert!(html.contains("<g class=\"row dropped\" data-column=\"gone\">"));
    assert!(html.contains("CREATE TABLE &quot;public&quot;.&quot;tags&quot;"));
    let file = dir.path().join("plan.html");
    std::fs::write(&file, &html).expect("write");
    let Some(browser) = chromium() else { return };
    let dom = dump_dom(&browser, &file, "");
    assert!(dom.contains("data-ready=\"true\""));
    assert_eq!(tables_drawn(&dom), 4);
}
