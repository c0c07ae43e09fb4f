//! `strata cluster start|stop|status`: strata's private PostgreSQL cluster, one per user and
//! PostgreSQL version (see `devdb::cluster`); `watchdog` (hidden) stops it when unused.

use super::Settings;
use crate::cli::{ClusterAction, ClusterArgs, EXIT_OK};
use crate::devdb::cluster::{self, Status, human, tilde};
use miette::Result;
use std::time::Duration;

pub(crate) async fn run(s: &Settings, args: &ClusterArgs) -> Result<u8> {
    match &args.action {
        ClusterAction::Start => {
            let url = cluster::ensure(&s.project_dir).await?;
            println!("The private cluster is running: {}", url.redacted());
        }
        ClusterAction::Stop => match cluster::stop(&s.project_dir)? {
            Some(dir) => println!("Stopped the private cluster in {}.", tilde(&dir)),
            None => println!("The private cluster is not running."),
        },
        ClusterAction::Status => print_status(&cluster::status().await?),
        ClusterAction::Watchdog { dir, bin, idle_ms } => {
            cluster::watch(dir, bin, Duration::from_millis(*idle_ms)).await?;
        }
    }
    Ok(EXIT_OK)
}

fn print_status(st: &Status) {
    let c = &st.cluster;
    let state = match (st.created, st.port) {
        (false, _) => "not created yet (strata creates it on first use)",
        (true, None) => "not running (strata starts it when a command needs it)",
        (true, Some(_)) => "running",
    };
    println!("Private PostgreSQL {} cluster: {state}", c.major);
    println!("  data directory: {}", tilde(&c.data()));
    if let Some(port) = st.port {
        println!("  port:           {port} (postgres://postgres@127.0.0.1:{port}/postgres)");
    }
    println!("  server:         {}", tilde(&c.bin));
    println!("  idle stop:      {}", idle_line(st));
    if st.created {
        let dbs = match st.databases.is_empty() {
            true if st.port.is_none() => "(listed while it runs)".to_string(),
            true => "none".to_string(),
            false => st.databases.join(", "),
        };
        println!("  databases:      {dbs}");
    }
}

fn idle_line(st: &Status) -> String {
    let Some(idle) = st.idle else {
        return format!("never ({}=0)", cluster::IDLE_ENV);
    };
    let after = format!("after {} unused", human(idle));
    match (st.port, st.in_use, st.unused_for) {
        (None, _, _) => after,
        (Some(_), _, _) if !st.watched => format!(
            "{after}, from the next strata command on (no watchdog runs now: it was started with {}=0 or the watchdog ended)",
            cluster::IDLE_ENV
        ),
        (Some(_), true, _) => format!("{after}; in use by strata now"),
        (Some(_), false, Some(u)) => format!(
            "{after}; unused for {}, stops in about {}",
            human(u),
            human(idle.saturating_sub(u))
        ),
        (Some(_), false, None) => after,
    }
}
