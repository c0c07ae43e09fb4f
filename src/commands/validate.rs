//! `strata validate`: load and check the schema files, no database. Also runs the schema
//! lints (`ST…` codes) and reports them under the env's policy.

use super::{Settings, load_desired, usage};
use crate::cli::{EXIT_OK, ValidateArgs};
use crate::hcl::SourceMap;
use crate::lint::{self, policy::Level};
use miette::Result;

/// `file:line:column` of the closest declared object that holds `address`.
fn whereabouts(sources: &SourceMap, address: &str) -> Option<String> {
    let mut a = address;
    loop {
        if let Some(loc) = sources.objects.get(a) {
            return Some(loc.display());
        }
        a = &a[..a.rfind('.')?];
    }
}

pub fn run(s: &Settings, args: &ValidateArgs) -> Result<u8> {
    let loaded = load_desired(s)?;
    let m = &loaded.model;
    let mut findings = lint::schema_findings(m);
    findings.retain(|f| s.policy.level(&f.hazard) != Level::Allow || args.all);
    let p = &s.painter;
    let mut denied = 0;
    for f in &findings {
        let h = &f.hazard;
        let at = whereabouts(&loaded.sources, &f.object)
            .map(|w| format!(" ({w})"))
            .unwrap_or_default();
        let text = format!("{} {}: {}{at}", h.code, h.category.label(), h.message);
        match s.policy.level(h) {
            Level::Deny => {
                denied += 1;
                println!("{}", p.bold_red(&format!("✖ {text}")));
            }
            Level::Warn => println!("{}", p.yellow(&format!("! {text}"))),
            Level::Allow => println!("{}", p.dim(&format!("· {text} (allowed)"))),
        }
    }
    if !findings.is_empty() {
        println!();
    }
    if denied > 0 {
        return Err(usage(
            format!("{denied} lint finding(s) the policy denies"),
            "fix them, or change the env's lint block; `strata explain CODE` says why each matters",
        ));
    }
    println!(
        "{} The configuration is valid: {} schema(s), {} table(s), {} enum(s){}.",
        p.bold_green("Success!"),
        m.schemas.len(),
        m.table_count(),
        m.enums().count(),
        if findings.is_empty() {
            String::new()
        } else {
            format!(
                "; {} lint warning(s), `strata explain CODE` for details",
                findings.len()
            )
        }
    );
    Ok(EXIT_OK)
}
