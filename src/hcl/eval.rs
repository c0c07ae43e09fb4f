//! Evaluation of HCL values: `variable` blocks (with `--var` overrides), `locals`, string
//! templates and a small standard library. References to schema objects (`table.users.column.id`)
//! are not values; the loader resolves those itself.

use super::diag::{Errors, HclError, Location, SourceFile};
use hcl::Value;
use hcl::edit::Span;
use hcl::edit::expr::Expression;
use hcl::edit::structure::Block;
use hcl::eval::{Context, Evaluate, FuncArgs, FuncDef, ParamType};
use std::collections::BTreeMap;

/// Values available to expressions: `var.*`, `local.*` and the functions.
pub(crate) struct Evaluator {
    ctx: Context<'static>,
    vars: hcl::Map<String, Value>,
    locals: hcl::Map<String, Value>,
    /// `data.<kind>.<name>` values (env.hcl data sources).
    data: hcl::Map<String, Value>,
    /// `table.<name>.name`, `view.<name>.name`, … for string templates (see `declare_names`).
    names: hcl::Map<String, Value>,
    /// `each.key`/`each.value` of a `for_each` item (env.hcl fleets).
    each: Option<Value>,
    with_getenv: bool,
    /// The variables declared `sensitive = true` (a role's password comes only from one).
    sensitive: std::collections::BTreeSet<String>,
}

impl Evaluator {
    /// An evaluator for schema files (no `getenv`) or for env.hcl (`with_getenv`).
    pub(crate) fn new(with_getenv: bool) -> Self {
        let mut e = Evaluator {
            ctx: Context::new(),
            vars: hcl::Map::new(),
            locals: hcl::Map::new(),
            data: hcl::Map::new(),
            names: hcl::Map::new(),
            each: None,
            with_getenv,
            sensitive: Default::default(),
        };
        e.rebuild();
        e
    }

    fn rebuild(&mut self) {
        let mut ctx = Context::new();
        ctx.declare_var("var", Value::Object(self.vars.clone()));
        ctx.declare_var("local", Value::Object(self.locals.clone()));
        if !self.data.is_empty() {
            ctx.declare_var("data", Value::Object(self.data.clone()));
        }
        if let Some(each) = &self.each {
            ctx.declare_var("each", each.clone());
        }
        for (kind, objects) in &self.names {
            ctx.declare_var(kind.as_str(), objects.clone());
        }
        declare_stdlib(&mut ctx, self.with_getenv);
        self.ctx = ctx;
    }

    /// Whether variable `name` is declared `sensitive = true`.
    pub(crate) fn is_sensitive(&self, name: &str) -> bool {
        self.sensitive.contains(name)
    }

    /// Evaluates an expression to a value.
    pub(crate) fn eval(&self, expr: &Expression) -> Result<Value, String> {
        let converted: hcl::Expression = expr.clone().into();
        check_arithmetic(&self.ctx, &converted)?;
        converted
            .evaluate(&self.ctx)
            .map_err(|e| clean_error(&e.to_string()))
    }

    /// Reads `variable` blocks. A value from `overrides` (`--var name=value`) wins over the
    /// default; a variable with neither is an error at its block.
    pub(crate) fn declare_variables(
        &mut self,
        blocks: &[(&SourceFile, &Block)],
        overrides: &BTreeMap<String, String>,
        errors: &mut Errors,
    ) {
        for (file, block) in blocks {
            let Some(label) = block.labels.first() else {
                errors.push(HclError::new(
                    Location::new(file, block.ident.span()),
                    "a variable block needs a name",
                    "expected `variable \"name\" { … }`",
                ));
                continue;
            };
            let name = label.as_str().to_string();
            let mut declared_type = None;
            let mut default = None;
            for attr in block.body.attributes() {
                match attr.key.as_str() {
                    "type" => declared_type = Some(type_name(&attr.value)),
                    "default" => default = Some(attr),
                    "sensitive" => {
                        if matches!(self.eval(&attr.value), Ok(Value::Bool(true))) {
                            self.sensitive.insert(name.clone());
                        }
                    }
                    "description" | "nullable" => {}
                    other => errors.push(
                        HclError::new(
                            Location::new(file, attr.key.span()),
                            format!("unknown attribute `{other}` in variable \"{name}\""),
                            "not a variable attribute",
                        )
                        .with_help("a variable block takes: type, default, description"),
                    ),
                }
            }
            let value = if let Some(raw) = overrides.get(&name) {
                match convert_override(raw, declared_type.as_deref()) {
                    Ok(v) => v,
                    Err(msg) => {
                        errors.push(HclError::new(
                            Location::new(file, label.span()),
                            format!("invalid value for variable \"{name}\": {msg}"),
                            "declared here",
                        ));
                        continue;
                    }
                }
            } else if let Some(attr) = default {
                match self.eval(&attr.value) {
                    Ok(v) => v,
                    Err(msg) => {
                        errors.push(HclError::new(
                            Location::new(file, attr.value.span()),
                            format!("cannot evaluate the default of variable \"{name}\": {msg}"),
                            "here",
                        ));
                        continue;
                    }
                }
            } else {
                errors.push(
                    HclError::new(
                        Location::new(file, label.span()),
                        format!("missing value for required variable \"{name}\""),
                        "this variable has no default",
                    )
                    .with_help(format!("pass a value with --var {name}=VALUE")),
                );
                continue;
            };
            self.vars.insert(name, value);
        }
        self.rebuild();
    }

