//! One file per tag: the handle with one method per operation, and one
//! request builder per operation.

use proc_macro2::TokenStream;
use quote::quote;

use super::{field_ident, ident, optional_ref, Ctx};
use crate::ir::*;
use crate::render::docs;

pub(crate) fn tag(ctx: &Ctx, tag: &Tag) -> TokenStream {
    let handle = ident(&tag.handle.0);
    let tag_doc = docs(&[
        tag.doc.clone(),
        Some(format!("Operations tagged `{}` in the spec.", tag.wire)),
    ]);
    let methods = tag.operations.iter().map(|op| handle_method(ctx, op));
    let builders = tag.operations.iter().map(|op| builder(ctx, tag, op));
    quote! {
        #tag_doc
        #[derive(Clone, Debug)]
        pub struct #handle {
            client: crate::Client,
        }

        impl #handle {
            /// A handle sharing `client`'s connection pool and configuration.
            pub fn new(client: &crate::Client) -> Self {
                Self { client: client.clone() }
            }

            #(#methods)*
        }

        #(#builders)*
    }
}

/// How an argument of type `t` is taken: `impl Into<String>` for strings,
/// the type itself otherwise.
fn arg_type(ctx: &Ctx, t: &TypeRef) -> (TokenStream, bool) {
    match t {
        TypeRef::String => (quote!(impl ::std::convert::Into<::std::string::String>), true),
        other => (body_type(ctx, other), false),
    }
}

/// The Rust type of a body or response of type `t`.
pub(crate) fn body_type(ctx: &Ctx, t: &TypeRef) -> TokenStream {
    match t {
        TypeRef::Bytes => quote!(::std::vec::Vec<u8>),
        other => ctx.ty(other),
    }
}

/// The type of the response body.
fn response_type(ctx: &Ctx, op: &Operation) -> TokenStream {
    match &op.response.ty {
        Some(t) => body_type(ctx, t),
        None => quote!(()),
    }
}

