//! `for_each` on top-level blocks, Atlas's meta-argument (`schemahcl`'s `forEachBlocks`): a block
//! with `for_each = <set, map or list>` becomes one block per item before anything is declared,
//! its `each.key` and `each.value` replaced in every expression of the block (string templates
//! and nested blocks included). A set's key is its value, a map's key its key, a list's key the
//! index (a list of strings is read as a set). Items that are references (`[table.a, table.b]`,
//! `{ t1 = schema.s1 }`) stay references: `on = each.value` becomes `on = table.a`.
//!
//! Only blocks that have `for_each` are copied; other blocks are walked (for a stray `each` or a
//! nested `for_each`) only when their text mentions one.

use super::{expr_text, kind_of, path_of};
use crate::hcl::diag::{Errors, HclError, Location, SourceFile};
use crate::hcl::eval::Evaluator;
use hcl::Value;
use hcl::edit::Span;
use hcl::edit::expr::{Expression, ObjectKey, TraversalOperator};
use hcl::edit::structure::{Attribute, Block, Body};
use hcl::edit::visit::{Visit, visit_block, visit_expr};
use hcl::edit::visit_mut::{VisitMut, visit_expr_mut};
use std::ops::Range;

/// One block made from a `for_each` block.
pub(super) struct Instance {
    pub(crate) file: SourceFile,
    pub(crate) block: Block,
    /// `each.key` as text: the address key of `schema.tenant["acme"]`.
    pub(crate) key: String,
}

/// Blocks that cannot repeat.
const NOT_REPEATABLE: &[&str] = &["variable", "locals", "moved"];

const HELP: &str = "for_each takes a set (`toset([\"a\", \"b\"])`), a map (`{ a = \"x\" }`) or a list of references";

/// An item's value: a value, or a reference to a schema object kept as written.
enum Item {
    Value(Value),
    Reference(Expression),
}

pub(super) fn has_for_each(block: &Block) -> bool {
    block.body.get_attribute("for_each").is_some()
}

/// Whether `text` may use `each` or `for_each`: may say yes for nothing, never no for a use.
pub(super) fn mentions_each(text: &str) -> bool {
    text.match_indices("each").any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + 4..].chars().next();
        let word_start = before.is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
        text[..i].ends_with("for_") || (word_start && matches!(after, Some('.' | '[' | ' ')))
    })
}

/// The blocks `block` stands for, one per item of its `for_each`.
pub(super) fn expand(
    eval: &Evaluator,
    file: &SourceFile,
    block: &Block,
    errors: &mut Errors,
) -> Vec<Instance> {
    let Some(attr) = block.body.get_attribute("for_each") else {
        return Vec::new();
    };
    let kind = block.ident.as_str();
    if NOT_REPEATABLE.contains(&kind) {
        errors.push(HclError::new(
            Location::new(file, attr.key.span()),
            format!("a {kind} block cannot have `for_each`"),
            "not repeatable",
        ));
        return Vec::new();
    }
    nested_for_each(file, &block.body, errors);
    let items = match items(eval, &attr.value) {
        Ok(items) => items,
        Err(msg) => {
            errors.push(
                HclError::new(Location::new(file, attr.value.span()), msg, "here").with_help(HELP),
            );
            return Vec::new();
        }
    };
    let mut out = Vec::with_capacity(items.len());
    for (key, item) in items {
        let mut copy = block.clone();
        copy.body.remove_attribute("for_each");
        let mut s = Substitute {
            key: &key,
            item: &item,
            errors: Vec::new(),
        };
        s.visit_body_mut(&mut copy.body);
        for (span, msg) in s.errors {
            errors.push(HclError::new(Location::new(file, span), msg, "here"));
        }
        if kind != "schema" {
            rename(eval, file, &mut copy, errors);
        }
        out.push(Instance {
            file: file.clone(),
            block: copy,
            key: match key {
                Value::String(s) => s,
                other => other.to_string(),
            },
        });
    }
    out
}

/// `name = …` in an instance of a kind named by its label (Atlas's `name` attribute): the
/// name replaces the last label, so `table { for_each = …  name = each.key }` works.
fn rename(eval: &Evaluator, file: &SourceFile, block: &mut Block, errors: &mut Errors) {
    let Some(attr) = block.body.remove_attribute("name") else {
        return;
    };
    let at = Location::new(file, attr.value.span());
    let name = match eval.eval(&attr.value) {
        Ok(Value::String(s)) => s,
        Ok(other) => {
            let msg = format!("`name` must be a string, found {}", kind_of(&other));
            return errors.push(HclError::new(at, msg, "here"));
        }
        Err(msg) => {
            let msg = format!("cannot evaluate `name`: {msg}");
            return errors.push(HclError::new(at, msg, "here"));
        }
    };
    // Parsed where the value was written, so diagnostics at the label point at it.
    let start = attr.value.span().map_or(0, |s| s.start);
    let pad = " ".repeat(start.saturating_sub(2));
    let text = format!("{pad}x {} {{}}", literal(&Value::String(name)));
    let parsed = match hcl::edit::parser::parse_body(&text) {
        Ok(body) => body,
        Err(e) => return errors.push(HclError::new(at, e.message().to_string(), "here")),
    };
    let Some(label) = parsed
        .blocks()
        .next()
        .and_then(|b| b.labels.first())
        .cloned()
    else {
        return;
    };
    match block.labels.last_mut() {
        Some(last) => *last = label,
        None => block.labels.push(label),
    }
}

