//! IR -> Rust files. Emitters read only the IR.

mod apis;
mod models;
mod resources;

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

use crate::ir::*;
use crate::naming::snake;
use crate::render::{header, render};
use crate::run::{on_each_core, timed, Timings};
use crate::Error;
use std::time::{Duration, Instant};

/// Emits the files of one module, as (path relative to the module
/// directory, contents), in sorted order.
///
/// Files are emitted and rendered on one worker thread per core (token
/// streams cannot cross threads, so each worker does both for its share);
/// the output is sorted by path, so it does not depend on the scheduling.
/// The time each worker spends rendering is added to `timings.format`, the
/// rest of its time to `timings.emit`: both are CPU time, summed over the
/// workers.
pub fn emit(api: &Api, timings: &mut Timings) -> Result<Vec<(String, String)>, Error> {
    let boxed = Ctx::new(api).boxed;
    let mut jobs = vec![Job::Root, Job::ModelsMod, Job::ApisMod];
    jobs.extend(api.models.iter().map(Job::Model));
    jobs.extend(api.tags.iter().map(Job::Tag));
    let head = header(&api.sources);
    let results = on_each_core(&jobs, |share| {
        let started = Instant::now();
        let ctx = Ctx {
            boxed: boxed.clone(),
            ..Ctx::without_boxes(api)
        };
        let mut format = Duration::ZERO;
        let files = share
            .map(|job| {
                let (path, tokens) = job.emit(&ctx);
                let text = timed(&mut format, || render(&path, &head, tokens))?;
                Ok((path, text))
            })
            .collect::<Result<Vec<_>, Error>>();
        (files, started.elapsed(), format)
    });
    let mut files = BTreeMap::new();
    for (worker_files, elapsed, format) in results {
        timings.format += format;
        timings.emit += elapsed.saturating_sub(format);
        files.extend(worker_files?);
    }
    Ok(files.into_iter().collect())
}

/// One generated file of a module.
enum Job<'a> {
    Root,
    ModelsMod,
    ApisMod,
    Model(&'a Model),
    Tag(&'a Tag),
}

impl Job<'_> {
    /// The file's path and tokens.
    fn emit(&self, ctx: &Ctx) -> (String, TokenStream) {
        let api = ctx.api;
        match self {
            Job::Root => ("mod.rs".into(), module_root(api)),
            Job::ModelsMod => {
                let mods: Vec<_> = api
                    .models
                    .iter()
                    .map(|m| (model_file(&m.name), m.name.clone(), m.features.clone()))
                    .collect();
                (
                    "models/mod.rs".into(),
                    reexports("Every type the spec defines, one per file.", &mods),
                )
            }
            Job::ApisMod => {
                let mods: Vec<_> = api
                    .tags
                    .iter()
                    .map(|t| {
                        (
                            t.module.0.clone(),
                            t.handle.clone(),
                            t.feature.iter().cloned().collect(),
                        )
                    })
                    .collect();
                (
                    "apis/mod.rs".into(),
                    reexports(
                        "One handle per tag; each operation is a method returning a request builder.",
                        &mods,
                    ),
                )
            }
            Job::Model(model) => {
                let mut tokens = models::model(ctx, model);
                tokens.extend(resources::methods(ctx, model));
                (format!("models/{}.rs", model_file(&model.name)), tokens)
            }
            Job::Tag(tag) => (format!("apis/{}.rs", tag.module), apis::tag(ctx, tag)),
        }
    }
}