    /// Evaluates every `locals` attribute, in whatever order their references allow.
    pub(crate) fn declare_locals(&mut self, blocks: &[(&SourceFile, &Block)], errors: &mut Errors) {
        let mut pending: Vec<(&SourceFile, &hcl::edit::structure::Attribute)> = blocks
            .iter()
            .flat_map(|(f, b)| b.body.attributes().map(move |a| (*f, a)))
            .collect();
        loop {
            let mut progressed = false;
            let mut failed = Vec::new();
            for (file, attr) in pending {
                match self.eval(&attr.value) {
                    Ok(v) => {
                        self.locals.insert(attr.key.as_str().to_string(), v);
                        self.rebuild();
                        progressed = true;
                    }
                    Err(msg) => failed.push((file, attr, msg)),
                }
            }
            if failed.is_empty() {
                break;
            }
            if !progressed {
                for (file, attr, msg) in failed {
                    errors.push(HclError::new(
                        Location::new(file, attr.value.span()),
                        format!("cannot evaluate local \"{}\": {msg}", attr.key.as_str()),
                        "here",
                    ));
                }
                break;
            }
            pending = failed.into_iter().map(|(f, a, _)| (f, a)).collect();
        }
    }

    /// Declares `data.<kind>.<name>` = `value` (a data source of env.hcl).
    pub(crate) fn declare_data(&mut self, kind: &str, name: &str, value: Value) {
        let entry = self
            .data
            .entry(kind.to_string())
            .or_insert_with(|| Value::Object(hcl::Map::new()));
        if let Value::Object(m) = entry {
            m.insert(name.to_string(), value);
        }
        self.rebuild();
    }

    /// Declares the schema objects' names as values, `kind` → object: `${table.users.name}`
    /// in a view's `as` is `users` (Atlas's references inside strings). The loader still
    /// resolves references written as expressions (`columns = [column.id]`) itself.
    pub(crate) fn declare_names(&mut self, names: hcl::Map<String, Value>) {
        self.names = names;
        self.rebuild();
    }

    /// Declares `each.key` and `each.value` (one item of a `for_each`), or removes them.
    pub(crate) fn set_each(&mut self, item: Option<(Value, Value)>) {
        self.each = item.map(|(key, value)| {
            let mut m = hcl::Map::new();
            m.insert("key".to_string(), key);
            m.insert("value".to_string(), value);
            Value::Object(m)
        });
        self.rebuild();
    }
}

fn type_name(expr: &Expression) -> String {
    match expr {
        Expression::Variable(v) => v.as_str().to_string(),
        Expression::FuncCall(f) => f.name.name.as_str().to_string(),
        _ => "any".to_string(),
    }
}

fn convert_override(raw: &str, ty: Option<&str>) -> Result<Value, String> {
    match ty {
        Some("number") | Some("int") => raw
            .parse::<i64>()
            .map(Value::from)
            .or_else(|_| raw.parse::<f64>().map(Value::from))
            .map_err(|_| format!("{raw:?} is not a number")),
        Some("bool") => match raw {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            _ => Err(format!("{raw:?} is not a bool (true or false)")),
        },
        Some("list") | Some("set") => Ok(Value::Array(
            raw.split(',')
                .map(|s| Value::String(s.trim().to_string()))
                .collect(),
        )),
        _ => Ok(Value::String(raw.to_string())),
    }
}

/// hcl-rs error texts end with the whole expression; keep the first line.
fn clean_error(msg: &str) -> String {
    msg.lines().next().unwrap_or(msg).to_string()
}

