//! `strata erd`: the live database (or, with `--src` and no `--url`, the schema sources) as a
//! diagram: one self-contained HTML page or a bare SVG, on stdout or in `--out FILE`. Reads the
//! schema exactly as `strata inspect` does, `--schema` and `--exclude` included.

use super::Settings;
use crate::cli::{EXIT_OK, ErdArgs, ErdFormat};
use crate::render::erd_html::{self, Page};
use miette::Result;

pub(crate) async fn run(s: &Settings, args: &ErdArgs, from_sources: bool) -> Result<u8> {
    let model = if from_sources {
        super::inspect::desired(s).await?
    } else {
        super::inspect::live(s).await?
    };
    crate::timing::stage("inspected");
    let text = match args.format {
        ErdFormat::Html => erd_html::html(
            &model,
            &Page {
                title: "strata erd",
                ..Default::default()
            },
        ),
        ErdFormat::Svg => erd_html::svg(&model),
    };
    crate::timing::stage("rendered");
    match &args.out {
        Some(path) => {
            std::fs::write(path, text).map_err(|e| {
                miette::miette!(
                    code = "strata::output",
                    "cannot write {}: {e}",
                    path.display()
                )
            })?;
            println!(
                "Wrote the diagram of {} tables to {}",
                model.tables().count(),
                path.display()
            );
        }
        None => print!("{text}"),
    }
    Ok(EXIT_OK)
}