/// The items of a `for_each` value, keyed.
fn items(eval: &Evaluator, expr: &Expression) -> Result<Vec<(Value, Item)>, String> {
    let mut out: Vec<(Value, Item)> = Vec::new();
    let mut push = |key: Value, item: Item| {
        if !out.iter().any(|(k, _)| *k == key) {
            out.push((key, item));
        }
    };
    match expr {
        Expression::Array(list) => {
            for (i, e) in list.iter().enumerate() {
                let item = item(eval, e)?;
                push(list_key(i, &item), item);
            }
        }
        Expression::Object(map) => {
            for (k, v) in map.iter() {
                let key = match k {
                    ObjectKey::Ident(id) => id.as_str().to_string(),
                    ObjectKey::Expression(e) => match eval.eval(e)? {
                        Value::String(s) => s,
                        other => {
                            return Err(format!(
                                "a for_each key must be a string, found {}",
                                kind_of(&other)
                            ));
                        }
                    },
                };
                push(Value::String(key), item(eval, v.expr())?);
            }
        }
        other => match eval.eval(other)? {
            Value::Array(list) => {
                for (i, v) in list.into_iter().enumerate() {
                    let item = Item::Value(v);
                    push(list_key(i, &item), item);
                }
            }
            Value::Object(map) => map
                .into_iter()
                .for_each(|(k, v)| push(Value::String(k), Item::Value(v))),
            v => {
                return Err(format!(
                    "for_each must be a set or a map, found {}",
                    kind_of(&v)
                ));
            }
        },
    }
    Ok(out)
}

/// A list's item key: a string is its own key (a set of strings), anything else its index.
fn list_key(i: usize, item: &Item) -> Value {
    match item {
        Item::Value(Value::String(s)) => Value::String(s.clone()),
        _ => Value::from(i as u64),
    }
}

fn item(eval: &Evaluator, e: &Expression) -> Result<Item, String> {
    let reference = path_of(e)
        .is_some_and(|p| p.len() >= 2 && !matches!(p[0].as_str(), "var" | "local" | "each"));
    if reference {
        return Ok(Item::Reference(e.clone()));
    }
    eval.eval(e).map(Item::Value)
}

/// Replaces `each.key` and `each.value` (and what follows them: `each.value.name`).
struct Substitute<'s> {
    key: &'s Value,
    item: &'s Item,
    errors: Vec<(Option<Range<usize>>, String)>,
}

impl VisitMut for Substitute<'_> {
    fn visit_expr_mut(&mut self, expr: &mut Expression) {
        if !is_each(expr) {
            return visit_expr_mut(self, expr);
        }
        match self.replacement(expr) {
            Ok(new) => *expr = new,
            Err(msg) => self.errors.push((expr.span(), msg)),
        }
    }
}

impl Substitute<'_> {
    fn replacement(&self, expr: &Expression) -> Result<Expression, String> {
        let Expression::Traversal(t) = expr else {
            return Err(ONLY_KEY_AND_VALUE.into());
        };
        let ops: Vec<&TraversalOperator> = t.operators.iter().map(|o| o.value()).collect();
        let field = match ops.first() {
            Some(TraversalOperator::GetAttr(id)) => id.as_str(),
            _ => return Err(ONLY_KEY_AND_VALUE.into()),
        };
        let item = match field {
            "key" => &Item::Value(self.key.clone()),
            "value" => self.item,
            _ => return Err(ONLY_KEY_AND_VALUE.into()),
        };
        let text = match item {
            Item::Value(v) => literal(&navigate(v, &ops[1..])?),
            Item::Reference(r) => {
                let mut text = expr_text(r);
                for op in &ops[1..] {
                    text.push_str(&op_text(op)?);
                }
                text
            }
        };
        reparse(&text, expr.span())
    }
}

const ONLY_KEY_AND_VALUE: &str = "`each` has only `each.key` and `each.value`";

fn is_each(expr: &Expression) -> bool {
    match expr {
        Expression::Variable(v) => v.as_str() == "each",
        Expression::Traversal(t) => t.expr.as_variable().is_some_and(|v| v.as_str() == "each"),
        _ => false,
    }
}