fn getenv(args: FuncArgs) -> Result<Value, String> {
    let name = args[0].as_str().ok_or("getenv expects a string")?;
    Ok(Value::String(std::env::var(name).unwrap_or_default()))
}

thread_local! {
    /// Where `file("…")` resolves relative paths: the config file's directory while env.hcl
    /// is evaluated (see [`with_file_base`]).
    static FILE_BASE: std::cell::RefCell<Option<std::path::PathBuf>> = const { std::cell::RefCell::new(None) };
}

/// Runs `f` with `file("…")` resolving relative paths against `base` (HCL functions are plain
/// function pointers, so the directory travels beside them).
pub(crate) fn with_file_base<T>(base: &std::path::Path, f: impl FnOnce() -> T) -> T {
    let before = FILE_BASE.with(|b| b.replace(Some(base.to_path_buf())));
    let out = f();
    FILE_BASE.with(|b| *b.borrow_mut() = before);
    out
}

/// `file("tenants.txt")`: the file's text (env.hcl only), relative to the config's directory.
fn file_fn(args: FuncArgs) -> Result<Value, String> {
    let name = args[0].as_str().ok_or("file expects a path")?;
    let path = std::path::Path::new(name);
    let path = if path.is_absolute() {
        path.to_path_buf()
    } else {
        FILE_BASE
            .with(|b| b.borrow().clone())
            .unwrap_or_default()
            .join(path)
    };
    std::fs::read_to_string(&path)
        .map(Value::String)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))
}

/// `split(",", "a,b")`: Terraform's argument order, separator first.
fn split(args: FuncArgs) -> Result<Value, String> {
    let sep = args[0].as_str().unwrap_or_default();
    let s = args[1].as_str().unwrap_or_default();
    if sep.is_empty() {
        return Err("split: the separator is empty".into());
    }
    Ok(Value::Array(
        s.split(sep).map(|p| Value::String(p.to_string())).collect(),
    ))
}

fn trimspace(args: FuncArgs) -> Result<Value, String> {
    Ok(Value::String(
        args[0].as_str().unwrap_or_default().trim().to_string(),
    ))
}

/// `compact(list)`: the list without empty strings and nulls.
fn compact(args: FuncArgs) -> Result<Value, String> {
    let items = args[0].as_array().ok_or("compact expects a list")?;
    Ok(Value::Array(
        items
            .iter()
            .filter(|v| !matches!(v, Value::Null) && v.as_str() != Some(""))
            .cloned()
            .collect(),
    ))
}

