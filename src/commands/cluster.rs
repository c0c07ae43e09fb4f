//! `strata cluster start|stop`: the private PostgreSQL cluster in .strata/.

use super::Settings;
use crate::cli::{ClusterAction, ClusterArgs, EXIT_OK};
use crate::devdb::cluster;
use miette::Result;

pub async fn run(s: &Settings, args: &ClusterArgs) -> Result<u8> {
    match args.action {
        ClusterAction::Start => {
            let url = cluster::ensure(&s.project_dir).await?;
            println!("The private cluster is running: {}", url.redacted());
        }
        ClusterAction::Stop => {
            if cluster::stop(&s.project_dir)? {
                println!(
                    "Stopped the private cluster in {}.",
                    cluster::state_dir(&s.project_dir).display()
                );
            } else {
                println!("The private cluster is not running.");
            }
        }
    }
    Ok(EXIT_OK)
}
