//! Fleets: one desired schema, many databases (an env with `for_each`, one target per item).
//! The desired schema is normalized once per distinct source (targets that differ only in
//! their URL share it); targets are inspected and planned concurrently, at most `parallelism`
//! at a time; plans are grouped by what they would do ([`group_key`]); apply runs every target
//! in its own transaction under the usual advisory lock and fingerprint check, with a canary
//! stage, fail-fast or continue-on-error, and a report that `--resume` reads back.
//!
//! Nothing here prints: the command layer renders progress and results.

pub(crate) mod report;
pub(crate) mod saved;

use crate::apply::{self, ApplyOptions, Progress};
use crate::config::duration::Timeouts;
use crate::lint::policy::{Level, Policy};
use crate::plan::{Plan, Step};
use crate::postgres::connect::{DbUrl, interrupted};
use crate::postgres::inspect::Unmanaged;
use crate::settings::{Settings, connect_reader, usage};
use futures_util::StreamExt;
use miette::Result;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;
use std::time::{Duration, Instant};
use tokio::sync::OnceCell;

/// One target of the fleet: its key (`each.key`), a name safe to print, and the settings
/// that plan it (the env's, with the target's URL, schemas and variables).
#[derive(Debug, Clone)]
pub(crate) struct Member {
    pub(crate) key: String,
    /// The key, or the redacted URL when the key is one (a literal list of URLs).
    pub(crate) name: String,
    pub(crate) settings: Settings,
}

/// The members of the settings' fleet, in the env's order; an error when the env is not a
/// fleet or a target has no URL.
pub(crate) fn members(s: &Settings) -> Result<Vec<Member>> {
    let Some(targets) = &s.fleet else {
        return Err(usage(
            "this env is not a fleet",
            "a fleet env has `for_each = …` and a `url` per target (each.value)",
        ));
    };
    let mut out = Vec::with_capacity(targets.len());
    for t in targets {
        let name = display_name(&t.key);
        let Some(url) = &t.url else {
            return Err(usage(
                format!("target \"{name}\" of the fleet has no `url`"),
                "give the env a `url` that uses each.value, e.g. url = urlsetpath(var.url, each.value)",
            ));
        };
        let mut settings = s.clone();
        settings.fleet = None;
        settings.url = Some(url.clone());
        settings.url_unset = None;
        if !t.schemas.is_empty() {
            settings.schemas = t.schemas.clone();
        }
        // The target's own values win: they are what tells the tenants apart.
        for (k, v) in &t.vars {
            settings.vars.insert(k.clone(), v.clone());
        }
        out.push(Member {
            key: t.key.clone(),
            name,
            settings,
        });
    }
    Ok(out)
}

/// A key that is a URL is printed without its password.
fn display_name(key: &str) -> String {
    if key.contains("://") {
        match DbUrl::parse(key) {
            Ok(u) => u.redacted(),
            Err(_) => crate::postgres::connect::redact_text(key),
        }
    } else {
        key.to_string()
    }
}

pub(crate) use crate::cli::Shard;

/// Whether the target `key` is in `shard`: a stable hash (SHA-256) of the key, modulo N.
pub(crate) fn in_shard(shard: &Shard, key: &str) -> bool {
    shard_of(key, shard.count) + 1 == shard.index
}