/// `each.value.name`, `each.value["x"]`, `each.value[0]` on a value.
fn navigate(v: &Value, ops: &[&TraversalOperator]) -> Result<Value, String> {
    let mut v = v.clone();
    for op in ops {
        let next = match (op, &v) {
            (TraversalOperator::GetAttr(id), Value::Object(m)) => m.get(id.as_str()).cloned(),
            (TraversalOperator::Index(Expression::String(s)), Value::Object(m)) => {
                m.get(s.as_str()).cloned()
            }
            (TraversalOperator::Index(Expression::Number(n)), Value::Array(a)) => n
                .as_u64()
                .and_then(|i| usize::try_from(i).ok())
                .and_then(|i| a.get(i).cloned()),
            (TraversalOperator::LegacyIndex(i), Value::Array(a)) => usize::try_from(*i.value())
                .ok()
                .and_then(|i| a.get(i).cloned()),
            _ => None,
        };
        v = next.ok_or_else(|| {
            format!(
                "`{}` does not apply to {}",
                op_text(op).unwrap_or_default(),
                kind_of(&v)
            )
        })?;
    }
    Ok(v)
}

fn op_text(op: &TraversalOperator) -> Result<String, String> {
    match op {
        TraversalOperator::GetAttr(id) => Ok(format!(".{}", id.as_str())),
        TraversalOperator::Index(e) => Ok(format!("[{}]", expr_text(e))),
        TraversalOperator::LegacyIndex(i) => Ok(format!(".{}", i.value())),
        _ => Err("splat operators are not supported on `each`".into()),
    }
}

/// A value as HCL text; strings escape template markers so they stay literal.
fn literal(v: &Value) -> String {
    match v {
        Value::String(s) => {
            let mut out = String::with_capacity(s.len() + 2);
            out.push('"');
            for c in s.chars() {
                match c {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    '\t' => out.push_str("\\t"),
                    c => out.push(c),
                }
            }
            out.push('"');
            out.replace("${", "$${").replace("%{", "%%{")
        }
        other => hcl::format::to_string(other).unwrap_or_else(|_| "null".into()),
    }
}

/// Parses `text` so that its span starts where the replaced expression did (diagnostics keep
/// pointing into the file).
fn reparse(text: &str, span: Option<Range<usize>>) -> Result<Expression, String> {
    // `x = ` before the text, spaces before that: the value starts where the old one did.
    let pad = span.map_or(0, |s| s.start.saturating_sub(4));
    let padded = format!("{}x = {text}\n", " ".repeat(pad));
    let body = hcl::edit::parser::parse_body(&padded)
        .map_err(|e| format!("cannot use `{text}` here: {}", e.message()))?;
    let Some(mut e) = body.into_attributes().next().map(|a| a.value) else {
        return Err(format!("cannot use `{text}` here"));
    };
    hcl::edit::Decorate::decor_mut(&mut e).clear();
    Ok(e)
}

/// Reports `each` outside a `for_each` block and `for_each` on nested blocks, in a block that
/// is not repeated.
pub(super) fn check_plain(file: &SourceFile, block: &Block, errors: &mut Errors) {
    let mut v = Strays::default();
    v.visit_body(&block.body);
    report(file, v, errors);
}

fn nested_for_each(file: &SourceFile, body: &Body, errors: &mut Errors) {
    let mut v = Strays {
        each_allowed: true,
        ..Default::default()
    };
    v.visit_body(body);
    report(file, v, errors);
}

fn report(file: &SourceFile, v: Strays, errors: &mut Errors) {
    for span in v.each {
        errors.push(
            HclError::new(
                Location::new(file, span),
                "`each` is only available in a block with `for_each`",
                "no for_each here",
            )
            .with_help("add `for_each = …` to this top-level block, or use var.* / local.*"),
        );
    }
    for span in v.nested {
        errors.push(
            HclError::new(
                Location::new(file, span),
                "`for_each` repeats top-level blocks only",
                "on a nested block",
            )
            .with_help("as in Atlas, only top-level blocks (schema, table, view, trigger, …) take for_each"),
        );
    }
}

#[derive(Default)]
struct Strays {
    each_allowed: bool,
    each: Vec<Option<Range<usize>>>,
    nested: Vec<Option<Range<usize>>>,
}

impl Visit for Strays {
    fn visit_expr(&mut self, expr: &Expression) {
        if is_each(expr) {
            if !self.each_allowed {
                self.each.push(expr.span());
            }
            return;
        }
        visit_expr(self, expr);
    }

    fn visit_block(&mut self, block: &Block) {
        if let Some(a) = block.body.get_attribute("for_each") {
            self.nested.push(a.key.span());
        }
        visit_block(self, block);
    }

    fn visit_attr(&mut self, attr: &Attribute) {
        self.visit_expr(&attr.value);
    }
}

#[cfg(test)]
mod tests;
