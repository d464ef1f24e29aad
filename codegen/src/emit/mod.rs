//! IR -> Rust files. Emitters read only the IR.

mod apis;
mod models;
mod resources;

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

use crate::error::Error;
use crate::ir::*;
use crate::render::{header, render};

/// Emits the files of one module, as (path relative to the module
/// directory, contents), sorted by path.
pub fn emit(api: &Api) -> Result<Vec<(String, String)>, Error> {
    let mut files = jobs(api)
        .iter()
        .map(|job| job.file(api))
        .collect::<Result<Vec<_>, Error>>()?;
    files.sort();
    Ok(files)
}

/// The files of one module, one job each, for callers who spread them over
/// threads ([`Job::file`] does one).
pub fn jobs(api: &Api) -> Vec<Job<'_>> {
    let mut jobs = vec![Job::Root, Job::ModelsMod, Job::ApisMod];
    jobs.extend(api.models.iter().map(Job::Model));
    jobs.extend(api.tags.iter().map(Job::Tag));
    jobs
}

/// One generated file of a module.
#[derive(Clone, Copy, Debug)]
pub enum Job<'a> {
    Root,
    ModelsMod,
    ApisMod,
    Model(&'a Model),
    Tag(&'a Tag),
}

impl Job<'_> {
    /// The file: its path in the module directory and its formatted contents.
    pub fn file(&self, api: &Api) -> Result<(String, String), Error> {
        let (path, tokens) = self.tokens(api);
        let text = render(&path, &header(&api.sources), tokens)?;
        Ok((path, text))
    }

    /// The file's path and its tokens, before formatting.
    pub fn tokens(&self, api: &Api) -> (String, TokenStream) {
        let ctx = Ctx::new(api);
        match self {
            Job::Root => ("src/lib.rs".into(), crate_root(api)),
            Job::ModelsMod => {
                let mods: Vec<_> = api
                    .models
                    .iter()
                    .map(|m| (m.file.0.clone(), m.name.clone(), m.features.clone()))
                    .collect();
                (
                    "src/models/mod.rs".into(),
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
                    "src/apis/mod.rs".into(),
                    reexports(
                        "One handle per tag; each operation is a method returning a request builder.",
                        &mods,
                    ),
                )
            }
            Job::Model(model) => {
                let mut tokens = models::model(&ctx, model);
                tokens.extend(resources::methods(&ctx, model));
                (format!("src/models/{}.rs", model.file), tokens)
            }
            Job::Tag(tag) => (format!("src/apis/{}.rs", tag.module), apis::tag(&ctx, tag)),
        }
    }
}