/// A URL cut into the part before its path, its path, and its query (without `?`); a fragment
/// is dropped.
fn url_parts(url: &str) -> Result<(&str, &str, &str), String> {
    let url = url.split('#').next().unwrap_or_default();
    let start = url
        .find("://")
        .map(|i| i + 3)
        .ok_or_else(|| "not a URL (no scheme://)".to_string())?;
    let (before_query, query) = url.split_once('?').unwrap_or((url, ""));
    let path_at = before_query[start..]
        .find('/')
        .map_or(before_query.len(), |i| start + i);
    Ok((&before_query[..path_at], &before_query[path_at..], query))
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
pub(crate) fn urlescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn urlescape_fn(args: FuncArgs) -> Result<Value, String> {
    Ok(Value::String(urlescape(
        args[0].as_str().unwrap_or_default(),
    )))
}

/// Atlas's `urlsetpath(url, path)`: the URL with its path (the database) replaced.
fn urlsetpath(args: FuncArgs) -> Result<Value, String> {
    let url = args[0].as_str().unwrap_or_default();
    let path = args[1].as_str().unwrap_or_default();
    let (head, _, query) = url_parts(url).map_err(|e| format!("urlsetpath: {e}"))?;
    let path = path.trim_start_matches('/');
    let mut out = format!("{head}/{}", urlescape(path));
    if !query.is_empty() {
        out.push('?');
        out.push_str(query);
    }
    Ok(Value::String(out))
}

/// Atlas's `urlqueryset(url, key, value)`: the URL with query parameter `key` set to `value`
/// (replaced where present, appended otherwise).
fn urlqueryset(args: FuncArgs) -> Result<Value, String> {
    let url = args[0].as_str().unwrap_or_default();
    let key = args[1].as_str().unwrap_or_default();
    let value = args[2].as_str().unwrap_or_default();
    let (head, path, query) = url_parts(url).map_err(|e| format!("urlqueryset: {e}"))?;
    let pair = format!("{}={}", urlescape(key), urlescape(value));
    let mut params: Vec<String> = Vec::new();
    let mut replaced = false;
    for p in query.split('&').filter(|p| !p.is_empty()) {
        let k = p.split('=').next().unwrap_or_default();
        if k == urlescape(key) {
            if !replaced {
                params.push(pair.clone());
                replaced = true;
            }
        } else {
            params.push(p.to_string());
        }
    }
    if !replaced {
        params.push(pair);
    }
    Ok(Value::String(format!("{head}{path}?{}", params.join("&"))))
}

fn lower(args: FuncArgs) -> Result<Value, String> {
    Ok(Value::String(
        args[0].as_str().unwrap_or_default().to_lowercase(),
    ))
}

fn upper(args: FuncArgs) -> Result<Value, String> {
    Ok(Value::String(
        args[0].as_str().unwrap_or_default().to_uppercase(),
    ))
}

fn join(args: FuncArgs) -> Result<Value, String> {
    let sep = args[0].as_str().unwrap_or_default();
    let items = args[1].as_array().ok_or("join expects a list")?;
    let parts: Vec<String> = items
        .iter()
        .map(|v| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .collect();
    Ok(Value::String(parts.join(sep)))
}

/// `toset(list)`: the list without repeated elements (first occurrence kept). HCL values have no
/// set type: `for_each` reads a list of strings as a set.
fn toset(args: FuncArgs) -> Result<Value, String> {
    let items = args[0].as_array().ok_or("toset expects a list")?;
    let mut out: Vec<Value> = Vec::with_capacity(items.len());
    for v in items {
        if !out.contains(v) {
            out.push(v.clone());
        }
    }
    Ok(Value::Array(out))
}

fn concat(args: FuncArgs) -> Result<Value, String> {
    let mut out = Vec::new();
    for a in args.iter() {
        out.extend(a.as_array().ok_or("concat expects lists")?.iter().cloned());
    }
    Ok(Value::Array(out))
}

fn format_fn(args: FuncArgs) -> Result<Value, String> {
    let fmt = args[0].as_str().ok_or("format expects a format string")?;
    let mut out = String::new();
    let mut rest = args.iter().skip(1);
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '%' {
            match chars.next() {
                Some('%') => out.push('%'),
                Some('s') | Some('d') | Some('v') => match rest.next() {
                    Some(Value::String(s)) => out.push_str(s),
                    Some(v) => out.push_str(&v.to_string()),
                    None => return Err("format: not enough arguments".into()),
                },
                other => {
                    return Err(format!(
                        "format: unsupported verb %{}",
                        other.unwrap_or(' ')
                    ));
                }
            }
        } else {
            out.push(c);
        }
    }
    Ok(Value::String(out))
}

fn declare_stdlib(ctx: &mut Context<'static>, with_getenv: bool) {
    if with_getenv {
        ctx.declare_func(
            "getenv",
            FuncDef::builder().param(ParamType::String).build(getenv),
        );
        ctx.declare_func(
            "file",
            FuncDef::builder().param(ParamType::String).build(file_fn),
        );
    }
    ctx.declare_func(
        "split",
        FuncDef::builder()
            .param(ParamType::String)
            .param(ParamType::String)
            .build(split),
    );
    ctx.declare_func(
        "trimspace",
        FuncDef::builder().param(ParamType::String).build(trimspace),
    );
    ctx.declare_func(
        "compact",
        FuncDef::builder().param(ParamType::Any).build(compact),
    );
    ctx.declare_func(
        "urlsetpath",
        FuncDef::builder()
            .param(ParamType::String)
            .param(ParamType::String)
            .build(urlsetpath),
    );
    ctx.declare_func(
        "urlqueryset",
        FuncDef::builder()
            .param(ParamType::String)
            .param(ParamType::String)
            .param(ParamType::String)
            .build(urlqueryset),
    );
    ctx.declare_func(
        "urlescape",
        FuncDef::builder()
            .param(ParamType::String)
            .build(urlescape_fn),
    );
    ctx.declare_func(
        "lower",
        FuncDef::builder().param(ParamType::String).build(lower),
    );
    ctx.declare_func(
        "upper",
        FuncDef::builder().param(ParamType::String).build(upper),
    );
    ctx.declare_func(
        "join",
        FuncDef::builder()
            .param(ParamType::String)
            .param(ParamType::Any)
            .build(join),
    );
    ctx.declare_func(
        "toset",
        FuncDef::builder().param(ParamType::Any).build(toset),
    );
    ctx.declare_func(
        "concat",
        FuncDef::builder()
            .variadic_param(ParamType::Any)
            .build(concat),
    );
    ctx.declare_func(
        "format",
        FuncDef::builder()
            .param(ParamType::String)
            .variadic_param(ParamType::Any)
            .build(format_fn),
    );
}

/// Refuses arithmetic whose result is not a finite number (`7/0`, `1e308 * 10`), wherever it
/// sits in an expression, before the HCL evaluator computes it: its number type cannot hold
/// such a value (and asserts so).
fn check_arithmetic(ctx: &Context, expr: &hcl::Expression) -> Result<(), String> {
    use hcl::expr::{BinaryOperator as B, Operation, TraversalOperator};
    let check = |e: &hcl::Expression| check_arithmetic(ctx, e);
    match expr {
        hcl::Expression::Operation(op) => match op.as_ref() {
            Operation::Unary(u) => check(&u.expr),
            Operation::Binary(b) => {
                check(&b.lhs_expr)?;
                check(&b.rhs_expr)?;
                if !matches!(b.operator, B::Plus | B::Minus | B::Mul | B::Div | B::Mod) {
                    return Ok(());
                }
                let number = |e: &hcl::Expression| match e.evaluate(ctx) {
                    Ok(Value::Number(n)) => n.as_f64(),
                    _ => None,
                };
                let (Some(l), Some(r)) = (number(&b.lhs_expr), number(&b.rhs_expr)) else {
                    return Ok(());
                };
                if matches!(b.operator, B::Div | B::Mod) && r == 0.0 {
                    return Err("division by zero".into());
                }
                let result = match b.operator {
                    B::Plus => l + r,
                    B::Minus => l - r,
                    B::Mul => l * r,
                    B::Div => l / r,
                    _ => l % r,
                };
                if result.is_finite() {
                    Ok(())
                } else {
                    Err("arithmetic overflow: the result is not a finite number".into())
                }
            }
        },
        hcl::Expression::Array(items) => items.iter().try_for_each(check),
        hcl::Expression::Object(o) => o.values().try_for_each(check),
        hcl::Expression::Parenthesis(e) => check(e),
        hcl::Expression::Conditional(c) => {
            check(&c.cond_expr)?;
            check(&c.true_expr)?;
            check(&c.false_expr)
        }
        hcl::Expression::FuncCall(f) => f.args.iter().try_for_each(check),
        hcl::Expression::TemplateExpr(t) => match hcl::Template::from_expr(t) {
            Ok(template) => check_template(ctx, &template),
            // The evaluator reports a template that does not parse.
            Err(_) => Ok(()),
        },
        hcl::Expression::ForExpr(f) => {
            check(&f.collection_expr)?;
            let items: Vec<(Value, Value)> = match f.collection_expr.evaluate(ctx) {
                Ok(Value::Array(a)) => a
                    .into_iter()
                    .enumerate()
                    .map(|(i, v)| (Value::from(i as u64), v))
                    .collect(),
                Ok(Value::Object(o)) => o.into_iter().map(|(k, v)| (Value::from(k), v)).collect(),
                _ => return Ok(()),
            };
            for (k, v) in items.into_iter().take(10_000) {
                let mut child = ctx.clone();
                if let Some(kv) = &f.key_var {
                    child.declare_var(kv.clone(), k);
                }
                child.declare_var(f.value_var.clone(), v);
                if let Some(c) = &f.cond_expr {
                    check_arithmetic(&child, c)?;
                }
                if let Some(key) = &f.key_expr {
                    check_arithmetic(&child, key)?;
                }
                check_arithmetic(&child, &f.value_expr)?;
            }
            Ok(())
        }
        hcl::Expression::Traversal(t) => {
            check(&t.expr)?;
            t.operators.iter().try_for_each(|op| match op {
                TraversalOperator::Index(e) => check(e),
                _ => Ok(()),
            })
        }
        _ => Ok(()),
    }
}

/// [`check_arithmetic`] for the interpolations and conditions of a template.
fn check_template(ctx: &Context, t: &hcl::Template) -> Result<(), String> {
    use hcl::template::{Directive, Element};
    for el in t.elements() {
        match el {
            Element::Literal(_) => {}
            Element::Interpolation(i) => check_arithmetic(ctx, &i.expr)?,
            Element::Directive(d) => match d.as_ref() {
                Directive::If(d) => {
                    check_arithmetic(ctx, &d.cond_expr)?;
                    check_template(ctx, &d.true_template)?;
                    if let Some(f) = &d.false_template {
                        check_template(ctx, f)?;
                    }
                }
                Directive::For(d) => check_arithmetic(ctx, &d.collection_expr)?,
            },
        }
    }
    Ok(())
}