/// For the workspace tests: a function that round-trips a JSON value
/// through the generated type of a component schema, by schema name.
pub fn type_table(api: &Api, timings: &mut Timings) -> Result<String, Error> {
    let module = ident(&api.module.0);
    let arms = api
        .models
        .iter()
        .filter(|m| m.pointer.0 == format!("/components/schemas/{}", m.wire))
        .filter(|m| {
            // Each schema once: a union's fallback shares its schema name.
            !api.models
                .iter()
                .any(|u| matches!(&u.kind, ModelKind::Union(un) if un.fallback == m.name))
        });
    let arms = arms.map(|m| {
        let wire = &m.wire;
        let ty = ident(&m.name.0);
        quote!(#wire => ::std::option::Option::Some(crate::roundtrip::<okta_api::#module::models::#ty>(value)),)
    });
    let d = format!(
        " Round-trips `value` through the type generated for the component schema `schema` of the `{}` module; `None` for an unknown schema.",
        api.module
    );
    let tokens = quote! {
        #[doc = #d]
        pub fn roundtrip(schema: &str, value: ::serde_json::Value) -> ::std::option::Option<::std::result::Result<::serde_json::Value, ::std::string::String>> {
            match schema {
                #(#arms)*
                _ => ::std::option::Option::None,
            }
        }
    };
    timed(&mut timings.format, || {
        render("type_table.rs", &header(&api.sources), tokens)
    })
}

fn model_file(name: &TypeName) -> String {
    snake(&name.0).0
}

fn module_root(api: &Api) -> TokenStream {
    let text = format!(
        "{} {} (`{}`), generated into Rust.\n\nOperations are methods on the per-tag handles in [`apis`] (re-exported here); request and response types are in [`models`].",
        api.title,
        api.version,
        api.sources.first().map(String::as_str).unwrap_or_default()
    );
    let lines = text.lines().map(|l| {
        let l = if l.is_empty() {
            String::new()
        } else {
            format!(" {l}")
        };
        quote!(#![doc = #l])
    });
    quote! {
        #(#lines)*
        // Polymorphic models hold their subtypes inline so a match reads the
        // fields directly; some subtypes are much larger than others.
        #![allow(clippy::large_enum_variant)]
        // Required parameters are arguments (a missing one is a compile
        // error); a few operations have many.
        #![allow(clippy::too_many_arguments)]

        pub mod apis;
        pub mod models;

        pub use apis::*;
    }
}

/// `mod x; pub use x::X;` for each entry, under `cfg(any(features))` when
/// the entry has features.
fn reexports(doc_text: &str, mods: &[(String, TypeName, Vec<String>)]) -> TokenStream {
    let doc_line = format!(" {doc_text}");
    let items = mods.iter().map(|(m, ty, features)| {
        let m = ident(m);
        let ty = ident(&ty.0);
        let cfg = match features.as_slice() {
            [] => TokenStream::new(),
            [one] => quote!(#[cfg(feature = #one)]),
            many => quote!(#[cfg(any(#(feature = #many),*))]),
        };
        quote! {
            #cfg
            mod #m;
            #cfg
            pub use #m::#ty;
        }
    });
    quote! {
        #![doc = #doc_line]
        #(#items)*
    }
}

/// Parses an identifier, as a raw one where it is a keyword Rust allows raw.
pub(crate) fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// Shared lookups for the emitters.
pub(crate) struct Ctx<'a> {
    pub api: &'a Api,
    module: Ident,
    /// Fields that must be boxed (recursive types): (type, field).
    boxed: BTreeSet<(TypeName, RustIdent)>,
}

impl<'a> Ctx<'a> {
    fn new(api: &'a Api) -> Self {
        let mut ctx = Ctx::without_boxes(api);
        ctx.boxed = ctx.find_recursive_fields();
        ctx
    }

    /// A context that has not yet worked out which fields to box.
    fn without_boxes(api: &'a Api) -> Self {
        Ctx {
            api,
            module: ident(&api.module.0),
            boxed: BTreeSet::new(),
        }
    }

    /// `crate::<module>::models::Name`
    pub fn model_path(&self, name: &TypeName) -> TokenStream {
        let m = &self.module;
        let n = ident(&name.0);
        quote!(crate::#m::models::#n)
    }

    /// `crate::<module>::apis::Handle`
    pub fn handle_path(&self, name: &TypeName) -> TokenStream {
        let m = &self.module;
        let n = ident(&name.0);
        quote!(crate::#m::apis::#n)
    }

    /// The Rust type of a field, parameter or JSON body.
    pub fn ty(&self, t: &TypeRef) -> TokenStream {
        match t {
            TypeRef::String => quote!(::std::string::String),
            TypeRef::Bytes => quote!(::std::vec::Vec<u8>),
            TypeRef::Bool => quote!(bool),
            TypeRef::I32 => quote!(i32),
            TypeRef::I64 => quote!(i64),
            TypeRef::F64 => quote!(f64),
            TypeRef::Any => quote!(::serde_json::Value),
            TypeRef::Array(inner) => {
                let inner = self.ty(inner);
                quote!(::std::vec::Vec<#inner>)
            }
            TypeRef::Map(inner) => {
                let inner = self.ty(inner);
                quote!(::std::collections::BTreeMap<::std::string::String, #inner>)
            }
            TypeRef::Named(n) => self.model_path(n),
        }
    }

    pub fn is_boxed(&self, owner: &TypeName, field: &RustIdent) -> bool {
        self.boxed.contains(&(owner.clone(), field.clone()))
    }

    /// Whether `Default` can be derived for a value of type `t`.
    pub fn defaultable(&self, t: &TypeRef, seen: &mut Vec<TypeName>) -> bool {
        match t {
            TypeRef::Named(n) => {
                if seen.contains(n) {
                    return false;
                }
                seen.push(n.clone());
                let ok = match self.api.model(n).map(|m| &m.kind) {
                    Some(ModelKind::Struct(s)) => s
                        .fields
                        .iter()
                        .all(|f| !f.required || self.defaultable(&f.ty, seen)),
                    Some(ModelKind::Alias(t)) => self.defaultable(t, seen),
                    _ => false,
                };
                seen.pop();
                ok
            }
            _ => true,
        }
    }

    /// Fields whose type contains their owner without indirection.
    fn find_recursive_fields(&self) -> BTreeSet<(TypeName, RustIdent)> {
        let direct = |t: &TypeRef| match t {
            TypeRef::Named(n) => Some(n.clone()),
            _ => None,
        };
        let mut edges: BTreeMap<TypeName, Vec<(Option<RustIdent>, TypeName)>> = BTreeMap::new();
        for m in &self.api.models {
            let e = edges.entry(m.name.clone()).or_default();
            match &m.kind {
                ModelKind::Struct(s) => {
                    for f in &s.fields {
                        if let Some(n) = direct(&f.ty) {
                            e.push((Some(f.rust.clone()), n));
                        }
                    }
                }
                ModelKind::Union(u) => {
                    for v in &u.variants {
                        e.push((None, v.ty.clone()));
                    }
                    e.push((None, u.fallback.clone()));
                }
                ModelKind::Alias(t) => {
                    if let Some(n) = direct(t) {
                        e.push((None, n));
                    }
                }
                // Boxed variants: no recursion through a one-of.
                ModelKind::OneOf(_) | ModelKind::Enum(_) => {}
            }
        }
        let reaches = |from: &TypeName, to: &TypeName| -> bool {
            let mut stack = vec![from.clone()];
            let mut seen = BTreeSet::new();
            while let Some(n) = stack.pop() {
                if &n == to {
                    return true;
                }
                if seen.insert(n.clone()) {
                    for (_, next) in edges.get(&n).into_iter().flatten() {
                        stack.push(next.clone());
                    }
                }
            }
            false
        };
        let mut out = BTreeSet::new();
        for (owner, list) in &edges {
            for (field, target) in list {
                if let Some(field) = field {
                    if reaches(target, owner) {
                        out.insert((owner.clone(), field.clone()));
                    }
                }
            }
        }
        out
    }
}

pub(crate) fn field_ident(f: &RustIdent) -> Ident {
    format_ident!("{}", f.0)
}