/// The 0-based slice of `key` among `count`.
pub(crate) fn shard_of(key: &str, count: u64) -> u64 {
    let digest = Sha256::digest(key.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    u64::from_be_bytes(first) % count.max(1)
}

/// A planned target: its plan, or why it could not be planned.
pub(crate) struct Planned {
    pub(crate) member: Member,
    pub(crate) outcome: std::result::Result<TargetPlan, String>,
    pub(crate) elapsed: Duration,
}

pub(crate) struct TargetPlan {
    pub(crate) plan: Plan,
    pub(crate) warnings: Vec<Unmanaged>,
    /// What the plan would do, the same for targets whose plans do the same ([`group_key`]).
    pub(crate) group: String,
    /// `apply` would refuse the plan: its biggest transaction needs more locks than the
    /// target's lock table holds (the message).
    pub(crate) too_big: Option<String>,
}

/// Plans every member, at most `parallelism` at a time, calling `done` as each finishes;
/// returns them in the members' order. The desired schema is loaded and normalized once per
/// distinct (variables, schemas) of the members.
pub(crate) async fn plan_all(
    members: Vec<Member>,
    parallelism: usize,
    done: &mut dyn FnMut(&Planned),
) -> Vec<Planned> {
    type Canonical = Rc<OnceCell<std::result::Result<crate::pipeline::Desired, String>>>;
    let mut cache: HashMap<(BTreeMap<String, String>, Vec<String>), Canonical> = HashMap::new();
    let jobs: Vec<(usize, Member, Canonical)> = members
        .into_iter()
        .enumerate()
        .map(|(i, m)| {
            let key = (m.settings.vars.clone(), m.settings.schemas.clone());
            let cell = cache.entry(key).or_default().clone();
            (i, m, cell)
        })
        .collect();
    let total = jobs.len();
    let mut stream = futures_util::stream::iter(jobs.into_iter().map(|(i, m, cell)| async move {
        let started = Instant::now();
        let outcome = plan_member(&m, &cell).await;
        (
            i,
            Planned {
                member: m,
                outcome,
                elapsed: started.elapsed(),
            },
        )
    }))
    .buffer_unordered(parallelism.max(1));
    let mut out: Vec<Option<Planned>> = (0..total).map(|_| None).collect();
    while let Some((i, p)) = stream.next().await {
        done(&p);
        out[i] = Some(p);
    }
    out.into_iter().flatten().collect()
}

async fn plan_member(
    m: &Member,
    canonical: &OnceCell<std::result::Result<crate::pipeline::Desired, String>>,
) -> std::result::Result<TargetPlan, String> {
    if interrupted() {
        return Err("not planned: interrupted".to_string());
    }
    let text = |e: miette::Report| crate::postgres::connect::redact_text(&format!("{e}"));
    let desired = canonical
        .get_or_init(|| async {
            crate::pipeline::canonical_desired(&m.settings)
                .await
                .map_err(text)
        })
        .await
        .as_ref()
        .map_err(|e| format!("the desired schema: {e}"))?
        .reuse()
        .ok_or_else(|| "the desired schema is not canonical".to_string())?;
    let url = crate::settings::target_url(&m.settings)
        .await
        .map_err(text)?;
    let prepared = crate::pipeline::prepare_canonical(&m.settings, url, desired)
        .await
        .map_err(text)?;
    let too_big = apply::lock_shortfall(&prepared.client, &prepared.plan)
        .await
        .map_err(text)?
        .map(|e| e.to_string());
    let group = group_key(&prepared.plan, &m.settings.schemas);
    Ok(TargetPlan {
        plan: prepared.plan,
        warnings: prepared.warnings,
        group,
        too_big,
    })
}

/// What a plan does, as a digest: its steps' actions, statements and hazard codes. The
/// target's own schemas (schema-per-tenant fleets) count as one placeholder, so that tenants
/// whose plans differ only in their schema's name share a group. Empty for no changes.
pub(crate) fn group_key(plan: &Plan, own_schemas: &[String]) -> String {
    if plan.is_empty() {
        return String::new();
    }
    let mut h = Sha256::new();
    let quoted: Vec<String> = own_schemas
        .iter()
        .map(|s| crate::postgres::quote::ident(s))
        .collect();
    for step in &plan.steps {
        h.update(format!("{:?}|{:?}\n", step.action, step.phase).as_bytes());
        for sql in &step.statements {
            h.update(placeholder(sql, &quoted).as_bytes());
            h.update(b"\n");
        }
        for hz in &step.hazards {
            h.update(hz.code.as_bytes());
            h.update(b",");
        }
    }
    let digest = h.finalize();
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// `sql` with each of `idents` (as the DDL spells them) replaced by `{schema}` where it
/// stands as a whole identifier.
fn placeholder(sql: &str, idents: &[String]) -> String {
    let mut out = sql.to_string();
    for ident in idents {
        let mut next = String::with_capacity(out.len());
        let mut rest = out.as_str();
        while let Some(i) = rest.find(ident.as_str()) {
            let before = rest[..i].chars().next_back();
            let after = rest[i + ident.len()..].chars().next();
            let word =
                |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$');
            let quoted = ident.starts_with('"');
            next.push_str(&rest[..i]);
            if quoted || (!word(before) && !word(after)) {
                next.push_str("{schema}");
            } else {
                next.push_str(ident);
            }
            rest = &rest[i + ident.len()..];
        }
        next.push_str(rest);
        out = next;
    }
    out
}

/// Plans with the same group key, in the order their first member was listed.
pub(crate) struct Group<'a> {
    pub(crate) key: String,
    pub(crate) members: Vec<&'a Planned>,
}

impl Group<'_> {
    /// The plan shown for the group: its first member's.
    pub(crate) fn plan(&self) -> Option<&TargetPlan> {
        self.members.first().and_then(|p| p.outcome.as_ref().ok())
    }
}

