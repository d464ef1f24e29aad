//! Models: structs, open enums, polymorphic unions and aliases.

use proc_macro2::TokenStream;
use quote::quote;

use super::{field_ident, ident, optional_ref, Ctx};
use crate::ir::*;
use crate::render::{doc, docs};

pub(crate) fn model(ctx: &Ctx, m: &Model) -> TokenStream {
    let schema_note = if m.wire.0.is_empty() {
        None
    } else {
        Some(format!("Schema `{}` (`{}`).", m.wire, m.pointer))
    };
    let attrs = docs(&[m.doc.clone(), schema_note]);
    match &m.kind {
        ModelKind::Struct(s) => structure(ctx, m, s, attrs),
        ModelKind::Enum(e) => enumeration(m, e, attrs),
        ModelKind::Union(u) => union(ctx, m, u, attrs),
        ModelKind::OneOf(o) => one_of(ctx, m, o, attrs),
        ModelKind::Alias(t) => {
            let name = ident(&m.name.0);
            let ty = ctx.ty(t);
            quote! {
                #attrs
                pub type #name = #ty;
            }
        }
    }
}

fn structure(ctx: &Ctx, m: &Model, s: &Struct, attrs: TokenStream) -> TokenStream {
    let name = ident(&m.name.0);
    let fields = s.fields.iter().map(|f| {
        let rust = field_ident(&f.rust);
        let mut ty = ctx.ty(&f.ty);
        if f.boxed {
            ty = quote!(::std::boxed::Box<#ty>);
        }
        let wire = &f.wire;
        let rename = (f.rust.0 != f.wire.0).then(|| quote!(rename = #wire,));
        let mut notes = Vec::new();
        if f.read_only {
            notes.push("Read-only: set by Okta.");
        }
        if f.write_only {
            notes.push("Write-only: never returned by Okta.");
        }
        // Okta describes most fields; one it does not gets no invented
        // sentence (its name and type are all there is to say).
        let field_doc = docs(&[f.doc.clone(), (!notes.is_empty()).then(|| notes.join(" "))]);
        let field_doc = if field_doc.is_empty() {
            quote!(#[allow(missing_docs)])
        } else {
            field_doc
        };
        if f.required {
            let rename = rename.map(|r| quote!(#[serde(#r)]));
            quote! {
                #field_doc
                #rename
                pub #rust: #ty,
            }
        } else if f.nullable {
            // Absent, `null` (which clears it on a partial update) or a value.
            quote! {
                #field_doc
                #[serde(#rename skip_serializing_if = "crate::Nullable::is_absent")]
                pub #rust: crate::Nullable<#ty>,
            }
        } else {
            quote! {
                #field_doc
                #[serde(#rename skip_serializing_if = "::std::option::Option::is_none")]
                pub #rust: ::std::option::Option<#ty>,
            }
        }
    });
    // Untyped extras also keep, under their own names, the properties a
    // tolerant decode set aside because their values do not fit their types.
    let extra_ty = match &s.additional {
        Some(t) => {
            let t = ctx.ty(t);
            quote!(::std::collections::BTreeMap<::std::string::String, #t>)
        }
        None => quote!(::serde_json::Map<::std::string::String, ::serde_json::Value>),
    };
    let deserialize = deserialize_struct(ctx, m, s);
    let extra_doc = doc(Some(match (s.extensible, &s.additional) {
        (true, None) => "Custom attributes (this type is extensible in Okta), properties newer than this SDK, and properties whose value does not fit their declared type: read and written back unchanged.",
        (false, None) => "Properties newer than this SDK, and properties whose value does not fit their declared type: read and written back unchanged.",
        (true, Some(_)) => "Custom attributes (this type is extensible in Okta) and properties newer than this SDK: read and written back unchanged.",
        (false, Some(_)) => "Properties newer than this SDK: read and written back unchanged.",
    }));

    let fixed: Vec<&Fixed> = s.fixed.iter().filter(|f| f.settable).collect();
    let derive_default = (s.default == StructDefault::Derive).then(|| quote!(Default,));
    let default_impl = (s.default == StructDefault::WithFixed).then(|| {
        let inits = s.fields.iter().map(|f| {
            let rust = field_ident(&f.rust);
            match fixed.iter().find(|x| x.field == f.wire) {
                Some(x) if f.required => {
                    let v = &x.value;
                    quote!(#rust: ::std::convert::From::from(#v),)
                }
                Some(x) => {
                    let v = &x.value;
                    quote!(#rust: crate::runtime::Optional::of(::std::convert::From::from(#v)),)
                }
                None => quote!(#rust: ::std::default::Default::default(),),
            }
        });
        let text = fixed
            .iter()
            .map(|x| format!("`{}` = `{}`", x.field, x.value))
            .collect::<Vec<_>>()
            .join(", ");
        let d = format!(" A new value with {text}: what makes it this type on the wire.");
        quote! {
            impl ::std::default::Default for #name {
                #[doc = #d]
                fn default() -> Self {
                    Self {
                        #(#inits)*
                        additional_properties: ::std::default::Default::default(),
                    }
                }
            }
        }
    });
    quote! {
        #attrs
        #[derive(Clone, Debug, PartialEq, #derive_default ::serde::Serialize)]
        pub struct #name {
            #(#fields)*
            #extra_doc
            #[serde(flatten)]
            pub additional_properties: #extra_ty,
        }
        #default_impl
        #deserialize
    }
}

/// `Deserialize` for a struct, written out rather than derived: one pass
/// over the object's properties, each known one read into its place and any
/// other kept in `additional_properties` as it comes. serde's derive with a
/// flattened map would first buffer every property of every object; this
/// is faster to run and to compile. Absent optional fields read as unset,
/// an absent required field as its empty value where it has one (else the
/// error serde gives, `missing field`), and a repeated property is an
/// error.
///
/// A struct with an empty value is read in place (`runtime::ReadObject`),
/// and so is each property whose value is such a struct; one without is
/// read into a new value (`runtime::FromObject`).
fn deserialize_struct(ctx: &Ctx, m: &Model, s: &Struct) -> TokenStream {
    let name = ident(&m.name.0);
    let expecting = format!("struct {}", m.name.0);
    let extra = |extras: TokenStream| match &s.additional {
        Some(_) => quote!(__map.typed_extra(&mut #extras, __key)?),
        None => quote!(__map.extra(&mut #extras, __key)?),
    };
    let each = |arms: Vec<TokenStream>, extra: TokenStream| {
        if arms.is_empty() {
            quote!(#extra;)
        } else {
            quote! {
                match __key.as_str() {
                    #(#arms)*
                    _ => #extra,
                }
            }
        }
    };
    let (deserialize, reader) = if s.default == StructDefault::None {
        let slots: Vec<_> = s.fields.iter().map(|f| field_ident(&f.rust)).collect();
        let arms = s.fields.iter().zip(&slots).map(|(f, slot)| {
            let wire = &f.wire.0;
            quote!(#wire => __map.value(&mut #slot, #wire)?,)
        });
        let inits = s.fields.iter().zip(&slots).map(|(f, slot)| {
            if f.required && !f.has_default {
                let wire = &f.wire.0;
                quote!(#slot: crate::runtime::required(#slot, #wire)?,)
            } else {
                quote!(#slot: #slot.unwrap_or_default(),)
            }
        });
        let each = each(arms.collect(), extra(quote!(additional_properties)));
        let reader = quote! {
            impl crate::runtime::FromObject for #name {
                const EXPECTING: &'static str = #expecting;

                fn from_object<'de, A: ::serde::de::MapAccess<'de>>(mut __map: A) -> ::std::result::Result<Self, A::Error> {
                    use crate::runtime::Properties as _;
                    #(let mut #slots = ::std::option::Option::None;)*
                    let mut additional_properties = ::std::default::Default::default();
                    while let ::std::option::Option::Some(__key) = __map.next_key::<crate::runtime::Key<'de>>()? {
                        #each
                    }
                    ::std::result::Result::Ok(Self {
                        #(#inits)*
                        additional_properties,
                    })
                }
            }
        };
        (quote!(crate::runtime::object(deserializer)), reader)
    } else {
        // Each property's flag, by the rank of its name: the same for the
        // same properties in any order.
        let mut names: Vec<&str> = s.fields.iter().map(|f| f.wire.0.as_str()).collect();
        names.sort_unstable();
        let arms = s.fields.iter().map(|f| {
            let wire = &f.wire.0;
            let i = names.binary_search(&wire.as_str()).unwrap_or_default();
            let i = proc_macro2::Literal::usize_unsuffixed(i);
            let place = field_ident(&f.rust);
            let read = match (read_in_place(ctx, f), f.required) {
                (true, true) => quote!(object),
                (true, false) => quote!(optional_object),
                (false, _) => quote!(field),
            };
            quote!(#wire => __map.#read(&mut self.#place, &mut __seen[#i], #wire)?,)
        });
        let each = each(arms.collect(), extra(quote!(self.additional_properties)));
        let seen = (!s.fields.is_empty()).then(|| {
            let n = proc_macro2::Literal::usize_unsuffixed(s.fields.len());
            quote!(let mut __seen = [false; #n];)
        });
        // The default sets the values that make it this type; a value
        // read from the wire has only what the wire says.
        let empty = (s.default == StructDefault::WithFixed).then(|| {
            let places = s.fields.iter().map(|f| field_ident(&f.rust));
            quote! {
                fn empty() -> Self {
                    Self {
                        #(#places: ::std::default::Default::default(),)*
                        additional_properties: ::std::default::Default::default(),
                    }
                }
            }
        });
        let reader = quote! {
            impl crate::runtime::ReadObject for #name {
                const EXPECTING: &'static str = #expecting;

                #empty

                fn read<'de, A: ::serde::de::MapAccess<'de>>(&mut self, mut __map: A) -> ::std::result::Result<(), A::Error> {
                    use crate::runtime::Properties as _;
                    #seen
                    while let ::std::option::Option::Some(__key) = __map.next_key::<crate::runtime::Key<'de>>()? {
                        #each
                    }
                    ::std::result::Result::Ok(())
                }
            }
        };
        (quote!(crate::runtime::object_in_place(deserializer)), reader)
    };
    quote! {
        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                #deserialize
            }
        }

        #reader
    }
}

/// Whether `f`'s value is read in its place: a struct with an empty value,
/// held directly (a `Nullable` or a `Box` is read whole).
fn read_in_place(ctx: &Ctx, f: &Field) -> bool {
    let TypeRef::Named(name) = &f.ty else {
        return false;
    };
    !f.nullable
        && !f.boxed
        && matches!(
            ctx.api.model(name).map(|m| &m.kind),
            Some(ModelKind::Struct(s)) if s.default != StructDefault::None
        )
}

fn enumeration(m: &Model, e: &Enumeration, attrs: TokenStream) -> TokenStream {
    let name = ident(&m.name.0);
    let variants = e.values.iter().map(|v| {
        let rust = ident(&v.rust.0);
        let d = format!(" `{}`", v.wire);
        quote!(#[doc = #d] #rust,)
    });
    let to_wire = e.values.iter().map(|v| {
        let rust = ident(&v.rust.0);
        let wire = &v.wire;
        quote!(Self::#rust => #wire,)
    });
    let from_wire = e.values.iter().map(|v| {
        let rust = ident(&v.rust.0);
        let wire = &v.wire;
        quote!(#wire => Self::#rust,)
    });
    quote! {
        #attrs
        ///
        /// Open: a value this SDK does not know is kept in `Other` and written back verbatim.
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            /// A value this SDK does not know yet, kept verbatim.
            Other(::std::string::String),
        }

        impl #name {
            /// The value as Okta writes it.
            pub fn as_str(&self) -> &str {
                match self {
                    #(#to_wire)*
                    Self::Other(other) => other,
                }
            }
        }

        impl ::std::convert::From<&str> for #name {
            fn from(value: &str) -> Self {
                match value {
                    #(#from_wire)*
                    other => Self::Other(other.to_owned()),
                }
            }
        }

        crate::runtime::open_enum!(#name);
    }
}

fn union(ctx: &Ctx, m: &Model, u: &Union, attrs: TokenStream) -> TokenStream {
    let name = ident(&m.name.0);
    let fallback = ctx.model_path(&u.fallback);
    let property = &u.property;
    let variants = u.variants.iter().map(|v| {
        let rust = ident(&v.rust.0);
        let ty = ctx.model_path(&v.ty);
        let values = v
            .values
            .iter()
            .map(|x| format!("`{x}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let d = format!(" `{property}` {values}.");
        quote!(#[doc = #d] #rust(#ty),)
    });
    let ser_arms = u.variants.iter().map(|v| {
        let rust = ident(&v.rust.0);
        quote!(Self::#rust(value) => value.serialize(serializer),)
    });
    let de_arms = u.variants.iter().map(|v| {
        let rust = ident(&v.rust.0);
        let values = &v.values;
        quote!(#(::std::option::Option::Some(#values))|* => crate::runtime::from_json(json).map(Self::#rust),)
    });
    let froms = u.variants.iter().map(|v| {
        let rust = ident(&v.rust.0);
        let ty = ctx.model_path(&v.ty);
        quote! {
            impl ::std::convert::From<#ty> for #name {
                fn from(value: #ty) -> Self {
                    Self::#rust(value)
                }
            }
        }
    });
    let method_names: Vec<&str> = m.methods.iter().map(|r| r.rust.0.as_str()).collect();
    let accessors = u
        .common
        .iter()
        .filter(|f| !method_names.contains(&f.rust.0.as_str()) && !f.boxed)
        .map(|f| {
            let rust = field_ident(&f.rust);
            let ty = ctx.ty(&f.ty);
            let (ret, get) = if f.required {
                (quote!(&#ty), quote!(&value.#rust))
            } else {
                (
                    quote!(::std::option::Option<&#ty>),
                    optional_ref(f, quote!(value)),
                )
            };
            let arms = u.variants.iter().map(|v| {
                let vr = ident(&v.rust.0);
                if v.nested {
                    quote!(Self::#vr(value) => value.#rust(),)
                } else {
                    quote!(Self::#vr(value) => #get,)
                }
            });
            let d = format!(" `{}`, whichever subtype this is.", f.wire);
            quote! {
                #[doc = #d]
                pub fn #rust(&self) -> #ret {
                    match self {
                        #(#arms)*
                        Self::Other(value) => #get,
                    }
                }
            }
        });
    let poly = format!(" Polymorphic: the subtype is chosen by `{property}`.");
    let fallback_doc = format!(" A `{property}` this SDK has no subtype for; every field is kept.");
    quote! {
        #attrs
        ///
        #[doc = #poly]
        #[derive(Clone, Debug, PartialEq)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            #[doc = #fallback_doc]
            Other(#fallback),
        }

        impl #name {
            #(#accessors)*
        }

        #(#froms)*

        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                match self {
                    #(#ser_arms)*
                    Self::Other(value) => value.serialize(serializer),
                }
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                crate::runtime::buffered(deserializer, |json| {
                    match crate::runtime::discriminator(json, #property).as_deref() {
                        #(#de_arms)*
                        _ => crate::runtime::from_json(json).map(Self::Other),
                    }
                })
            }
        }
    }
}

fn one_of(ctx: &Ctx, m: &Model, o: &OneOf, attrs: TokenStream) -> TokenStream {
    let name = ident(&m.name.0);
    let variants = o.variants.iter().map(|a| {
        let rust = ident(&a.name.0);
        let ty = ctx.ty(&a.ty);
        let ty = if a.boxed {
            quote!(::std::boxed::Box<#ty>)
        } else {
            ty
        };
        // An alternative the spec says nothing about gets no invented sentence.
        let doc = match doc(a.doc.as_deref()) {
            d if d.is_empty() => quote!(#[allow(missing_docs)]),
            d => d,
        };
        quote!(#doc #rust(#ty),)
    });
    let param = o.scalar.then(|| {
        let arms = o.variants.iter().map(|a| {
            let rust = ident(&a.name.0);
            quote!(Self::#rust(value) => crate::runtime::ParamValue::to_param(value),)
        });
        quote! {
            impl crate::runtime::ParamValue for #name {
                fn to_param(&self) -> ::std::borrow::Cow<'_, str> {
                    match self {
                        #(#arms)*
                        Self::Other(value) => crate::runtime::ParamValue::to_param(value),
                    }
                }
            }
        }
    });
    let (derive, how, best_match) = if o.best_match {
        (
            quote!(::serde::Serialize),
            "One of several types, told apart by shape: a value is decoded as the alternative it fits best (required properties present, then constant values matched, then most properties known), the first in the spec's order on a tie; a value none fits is kept in `Other`.",
            Some(best_match_deserialize(m, o)),
        )
    } else {
        (
            quote!(::serde::Serialize, ::serde::Deserialize),
            "One of several types, told apart by shape: the first alternative that fits wins, and a value none fits is kept in `Other`.",
            None,
        )
    };
    let how = doc(Some(how));
    quote! {
        #param

        #attrs
        ///
        #how
        #[derive(Clone, Debug, PartialEq, #derive)]
        #[serde(untagged)]
        pub enum #name {
            #(#variants)*
            /// A value none of the alternatives fits, kept as it is.
            Other(::serde_json::Value),
        }

        #best_match
    }
}

/// `Deserialize` for a one-of whose object alternatives differ in shape:
/// each alternative's shape beside the function that decodes it, tried in
/// the order `runtime::best_match` gives for the value.
fn best_match_deserialize(m: &Model, o: &OneOf) -> TokenStream {
    let name = ident(&m.name.0);
    let strs = |w: &[WireName]| {
        let w = w.iter().map(|w| w.0.as_str());
        quote!(&[#(#w),*])
    };
    let alternatives = o.variants.iter().map(|a| {
        let rust = ident(&a.name.0);
        let shape = match &a.shape {
            Some(s) => {
                let required = strs(&s.required);
                let known = strs(&s.known);
                let constants = s.constants.iter().map(|(wire, values)| {
                    let wire = &wire.0;
                    quote!((#wire, &[#(#values),*]))
                });
                quote!(::std::option::Option::Some(crate::runtime::Shape {
                    required: #required,
                    known: #known,
                    constants: &[#(#constants),*],
                }))
            }
            None => quote!(::std::option::Option::None),
        };
        quote!((#shape, |value| crate::runtime::from_value(value).map(#name::#rust)),)
    });
    quote! {
        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                const ALTERNATIVES: &[crate::runtime::Alternative<#name>] = &[#(#alternatives)*];
                let value = <::serde_json::Value as ::serde::Deserialize>::deserialize(deserializer)?;
                ::std::result::Result::Ok(crate::runtime::best_match(value, ALTERNATIVES, Self::Other))
            }
        }
    }
}
