//! `strata validate`: load and check the schema files, no database.

use super::{Settings, load_desired};
use crate::cli::EXIT_OK;
use miette::Result;

pub fn run(s: &Settings) -> Result<u8> {
    let loaded = load_desired(s)?;
    let m = &loaded.model;
    println!(
        "{} The configuration is valid: {} schema(s), {} table(s), {} enum(s).",
        s.painter.bold_green("Success!"),
        m.schemas.len(),
        m.table_count(),
        m.enums().count()
    );
    Ok(EXIT_OK)
}