/// The planned targets grouped by what their plans do: "no changes" first, then the groups in
/// the order of their first member. Targets that failed to plan are in no group.
pub(crate) fn groups(planned: &[Planned]) -> Vec<Group<'_>> {
    let mut order: Vec<Group> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for p in planned {
        let Ok(tp) = &p.outcome else { continue };
        match index.get(tp.group.as_str()) {
            Some(&i) => order[i].members.push(p),
            None => {
                index.insert(tp.group.as_str(), order.len());
                order.push(Group {
                    key: tp.group.clone(),
                    members: vec![p],
                });
            }
        }
    }
    order.sort_by_key(|g| !g.key.is_empty());
    order
}

/// What happened to one target in a fleet apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Status {
    /// Its plan ran and committed.
    Succeeded,
    /// Nothing to change.
    Unchanged,
    /// Planning or applying failed (its transaction rolled back).
    Failed,
    /// Not attempted: the canary or another target failed (--fail-fast), or Ctrl-C.
    Skipped,
    /// The policy refuses its plan unattended (a denied hazard).
    Refused,
}

impl Status {
    /// Whether `--resume` leaves the target alone.
    pub(crate) fn is_done(self) -> bool {
        matches!(self, Status::Succeeded | Status::Unchanged)
    }
}

/// The outcome of one target.
#[derive(Debug, Clone)]
pub(crate) struct Outcome {
    pub(crate) name: String,
    pub(crate) status: Status,
    pub(crate) error: Option<String>,
    pub(crate) elapsed: Duration,
    /// Steps that ran (all of them when it succeeded).
    pub(crate) steps: usize,
    pub(crate) group: Option<String>,
}

/// How a fleet is applied.
pub(crate) struct ApplyFleet<'a> {
    pub(crate) parallelism: usize,
    /// Apply to this many targets first; stop when any of them fails.
    pub(crate) canary: usize,
    /// Stop starting targets after the first failure (default: go on with the others).
    pub(crate) fail_fast: bool,
    pub(crate) timeouts: Timeouts,
    /// Refuse plans with hazards the policy denies (unattended).
    pub(crate) refuse_denied: Option<&'a Policy>,
    pub(crate) verbose: bool,
    /// The plans come from a file (`apply FILE`): a changed database reads "Saved plan is
    /// stale".
    pub(crate) saved: bool,
}

/// Applies the planned targets' plans (those with changes), each in its own transaction, and
/// returns one outcome per planned target, in their order. `done` sees each target as it
/// finishes (with how many are finished and how many were to apply).
pub(crate) async fn apply_all(
    planned: &[Planned],
    opts: &ApplyFleet<'_>,
    done: &mut dyn FnMut(&Outcome, usize, usize),
) -> Vec<Outcome> {
    let mut outcomes: Vec<Option<Outcome>> = planned.iter().map(|_| None).collect();
    let mut work: Vec<usize> = Vec::new();
    for (i, p) in planned.iter().enumerate() {
        let base = |status, error: Option<String>| Outcome {
            name: p.member.name.clone(),
            status,
            error,
            elapsed: Duration::ZERO,
            steps: 0,
            group: None,
        };
        match &p.outcome {
            Err(e) => outcomes[i] = Some(base(Status::Failed, Some(e.clone()))),
            Ok(tp) if tp.plan.is_empty() => outcomes[i] = Some(base(Status::Unchanged, None)),
            Ok(tp) => {
                if let Some(msg) = &tp.too_big {
                    outcomes[i] = Some(Outcome {
                        group: Some(tp.group.clone()),
                        ..base(Status::Refused, Some(msg.clone()))
                    });
                } else if let Some(denied) = opts
                    .refuse_denied
                    .and_then(|policy| denied(&tp.plan, policy))
                {
                    outcomes[i] = Some(Outcome {
                        group: Some(tp.group.clone()),
                        ..base(Status::Refused, Some(denied))
                    });
                } else {
                    work.push(i);
                }
            }
        }
    }
    let total = work.len();
    let mut finished = 0usize;
    let mut failed = false;
    let canary = opts.canary.min(work.len());
    let (first, rest) = work.split_at(canary);
    for stage in [first, rest] {
        if stage.is_empty() {
            continue;
        }
        let stop_stage = failed && (opts.fail_fast || canary > 0) || interrupted();
        if stop_stage {
            for &i in stage {
                outcomes[i] = Some(skipped(
                    &planned[i],
                    "not started: an earlier target failed",
                ));
            }
            continue;
        }
        let stop = std::cell::Cell::new(false);
        let mut stream = futures_util::stream::iter(stage.iter().map(|&i| {
            let stop = &stop;
            async move {
                let p = &planned[i];
                if stop.get() || interrupted() {
                    let why = if interrupted() {
                        "not started: interrupted"
                    } else {
                        "not started: an earlier target failed (--fail-fast)"
                    };
                    return (i, skipped(p, why));
                }
                (i, apply_one(p, opts).await)
            }
        }))
        .buffer_unordered(opts.parallelism.max(1));
        while let Some((i, o)) = stream.next().await {
            if o.status == Status::Failed {
                failed = true;
                if opts.fail_fast {
                    stop.set(true);
                }
            }
            if o.status != Status::Skipped {
                finished += 1;
            }
            done(&o, finished, total);
            outcomes[i] = Some(o);
        }
    }
    outcomes
        .into_iter()
        .zip(planned)
        .map(|(o, p)| o.unwrap_or_else(|| skipped(p, "not started")))
        .collect()
}

