//! The public surface of a generated module as text: one line per public
//! item (type, field, variant, enum value, API handle, operation method and
//! setter, resource method), sorted. It is generated beside the Markdown
//! pages and drift-checked with them, so a reviewer sees in one diff what an
//! upstream release adds, removes or renames.

use crate::ir::*;

/// The listing of `api`, one line per public item, sorted.
pub fn listing(api: &Api) -> String {
    let module = &api.module;
    let mut lines = Vec::new();
    for m in &api.models {
        let path = format!("{module}::models::{}", m.name);
        match &m.kind {
            ModelKind::Struct(s) => {
                lines.push(format!("struct {path}"));
                for f in &s.fields {
                    let ty = ty(&f.ty);
                    let ty = if f.required { ty } else { format!("Option<{ty}>") };
                    lines.push(format!("field {path}.{}: {ty}", f.rust));
                }
            }
            ModelKind::Enum(e) => {
                lines.push(format!("enum {path}"));
                for v in &e.values {
                    lines.push(format!("value {path}::{} = {:?}", v.rust, v.wire));
                }
            }
            ModelKind::Union(u) => {
                lines.push(format!("union {path} by {:?}", u.property.0));
                for v in &u.variants {
                    lines.push(format!("variant {path}::{}({}) for {:?}", v.rust, v.ty, v.values));
                }
                lines.push(format!("variant {path}::Other({})", u.fallback));
                for f in &u.common {
                    lines.push(format!("accessor {path}::{}() -> {}", f.rust, ty(&f.ty)));
                }
            }
            ModelKind::OneOf(o) => {
                lines.push(format!("one-of {path}"));
                for a in &o.variants {
                    lines.push(format!("variant {path}::{}({})", a.name, ty(&a.ty)));
                }
            }
            ModelKind::Alias(t) => lines.push(format!("alias {path} = {}", ty(t))),
        }
        for r in &m.methods {
            lines.push(format!(
                "method {path}::{}() -> {}::{}",
                r.rust, r.handle, r.operation_method
            ));
        }
    }
    for tag in &api.tags {
        let handle = format!("{module}::apis::{}::{}", tag.module, tag.handle);
        lines.push(format!("handle {handle}"));
        for op in &tag.operations {
            let required: Vec<&str> = op.required_params().map(|p| p.rust.0.as_str()).collect();
            let body = op.body.as_ref().filter(|b| b.required).map(|b| b.rust.0.as_str());
            let args: Vec<&str> = required.into_iter().chain(body).collect();
            lines.push(format!(
                "operation {handle}::{}({}) -> {}",
                op.method_name,
                args.join(", "),
                op.builder
            ));
            let builder = format!("{module}::apis::{}::{}", tag.module, op.builder);
            let optional = op
                .optional_params()
                .map(|p| &p.rust)
                .chain(op.body.as_ref().filter(|b| !b.required).map(|b| &b.rust));
            for setter in optional {
                lines.push(format!("setter {builder}::{setter}()"));
            }
        }
    }
    lines.sort();
    lines.dedup();
    let mut out = format!(
        "# The public surface of `okta_api::{module}` ({} {}), by `cargo xtask generate`. Do not edit.\n",
        api.title, api.version
    );
    for line in lines {
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// A type as the listing writes it: its Rust name, paths left out.
fn ty(t: &TypeRef) -> String {
    match t {
        TypeRef::String => "String".into(),
        TypeRef::Bool => "bool".into(),
        TypeRef::I32 => "i32".into(),
        TypeRef::I64 => "i64".into(),
        TypeRef::F64 => "f64".into(),
        TypeRef::Bytes => "Vec<u8>".into(),
        TypeRef::Any => "Value".into(),
        TypeRef::Array(inner) => format!("Vec<{}>", ty(inner)),
        TypeRef::Map(inner) => format!("Map<String, {}>", ty(inner)),
        TypeRef::Named(name) => name.0.clone(),
    }
}