/// What `.send()` returns: the first [`Page`](crate::Page) of a list,
/// otherwise the response body.
pub(crate) fn output_type(ctx: &Ctx, op: &Operation) -> TokenStream {
    match op.response.page_item() {
        Some(item) => {
            let item = ctx.ty(item);
            quote!(crate::Page<#item>)
        }
        None => response_type(ctx, op),
    }
}

fn handle_method(ctx: &Ctx, op: &Operation) -> TokenStream {
    let name = field_ident(&op.method_name);
    let builder = ident(&op.builder.0);
    let mut args = Vec::new();
    let mut inits = Vec::new();
    // Required parameters and body are arguments; optional ones start unset.
    let values = op.params.iter().map(|p| (&p.rust, &p.ty, p.required));
    let body = op.body.iter().map(|b| (&b.rust, &b.ty, b.required));
    for (rust, ty, required) in values.chain(body) {
        let rust = field_ident(rust);
        if required {
            let (ty, into) = arg_type(ctx, ty);
            args.push(quote!(#rust: #ty));
            inits.push(if into {
                quote!(#rust: #rust.into(),)
            } else {
                quote!(#rust,)
            });
        } else {
            inits.push(quote!(#rust: ::std::option::Option::None,));
        }
    }
    if let Some(body) = op.body.as_ref().filter(|b| !b.other_content_types.is_empty()) {
        let ct = &body.content_type;
        inits.push(quote!(content_type: #ct,));
    }
    let signature = format!("`{} {}` (`{}`).", op.method.as_str(), op.path, op.id);
    let mut arg_docs = Vec::new();
    for p in op.required_params() {
        let d = p
            .doc
            .as_deref()
            .map(|d| format!(": {}", first_line(d)))
            .unwrap_or_default();
        arg_docs.push(format!(
            "- `{}` ({} `{}`){d}",
            p.rust,
            p.location.as_str(),
            p.wire
        ));
    }
    if let Some(body) = op.body.as_ref().filter(|b| b.required) {
        arg_docs.push(format!(
            "- `{}`: the request body (`{}`)",
            body.rust, body.content_type
        ));
    }
    let args_doc = (!arg_docs.is_empty()).then(|| format!("Arguments:\n{}", arg_docs.join("\n")));
    let d = docs(&[
        op.summary.clone(),
        op.description.clone(),
        Some(signature),
        args_doc,
    ]);
    let deprecated = op.deprecated.then(|| quote!(#[deprecated]));
    quote! {
        #d
        #deprecated
        pub fn #name(&self, #(#args),*) -> #builder {
            #builder {
                client: self.client.clone(),
                #(#inits)*
            }
        }
    }
}

fn first_line(s: &str) -> &str {
    s.trim().lines().next().unwrap_or("")
}

fn builder(ctx: &Ctx, tag: &Tag, op: &Operation) -> TokenStream {
    let name = ident(&op.builder.0);
    let handle = &tag.handle.0;
    let method = &op.method_name.0;
    let d = format!(
        " Request builder for [`{handle}::{method}`](crate::apis::{handle}::{method}): set optional parameters, then `.send().await` (or just `.await`).",
    );
    let mut fields = Vec::new();
    let mut setters = Vec::new();
    for p in &op.params {
        let rust = field_ident(&p.rust);
        let ty = ctx.ty(&p.ty);
        if p.required {
            fields.push(quote!(#rust: #ty,));
        } else {
            fields.push(quote!(#rust: ::std::option::Option<#ty>,));
            let default = p.default.as_ref().map(|v| format!("Okta's default: `{v}`."));
            let where_ = format!("Optional {} parameter `{}`.", p.location.as_str(), p.wire);
            let pd = docs(&[p.doc.clone(), Some(where_), default]);
            setters.push(quote! {
                #pd
                pub fn #rust(mut self, value: impl ::std::convert::Into<#ty>) -> Self {
                    self.#rust = ::std::option::Option::Some(value.into());
                    self
                }
            });
        }
    }
    if let Some(body) = op.body.as_ref().filter(|b| !b.other_content_types.is_empty()) {
        fields.push(quote!(content_type: &'static str,));
        let all: Vec<String> = std::iter::once(&body.content_type)
            .chain(&body.other_content_types)
            .map(|c| format!("`{c}`"))
            .collect();
        let d = format!(
            " The body's content type, one of {} (default `{}`).",
            all.join(", "),
            body.content_type
        );
        setters.push(quote! {
            #[doc = #d]
            pub fn content_type(mut self, content_type: &'static str) -> Self {
                self.content_type = content_type;
                self
            }
        });
    }
    if let Some(body) = &op.body {
        let rust = field_ident(&body.rust);
        let ty = body_type(ctx, &body.ty);
        if body.required {
            fields.push(quote!(#rust: #ty,));
        } else {
            fields.push(quote!(#rust: ::std::option::Option<#ty>,));
            let bd = docs(&[body.doc.clone(), Some("Optional request body.".into())]);
            setters.push(quote! {
                #bd
                pub fn #rust(mut self, value: impl ::std::convert::Into<#ty>) -> Self {
                    self.#rust = ::std::option::Option::Some(value.into());
                    self
                }
            });
        }
    }
    let body = response_type(ctx, op);
    let build = build_request(ctx, op);
    let decode = decode(op);
    let statuses = op
        .response
        .statuses
        .iter()
        .filter(|(s, _)| s.starts_with('2'))
        .map(|(s, _)| s.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    // A list answers one page at a time: the plain `.await` says so in its type.
    let output = output_type(ctx, op);
    let (send, send_doc) = match op.response.page_item() {
        Some(_) => (
            quote!(crate::runtime::fetch_page(&self.client, &request).await),
            format!("Sends the request and returns the first page: its items, whether more follow ([`Page::has_next`](crate::Page::has_next)), the next page's cursor and the response's metadata. [`stream`](Self::stream) reads every item, [`all`](Self::all) collects them. Success statuses: {statuses}."),
        ),
        None => (
            quote!(crate::runtime::execute(&self.client, &request).await?#decode),
            format!("Sends the request. Success statuses: {statuses}."),
        ),
    };
    let send_doc = docs(&[Some(send_doc)]);
    let lists = list_methods(ctx, op);
    let raw = raw_method(op);
    // Every method that sends is `#[inline]`: it is compiled in the crate that
    // calls it, with the decoding of its response, and not in the generated
    // crate for every operation a feature brings in. With `full`, that took
    // the LLVM IR of the SDK from 3.6 M lines to 0.25 M (see DESIGN.md).
    quote! {
        #[doc = #d]
        #[derive(Clone, Debug)]
        #[must_use = "a request does nothing until it is sent"]
        pub struct #name {
            client: crate::Client,
            #(#fields)*
        }

        impl #name {
            #(#setters)*

            #[inline]
            fn request(&self) -> ::std::result::Result<crate::runtime::Request, crate::Error> {
                #build
            }

            #send_doc
            #[inline]
            pub async fn send(self) -> ::std::result::Result<#output, crate::Error> {
                let request = self.request()?;
                #send
            }

            /// Sends the request and returns the body with the response's status,
            /// headers, request id and rate-limit state.
            #[inline]
            pub async fn send_with_response(self) -> ::std::result::Result<crate::ApiResponse<#body>, crate::Error> {
                let request = self.request()?;
                let response = crate::runtime::execute(&self.client, &request).await?;
                let meta = response.meta();
                ::std::result::Result::Ok(crate::ApiResponse::new(response #decode ?, meta))
            }

            #lists

            #raw
        }

        impl ::std::future::IntoFuture for #name {
            type Output = ::std::result::Result<#output, crate::Error>;
            type IntoFuture = crate::runtime::BoxFuture<Self::Output>;

            #[inline]
            fn into_future(self) -> Self::IntoFuture {
                ::std::boxed::Box::pin(self.send())
            }
        }
    }
}

/// For operations that can answer in other content types: ask for one and
/// get the body as it is.
fn raw_method(op: &Operation) -> TokenStream {
    if op.response.other_content_types.is_empty() {
        return TokenStream::new();
    }
    let d = format!(
        " Sends the request asking for the response in another content type ({}) and returns the body as it is.",
        op.response
            .other_content_types
            .iter()
            .map(|c| format!("`{c}`"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    quote! {
        #[doc = #d]
        #[inline]
        pub async fn send_raw(self, accept: &'static str) -> ::std::result::Result<::std::vec::Vec<u8>, crate::Error> {
            let mut request = self.request()?;
            request.accept(accept);
            crate::runtime::execute(&self.client, &request).await?.bytes()
        }
    }
}

/// For operations that return a JSON array: pages and a lazy item stream.
fn list_methods(ctx: &Ctx, op: &Operation) -> TokenStream {
    let Some(item) = op.response.page_item() else {
        return TokenStream::new();
    };
    let item = ctx.ty(item);
    quote! {
        /// Every item of every page, collected: one request per page, and every
        /// item in memory at once. [`stream`](Self::stream) holds one page at a time.
        #[inline]
        pub async fn all(self) -> ::std::result::Result<::std::vec::Vec<#item>, crate::Error> {
            ::futures::TryStreamExt::try_collect(self.stream()).await
        }

        /// Every page, following `Link: rel="next"`; a page is fetched when the stream is polled for it.
        #[inline]
        pub fn pages(self) -> crate::PageStream<#item> {
            crate::PageStream::new(self.client.clone(), self.request())
        }

        /// Every item of every page; the next page is fetched only when the current one is used up.
        #[inline]
        pub fn stream(self) -> crate::ItemStream<#item> {
            self.pages().items()
        }
    }
}

/// The fields of a body's struct, for the encodings that send it field by
/// field.
fn body_fields<'a>(ctx: &'a Ctx, body: &TypeRef) -> &'a [Field] {
    match body {
        TypeRef::Named(n) => match ctx.api.model(n).map(|m| &m.kind) {
            Some(ModelKind::Struct(s)) => &s.fields,
            _ => &[],
        },
        _ => &[],
    }
}

/// A multipart form with one part per field of the body's struct: binary
/// fields as files, the rest as text.
fn multipart(fields: &[Field]) -> TokenStream {
    let parts = fields.iter().map(|f| {
        let rust = field_ident(&f.rust);
        let wire = &f.wire;
        let part = match f.ty {
            TypeRef::Bytes => quote!(crate::runtime::FormPart::File(value.clone())),
            _ => quote!(crate::runtime::FormPart::Text(
                crate::runtime::ParamValue::to_param(value).into_owned()
            )),
        };
        if f.required {
            quote!({ let value = &body.#rust; parts.push((#wire, #part)); })
        } else {
            let get = optional_ref(f, quote!(body));
            quote!(if let ::std::option::Option::Some(value) = #get { parts.push((#wire, #part)); })
        }
    });
    quote! {
        let mut parts = ::std::vec::Vec::new();
        #(#parts)*
        request.multipart(parts);
    }
}

fn build_request(ctx: &Ctx, op: &Operation) -> TokenStream {
    let method = ident(op.method.as_str());
    let path = &op.path;
    let id = &op.id;
    let mut steps = Vec::new();
    for p in &op.params {
        let rust = field_ident(&p.rust);
        let wire = &p.wire;
        let value = if p.required {
            quote!(::std::option::Option::Some(&self.#rust))
        } else {
            quote!(self.#rust.as_ref())
        };
        let is_array = matches!(p.ty, TypeRef::Array(_));
        steps.push(match (p.location, is_array) {
            (ParamLocation::Path, _) => quote!(request.path(#wire, &self.#rust);),
            (ParamLocation::Query, true) => {
                let explode = p.explode;
                quote!(request.query_each(#wire, #value, #explode);)
            }
            (ParamLocation::Query, false) => quote!(request.query(#wire, #value);),
            (ParamLocation::Header, _) => quote!(request.header(#wire, #value);),
            (ParamLocation::Cookie, _) => quote!(request.cookie(#wire, #value);),
        });
    }
    if let Some(body) = &op.body {
        let rust = field_ident(&body.rust);
        let content_type = &body.content_type;
        let ct = if body.other_content_types.is_empty() {
            quote!(#content_type)
        } else {
            quote!(self.content_type)
        };
        let call = match body.encoding {
            BodyEncoding::Json => quote!(request.json(#ct, body)?;),
            BodyEncoding::Text => quote!(request.text(#ct, body);),
            BodyEncoding::Bytes => quote!(request.bytes(#ct, body);),
            BodyEncoding::Multipart => multipart(body_fields(ctx, &body.ty)),
            BodyEncoding::Form => quote!(request.form(#ct, body)?;),
        };
        steps.push(if body.required {
            quote!({ let body = &self.#rust; #call })
        } else {
            quote!(if let ::std::option::Option::Some(body) = &self.#rust { #call })
        });
    }
    if !op.credentials {
        steps.push(quote!(request.without_credentials();));
    }
    if let Some(ct) = &op.response.content_type {
        if ct.as_str() != "application/json" {
            steps.push(quote!(request.accept(#ct);));
        }
    }
    let binding = if steps.is_empty() {
        quote!(let)
    } else {
        quote!(let mut)
    };
    quote! {
        #binding request = crate::runtime::Request::new(::reqwest::Method::#method, #path, #id);
        #(#steps)*
        ::std::result::Result::Ok(request)
    }
}

/// How the response body becomes the operation's output.
fn decode(op: &Operation) -> TokenStream {
    match op.response.decoding {
        Decoding::Empty => quote!(.empty()),
        Decoding::Text => quote!(.text()),
        Decoding::Bytes => quote!(.bytes()),
        Decoding::JsonOrDefault => quote!(.json_or_default()),
        Decoding::Json => quote!(.json()),
    }
}