/// The outcomes when nothing is applied: failed plans failed, empty ones unchanged, the
/// others skipped for `why`.
pub(crate) fn not_applied(planned: &[Planned], why: &str) -> Vec<Outcome> {
    planned
        .iter()
        .map(|p| match &p.outcome {
            Err(e) => Outcome {
                status: Status::Failed,
                error: Some(e.clone()),
                ..skipped(p, "")
            },
            Ok(tp) if tp.plan.is_empty() => Outcome {
                status: Status::Unchanged,
                error: None,
                ..skipped(p, "")
            },
            Ok(_) => skipped(p, why),
        })
        .collect()
}

fn skipped(p: &Planned, why: &str) -> Outcome {
    Outcome {
        name: p.member.name.clone(),
        status: Status::Skipped,
        error: Some(why.to_string()),
        elapsed: Duration::ZERO,
        steps: 0,
        group: p.outcome.as_ref().ok().map(|tp| tp.group.clone()),
    }
}

/// The codes the policy denies in `plan`, as a refusal message; `None` when it denies none.
fn denied(plan: &Plan, policy: &Policy) -> Option<String> {
    let mut codes: Vec<&str> = plan
        .hazards()
        .filter(|(_, h)| policy.level(h) == Level::Deny)
        .map(|(_, h)| h.code.as_str())
        .collect();
    if codes.is_empty() {
        return None;
    }
    codes.sort();
    codes.dedup();
    Some(format!(
        "refused unattended: the policy denies {} (allow with --allow-hazards {})",
        codes.join(", "),
        codes.join(",")
    ))
}

/// Counts the steps that finished.
struct Count(usize);

impl Progress for Count {
    fn step_started(&mut self, _index: usize, _step: &Step) {}
    fn step_finished(&mut self, _index: usize, _step: &Step, _elapsed: Duration) {
        self.0 += 1;
    }
}

async fn apply_one(p: &Planned, opts: &ApplyFleet<'_>) -> Outcome {
    let started = Instant::now();
    let mut out = Outcome {
        name: p.member.name.clone(),
        status: Status::Failed,
        error: None,
        elapsed: Duration::ZERO,
        steps: 0,
        group: None,
    };
    let Ok(tp) = &p.outcome else {
        return out;
    };
    out.group = Some(tp.group.clone());
    let s = &p.member.settings;
    let mut count = Count(0);
    let result = async {
        let url = crate::settings::target_url(s).await?;
        let mut client = connect_reader(&url, opts.timeouts.lock).await?;
        crate::pipeline::refuse_other_database(&client, &tp.plan, &url).await?;
        let apply_opts = ApplyOptions {
            timeouts: opts.timeouts,
            scope: crate::model::Scope {
                schemas: tp.plan.schemas.clone(),
                exclude: tp.plan.exclude.clone(),
                roles: tp.plan.roles.clone(),
            },
            check_fingerprint: true,
            saved: opts.saved,
            monitor: Some(url.clone()),
            verbose: opts.verbose,
        };
        apply::apply(&mut client, &tp.plan, &apply_opts, &mut count).await?;
        Ok::<_, miette::Report>(())
    }
    .await;
    out.elapsed = started.elapsed();
    out.steps = count.0;
    match result {
        Ok(()) => out.status = Status::Succeeded,
        Err(e) => {
            out.error = Some(crate::postgres::connect::redact_text(&format!("{e}")));
        }
    }
    out
}
