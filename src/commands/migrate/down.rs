//! `strata migrate down [N]`: reverts the last N applied files. The target state is the
//! directory replayed up to the version before them on a scratch database; the plan from the
//! live database to it supplies the hazards, and its SQL runs when the files have no down files.

use super::{replayed_state, shown};
use crate::cli::migrate::DownArgs;
use crate::cli::{EXIT_ERROR, EXIT_OK};
use crate::commands::{Settings, apply_exclude, connect, dev_source, refused, target_url, usage};
use crate::diff;
use crate::migrate::dir::{Dir, Migration, compare_versions};
use crate::migrate::inspect_state;
use crate::migrate::revisions::{self, Kind};
use crate::migrate::sql::SqlFile;
use crate::plan::{self as planner, PlanContext, PlanDeps};
use miette::Result;
use std::cmp::Ordering;
use std::path::Path;
use tokio_postgres::Client;

pub(crate) async fn run(s: &Settings, path: &Path, args: &DownArgs) -> Result<u8> {
    let p = &s.painter;
    let timeouts = s.timeouts_with(args.lock_timeout, None, None);
    let dir = Dir::open(path)?;
    dir.check_sum()?;
    let interactive = s.can_prompt();
    if !args.dry_run && !args.auto_approve && !interactive {
        return Err(refused(
            format!("refusing to revert: {}", s.no_prompt_reason()),
            "run with --dry-run to review, then with --auto-approve (and --allow-destructive if steps lose data)",
        ));
    }
    let url = target_url(s).await?;
    let client = connect(&url).await?;
    revisions::lock(&client, timeouts.db_lock_wait.as_duration()).await?;
    let revs = revisions::read(&client).await?;
    let applied: Vec<&revisions::Revision> = revs.iter().filter(|r| !r.failed()).collect();
    if applied.is_empty() {
        println!("No applied migrations to revert.");
        return Ok(EXIT_OK);
    }
    if args.count == 0 {
        return Err(usage("nothing to revert: N is 0", "pass N >= 1"));
    }
    let n = args.count.min(applied.len());
    let reverted: Vec<&revisions::Revision> = applied.iter().rev().take(n).copied().collect();
    if let Some(b) = reverted.iter().find(|r| r.kind == Kind::Baseline) {
        return Err(usage(
            format!("cannot revert past the baseline version {}", b.version),
            "strata did not create what the baselined files describe",
        ));
    }
    let target: Option<String> = applied.iter().rev().nth(n).map(|r| r.version.clone());
    let mut files: Vec<&Migration> = Vec::new();
    for r in &reverted {
        let Some(m) = dir.find(&r.version) else {
            return Err(usage(
                format!(
                    "applied version {} has no file in {}",
                    r.version,
                    shown(path)
                ),
                "restore the file: strata needs the directory to compute the state to return to",
            ));
        };
        files.push(m);
    }
    let keep: Vec<&Migration> = dir
        .migrations
        .iter()
        .filter(|m| {
            target
                .as_deref()
                .is_some_and(|t| compare_versions(&m.version, t) != Ordering::Greater)
        })
        .collect();
    let dev = dev_source(s)?;
    let (mut wanted, wanted_deps) = replayed_state(&dev, &dir.path, &keep).await?;
    let (mut live, live_deps) = inspect_state(&client).await?;
    if !s.schemas.is_empty() {
        wanted.schemas.retain(|n, _| s.schemas.contains(n));
        live.schemas.retain(|n, _| s.schemas.contains(n));
    }
    apply_exclude(&mut wanted, &s.exclude);
    apply_exclude(&mut live, &s.exclude);
    let changes = diff::diff(&live, &wanted)?;
    let plan = planner::build(
        &changes,
        &live,
        &wanted,
        &PlanDeps {
            current: live_deps,
            desired: wanted_deps,
        },
        &PlanContext {
            env: s.env_name.clone(),
            target: url.redacted(),
            database: None,
            schemas: wanted.schemas.keys().cloned().collect(),
            exclude: s.exclude.clone(),
            online: false,
            roles: None,
        },
    );
    let downs: Vec<Option<SqlFile>> = files
        .iter()
        .map(|m| m.down_sql(&dir.path))
        .collect::<Result<_, _>>()?;
    let use_down_files = downs.iter().all(Option::is_some);
    println!(
        "Reverting {} migration(s) ({}) to version {}:",
        files.len(),
        files
            .iter()
            .map(|m| m.name.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        target.as_deref().unwrap_or("none (empty)")
    );
    println!();
    if use_down_files {
        for f in downs.iter().flatten() {
            println!("-- {}", f.name);
            print!("{}", f.text);
            println!();
        }
    } else {
        println!("-- computed: the database compared with the directory at that version");
        print!("{}", super::render_file(&plan));
        println!();
    }
    let lossy: Vec<String> = plan
        .steps
        .iter()
        .filter(|st| st.is_destructive())
        .flat_map(|st| st.hazards.iter().filter(|h| h.is_data_loss()))
        .map(|h| format!("{} {}", h.code, h.message))
        .collect();
    for (_, h) in plan.hazards() {
        let line = format!("hazard {} ({}): {}", h.code, h.category.label(), h.message);
        println!(
            "{}",
            if h.is_data_loss() {
                p.red(&line)
            } else {
                p.yellow(&line)
            }
        );
    }
    if args.dry_run {
        println!("Nothing was changed (--dry-run).");
        return Ok(EXIT_OK);
    }
    if !lossy.is_empty() && !args.allow_destructive && (args.auto_approve || !interactive) {
        return Err(refused(
            format!("refusing to revert: it loses data ({})", lossy.join("; ")),
            "review it with --dry-run; pass --allow-destructive to revert anyway",
        ));
    }
    if !args.auto_approve {
        eprintln!();
        eprintln!(
            "{}",
            p.bold("Do you want to revert these migrations? Only 'yes' will be accepted.")
        );
        if !crate::commands::approved("use --auto-approve").await? {
            println!("Revert cancelled.");
            return Ok(EXIT_ERROR);
        }
    }
    client
        .batch_execute(&crate::postgres::connect::lock_timeout_sql(
            &timeouts.lock.postgres(),
        ))
        .await
        .map_err(|e| {
            miette::miette!(
                code = "strata::migrate::db",
                "cannot set lock_timeout: {}",
                crate::postgres::connect::error_text(&e)
            )
        })?;
    // Failed rows above the target go too: their files are no longer pending past the target.
    let failed_above: Vec<String> = revs
        .iter()
        .filter(|r| r.failed())
        .map(|r| r.version.clone())
        .collect();
    if use_down_files {
        for (m, f) in files.iter().zip(downs.iter().flatten()) {
            let none = f.directives().txmode_none;
            if !none {
                tx(&client, "BEGIN").await?;
            }
            let ran = crate::migrate::sql::run_file(
                &client,
                f,
                &format!("down file of {} failed", m.name),
            )
            .await;
            if let Err(e) = ran {
                if !none {
                    let _ = client.batch_execute("ROLLBACK").await;
                }
                return Err(e
                    .with_help("the down file was rolled back; later files stay reverted")
                    .into());
            }
            revisions::delete(&client, std::slice::from_ref(&m.version)).await?;
            if !none {
                tx(&client, "COMMIT").await?;
            }
            println!("  reverted {}", m.name);
        }
        revisions::delete(&client, &failed_above).await?;
    } else {
        tx(&client, "BEGIN").await?;
        for st in plan.statements() {
            if let Err(e) = client.batch_execute(st).await {
                let _ = client.batch_execute("ROLLBACK").await;
                return Err(miette::miette!(
                    code = "strata::migrate::revert",
                    help = "the revert was rolled back; nothing changed",
                    "revert failed: {}\n  statement: {st}",
                    crate::postgres::connect::error_text(&e)
                ));
            }
        }
        let mut versions: Vec<String> = files.iter().map(|m| m.version.clone()).collect();
        versions.extend(failed_above);
        revisions::delete(&client, &versions).await?;
        tx(&client, "COMMIT").await?;
    }
    println!();
    println!(
        "{} Now at version {}.",
        p.bold_green("Revert complete!"),
        target.as_deref().unwrap_or("none")
    );
    Ok(EXIT_OK)
}

async fn tx(client: &Client, sql: &str) -> Result<()> {
    client.batch_execute(sql).await.map_err(|e| {
        miette::miette!(
            code = "strata::migrate::db",
            "{sql} failed: {}",
            crate::postgres::connect::error_text(&e)
        )
    })
}
