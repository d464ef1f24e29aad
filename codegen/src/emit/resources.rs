//! Resource methods (`x-okta-crud`, `x-okta-operations`): inherent async
//! methods on a model that call one operation with arguments bound from the
//! model's fields, the model itself, or the caller (parent ids and the rest).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::apis::{body_type, output_type};
use super::{field_ident, ident, Ctx};
use crate::ir::*;

pub(crate) fn methods(ctx: &Ctx, m: &Model) -> TokenStream {
    if m.methods.is_empty() {
        return TokenStream::new();
    }
    let name = ident(&m.name.0);
    let methods = m.methods.iter().map(|r| method(ctx, m, r));
    quote! {
        impl #name {
            #(#methods)*
        }
    }
}

fn method(ctx: &Ctx, m: &Model, r: &ResourceMethod) -> TokenStream {
    let (tag, op) = ctx
        .api
        .operations()
        .find(|(_, o)| o.id == r.operation_id)
        .expect("normalize checked that every resource method names an operation");
    let is_union = matches!(m.kind, ModelKind::Union(_));
    let uses_self = r
        .bindings
        .iter()
        .any(|b| matches!(b, Binding::Field { .. } | Binding::SelfBody));
    let mut params = Vec::new();
    let mut lets = Vec::new();
    let mut call_args = Vec::new();
    let mut bound = Vec::new();
    // A bound field is read into a local of its own name, unless that name
    // is taken by the `client` argument or another argument.
    let arguments: Vec<&str> = r
        .bindings
        .iter()
        .filter_map(|b| match b {
            Binding::Parent { arg, .. } | Binding::Caller { arg, .. } => Some(arg.0.as_str()),
            _ => None,
        })
        .chain(["client"])
        .collect();
    for b in &r.bindings {
        match b {
            Binding::Field { field, required } => {
                let f = field_ident(field);
                let local = if arguments.contains(&field.0.as_str()) {
                    format_ident!("bound_{}", field.0)
                } else {
                    f.clone()
                };
                let wire = format!("{}.{}", m.wire, field.0);
                let access = match (is_union, required) {
                    (true, true) => quote!(::std::option::Option::Some(self.#f())),
                    (true, false) => quote!(self.#f()),
                    (false, true) => quote!(::std::option::Option::Some(&self.#f)),
                    (false, false) => quote!(crate::runtime::Optional::get(&self.#f)),
                };
                lets.push(quote!(let #local = crate::runtime::bound_field(#access, #wire)?;));
                call_args.push(quote!(::std::clone::Clone::clone(#local)));
                bound.push(format!("`{}` from `self.{}`", field.0, field.0));
            }
            Binding::SelfBody => {
                call_args.push(quote!(::std::convert::Into::into(::std::clone::Clone::clone(
                    self
                ))));
                bound.push("the body from `self`".to_string());
            }
            Binding::Parent { arg, param } => {
                let a = field_ident(arg);
                params.push(quote!(#a: impl ::std::convert::Into<::std::string::String>));
                call_args.push(quote!(#a));
                bound.push(format!("`{param}` from the parent resource (`{}`)", arg.0));
            }
            Binding::Caller { arg, ty } => {
                let a = field_ident(arg);
                let ty = match ty {
                    TypeRef::String => quote!(impl ::std::convert::Into<::std::string::String>),
                    other => body_type(ctx, other),
                };
                params.push(quote!(#a: #ty));
                call_args.push(quote!(#a));
            }
        }
    }
    let receiver = uses_self.then(|| quote!(&self,));
    let rust = field_ident(&r.rust);
    let handle = ctx.handle_path(&tag.handle);
    let op_method = field_ident(&op.method_name);
    let output = output_type(ctx, op);
    let d = format!(
        " `{}` ({}): calls [`{}::{}`]({}){}.",
        r.alias,
        r.source.extension(),
        tag.handle,
        op.method_name,
        format_args!("crate::apis::{}::{}", tag.handle, op.method_name),
        if bound.is_empty() {
            String::new()
        } else {
            format!(" with {}", bound.join(", "))
        }
    );
    let summary = op.summary.as_deref().map(|s| {
        let s = crate::render::doc(Some(s));
        quote!(#s #[doc = ""])
    });
    let missing = uses_self
        .then(|| quote!(#[doc = ""] #[doc = " Fails with [`crate::Error::MissingField`] when a bound field is not set."]));
    quote! {
        #summary
        #[doc = #d]
        #missing
        #[inline]
        pub async fn #rust(#receiver client: &crate::Client, #(#params),*) -> ::std::result::Result<#output, crate::Error> {
            #(#lets)*
            #handle::new(client).#op_method(#(#call_args),*).send().await
        }
    }
}