/// For the workspace tests: a function that round-trips a JSON value
/// through the generated type of a component schema, by schema name.
pub fn type_table(api: &Api) -> Result<String, Error> {
    let module = ident(&api.module.0);
    let arms = api.models.iter().filter(|m| m.origin == Origin::Component);
    let arms = arms.map(|m| {
        let wire = &m.wire;
        let ty = ident(&m.name.0);
        quote!(#wire => ::std::option::Option::Some(crate::roundtrip::<okta_api::#module::models::#ty>(value, tolerant)),)
    });
    let d = format!(
        " Round-trips `value` through the type generated for the component schema `schema` of the `{}` module (decoding it as a response is, setting aside properties that do not fit, when `tolerant`); `None` for an unknown schema.",
        api.module
    );
    let best_match: Vec<TokenStream> = api
        .models
        .iter()
        .filter(|m| matches!(&m.kind, ModelKind::OneOf(o) if o.best_match))
        .map(|m| {
            let name = &m.name.0;
            let ty = ident(name);
            quote!(#name => ::std::option::Option::Some(crate::decoded::<okta_api::#module::models::#ty>(value)),)
        })
        .collect();
    let decoded = (!best_match.is_empty()).then(|| {
        quote! {
            /// `value` decoded as the one-of type named `rust_type` (one whose
            /// alternatives are chosen by best fit), as its `Debug` text; `None`
            /// for another type.
            pub fn decoded(rust_type: &str, value: ::serde_json::Value) -> ::std::option::Option<::std::result::Result<::std::string::String, ::std::string::String>> {
                match rust_type {
                    #(#best_match)*
                    _ => ::std::option::Option::None,
                }
            }
        }
    });
    let tokens = quote! {
        #[doc = #d]
        pub fn roundtrip(schema: &str, value: ::serde_json::Value, tolerant: bool) -> ::std::option::Option<::std::result::Result<::serde_json::Value, ::std::string::String>> {
            match schema {
                #(#arms)*
                _ => ::std::option::Option::None,
            }
        }

        #decoded
    };
    render("type_table.rs", &header(&api.sources), tokens)
}

/// The crate's `lib.rs`: its documentation, its two modules, and the
/// runtime's names under the paths every generated file uses
/// (`crate::Client`, `crate::runtime::Request`, ...).
fn crate_root(api: &Api) -> TokenStream {
    let text = format!(
        "{} {} (`{}`), generated into Rust.\n\nOperations are methods on the per-tag handles in [`apis`] (re-exported here); request and response types are in [`models`]. `okta-api` re-exports this crate as `okta_api::{}`, and its features under the same names.",
        api.title,
        api.version,
        api.sources.first().map(String::as_str).unwrap_or_default(),
        api.module,
    );
    let lines = text.lines().map(|l| {
        let l = if l.is_empty() {
            String::new()
        } else {
            format!(" {l}")
        };
        quote!(#![doc = #l])
    });
    // A spec without operations has no handles to re-export.
    let reexport = (!api.tags.is_empty()).then(|| {
        quote!(
            pub use apis::*;
        )
    });
    quote! {
        #(#lines)*
        // Polymorphic models hold their subtypes inline so a match reads the
        // fields directly; some subtypes are much larger than others.
        #![allow(clippy::large_enum_variant)]
        // Required parameters are arguments (a missing one is a compile
        // error); a few operations have many.
        #![allow(clippy::too_many_arguments)]

        // Everything here is formatted by the generator (prettyplease), not rustfmt.
        #[rustfmt::skip]
        pub mod apis;
        #[rustfmt::skip]
        pub mod models;

        #reexport

        // Which of these a build uses depends on the features it enables.
        #[allow(unused_imports)]
        #[rustfmt::skip]
        use okta_api_runtime::{runtime, ApiResponse, Client, Error, ItemStream, Nullable, Page, PageStream};
    }
}

/// The crate's `Cargo.toml`: the runtime and serde as dependencies, and one
/// feature per tag where the spec splits by tag.
pub fn crate_manifest(api: &Api) -> String {
    // The header every generated file carries, as TOML comments.
    let mut text: String = header(&api.sources)
        .lines()
        .map(|l| format!("#{}\n", l.trim_start_matches("//")))
        .collect();
    text.push_str(&format!(
        "[package]\n\
         name = \"{}\"\n\
         version = \"{CRATE_VERSION}\"\n\
         description = \"{} {}, generated into Rust: the `{}` module of okta-api.\"\n\
         edition.workspace = true\n\
         license.workspace = true\n\
         rust-version.workspace = true\n\
         \n\
         [dependencies]\n\
         okta-api-runtime = {{ path = \"../okta-api-runtime\", version = \"{CRATE_VERSION}\" }}\n\
         serde.workspace = true\n\
         serde_json.workspace = true\n\
         reqwest.workspace = true\n\
         futures = {{ version = \"0.3\", default-features = false, features = [\"std\"] }}\n",
        crate_name(&api.module.0),
        api.title,
        api.version,
        api.module,
    ));
    let features = crate_features(api);
    if !features.is_empty() {
        text.push_str("\n[features]\n");
        for (feature, comment) in features {
            text.push_str(&format!("# {comment}\n{feature} = []\n"));
        }
    }
    text
}

/// The features of a module's crate, each with the comment it carries: one
/// per tag where the module splits by tag, and the one for the types no
/// operation uses. A module that does not split has none.
pub(crate) fn crate_features(api: &Api) -> Vec<(String, String)> {
    let mut features: Vec<(String, String)> = api
        .tags
        .iter()
        .filter_map(|tag| {
            let feature = tag.feature.clone()?;
            Some((
                feature,
                format!("{}: {} operation(s).", tag.handle, tag.operations.len()),
            ))
        })
        .collect();
    if let Some(feature) = &api.other_models_feature {
        let count = api.models.iter().filter(|m| m.features.contains(feature)).count();
        features.push((
            feature.clone(),
            format!(
                "The {count} types no operation uses (hook payloads, event types, ...) and what they reach."
            ),
        ));
    }
    features
}

/// The version of every generated crate: the SDK's, released together.
pub const CRATE_VERSION: &str = "0.1.0";

/// The name of the crate generated for `module`.
pub fn crate_name(module: &str) -> String {
    format!("okta-api-{module}")
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

// Wire names, media types and operation ids print as the string literals
// they are on the wire.
macro_rules! literal_tokens {
    ($($t:ty),*) => {$(
        impl quote::ToTokens for $t {
            fn to_tokens(&self, tokens: &mut TokenStream) {
                self.0.to_tokens(tokens)
            }
        }
    )*};
}
literal_tokens!(WireName, ContentType, OperationId);

/// Parses an identifier, as a raw one where it is a keyword Rust allows raw.
pub(crate) fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// Shared lookups for the emitters.
pub(crate) struct Ctx<'a> {
    pub api: &'a Api,
}

impl<'a> Ctx<'a> {
    fn new(api: &'a Api) -> Self {
        Ctx { api }
    }

    /// `crate::models::Name`
    pub fn model_path(&self, name: &TypeName) -> TokenStream {
        let n = ident(&name.0);
        quote!(crate::models::#n)
    }

    /// `crate::apis::Handle`
    pub fn handle_path(&self, name: &TypeName) -> TokenStream {
        let n = ident(&name.0);
        quote!(crate::apis::#n)
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
}

pub(crate) fn field_ident(f: &RustIdent) -> Ident {
    format_ident!("{}", f.0)
}

/// `Option<&T>` of an optional field of `owner`: `as_option()` for a
/// `Nullable` field, `as_ref()` for an `Option`.
pub(crate) fn optional_ref(f: &Field, owner: TokenStream) -> TokenStream {
    let rust = field_ident(&f.rust);
    if f.nullable {
        quote!(#owner.#rust.as_option())
    } else {
        quote!(#owner.#rust.as_ref())
    }
}
