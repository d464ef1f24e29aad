//! Spec -> IR. Both dialects land on the same concepts here: inheritance
//! (`x-okta-parent` or `allOf`), polymorphism (`x-openapi-v3-discriminator` or
//! `discriminator`, nested), resource methods (`x-okta-crud`,
//! `x-okta-operations`), and stable names for inline schemas.

use std::collections::{BTreeMap, BTreeSet};

use indexmap::IndexMap;
use openapiv3::{
    AdditionalProperties, OpenAPI, Parameter, ParameterSchemaOrContent, ReferenceOr, Schema, SchemaData,
    SchemaKind, StatusCode, Type, VariantOrUnknownOrEmpty,
};
use serde_json::Value;

use crate::ir::*;
use crate::load::LoadedSpec;
use crate::naming::{pascal, snake, unique};
use crate::Error;

const SCHEMAS: &str = "/components/schemas";

/// Builds the IR of one spec.
pub fn normalize(spec: &LoadedSpec, module: &str, tag_features: bool) -> Result<Api, Error> {
    let mut n = Normalizer::new(spec)?;
    n.schemas()?;
    n.refuse_recursive_aliases()?;
    let mut tags = n.operations()?;
    n.resource_methods(&tags)?;
    n.finish_unions();
    let other_models_feature = tag_features.then(|| assign_features(module, &mut tags, &mut n.models));
    let mut models: Vec<Model> = n.models.into_values().collect();
    models.sort_by(|a, b| a.name.cmp(&b.name));
    let mut sources = vec![spec.file.clone()];
    sources.extend(spec.overlays.iter().map(|o| o.file.clone()));
    Ok(Api {
        module: snake(module),
        title: spec.openapi.info.title.clone(),
        version: spec.openapi.info.version.clone(),
        sources,
        other_models_feature,
        models,
        tags,
        warnings: n.warnings,
    })
}

/// A uniform view of a schema, whichever `SchemaKind` openapiv3 chose.
struct View<'a> {
    data: &'a SchemaData,
    typ: Option<&'a str>,
    format: Option<String>,
    properties: Option<&'a IndexMap<String, ReferenceOr<Box<Schema>>>>,
    required: &'a [String],
    additional: Option<&'a AdditionalProperties>,
    items: Option<&'a ReferenceOr<Box<Schema>>>,
    enum_strings: Vec<String>,
    enum_other: bool,
    all_of: &'a [ReferenceOr<Schema>],
    one_of: &'a [ReferenceOr<Schema>],
    any_of: &'a [ReferenceOr<Schema>],
}

fn format_str<T: std::fmt::Debug>(f: &VariantOrUnknownOrEmpty<T>) -> Option<String> {
    match f {
        VariantOrUnknownOrEmpty::Item(v) => {
            // StringFormat::DateTime -> "date-time", Int32 -> "int32", ...
            let name = format!("{v:?}");
            let mut out = String::new();
            for (i, c) in name.chars().enumerate() {
                if c.is_ascii_uppercase() && i > 0 {
                    out.push('-');
                }
                out.push(c.to_ascii_lowercase());
            }
            Some(out)
        }
        VariantOrUnknownOrEmpty::Unknown(s) => Some(s.clone()),
        VariantOrUnknownOrEmpty::Empty => None,
    }
}

impl<'a> View<'a> {
    fn of(schema: &'a Schema) -> View<'a> {
        let mut v = View {
            data: &schema.schema_data,
            typ: None,
            format: None,
            properties: None,
            required: &[],
            additional: None,
            items: None,
            enum_strings: Vec::new(),
            enum_other: false,
            all_of: &[],
            one_of: &[],
            any_of: &[],
        };
        match &schema.schema_kind {
            SchemaKind::Type(Type::String(s)) => {
                v.typ = Some("string");
                v.format = format_str(&s.format);
                v.enum_strings = s.enumeration.iter().flatten().cloned().collect();
            }
            SchemaKind::Type(Type::Integer(i)) => {
                v.typ = Some("integer");
                v.format = format_str(&i.format);
                v.enum_other = !i.enumeration.is_empty();
            }
            SchemaKind::Type(Type::Number(x)) => {
                v.typ = Some("number");
                v.format = format_str(&x.format);
                v.enum_other = !x.enumeration.is_empty();
            }
            SchemaKind::Type(Type::Boolean(_)) => v.typ = Some("boolean"),
            SchemaKind::Type(Type::Object(o)) => {
                v.typ = Some("object");
                v.properties = Some(&o.properties);
                v.required = &o.required;
                v.additional = o.additional_properties.as_ref();
            }
            SchemaKind::Type(Type::Array(a)) => {
                v.typ = Some("array");
                v.items = a.items.as_ref();
            }
            SchemaKind::AllOf { all_of } => v.all_of = all_of,
            SchemaKind::OneOf { one_of } => v.one_of = one_of,
            SchemaKind::AnyOf { any_of } => v.any_of = any_of,
            SchemaKind::Not { .. } => {}
            SchemaKind::Any(a) => {
                v.typ = a.typ.as_deref();
                v.format = a.format.clone();
                if !a.properties.is_empty() || a.additional_properties.is_some() {
                    v.properties = Some(&a.properties);
                }
                v.required = &a.required;
                v.additional = a.additional_properties.as_ref();
                v.items = a.items.as_ref();
                for e in &a.enumeration {
                    match e {
                        Value::String(s) => v.enum_strings.push(s.clone()),
                        Value::Null => {}
                        _ => v.enum_other = true,
                    }
                }
                v.all_of = &a.all_of;
                v.one_of = &a.one_of;
                v.any_of = &a.any_of;
            }
        }
        v
    }

    fn extension(&self, name: &str) -> Option<&'a Value> {
        self.data.extensions.get(name)
    }

    /// `(propertyName, mapping)` from either dialect.
    fn discriminator(&self) -> Option<(String, Vec<(String, String)>)> {
        if let Some(d) = &self.data.discriminator {
            return Some((
                d.property_name.clone(),
                d.mapping.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            ));
        }
        let d = self.extension("x-openapi-v3-discriminator")?;
        let property = d.get("propertyName")?.as_str()?.to_string();
        let mapping = d
            .get("mapping")
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                    .collect()
            })
            .unwrap_or_default();
        Some((property, mapping))
    }

    fn is_object_like(&self) -> bool {
        self.typ == Some("object") || self.properties.is_some()
    }
}

/// Resolves `#/components/schemas/X`, `#/definitions/X` (the legacy form
/// the 1.9.0 extensions use) or a bare `X` to the schema name `X`.
fn schema_name_of(reference: &str) -> &str {
    reference
        .strip_prefix("#/components/schemas/")
        .or_else(|| reference.strip_prefix("#/definitions/"))
        .unwrap_or(reference)
}

fn as_schema<T: std::borrow::Borrow<Schema>>(r: &ReferenceOr<T>) -> Result<&Schema, &str> {
    match r {
        ReferenceOr::Item(s) => Ok(s.borrow()),
        ReferenceOr::Reference { reference } => Err(reference),
    }
}

struct Normalizer<'a> {
    spec: &'a LoadedSpec,
    api: &'a OpenAPI,
    schemas: &'a IndexMap<String, ReferenceOr<Schema>>,
    /// Schema name -> Rust type name, for every component schema.
    names: BTreeMap<String, TypeName>,
    taken: BTreeSet<String>,
    models: BTreeMap<TypeName, Model>,
    /// Schema name -> parent schema name.
    parents: BTreeMap<String, String>,
    /// Own fields per component schema (before inheritance), memoised.
    own_fields: BTreeMap<String, Vec<Field>>,
    /// Resolved (inherited + own) fields per component schema.
    all_fields: BTreeMap<String, Vec<Field>>,
    warnings: Vec<Warning>,
}

impl<'a> Normalizer<'a> {
    fn new(spec: &'a LoadedSpec) -> Result<Self, Error> {
        static EMPTY: std::sync::OnceLock<IndexMap<String, ReferenceOr<Schema>>> = std::sync::OnceLock::new();
        let api = &spec.openapi;
        let schemas = api
            .components
            .as_ref()
            .map(|c| &c.schemas)
            .unwrap_or_else(|| EMPTY.get_or_init(IndexMap::new));
        let mut n = Normalizer {
            spec,
            api,
            schemas,
            names: BTreeMap::new(),
            taken: BTreeSet::new(),
            models: BTreeMap::new(),
            parents: BTreeMap::new(),
            own_fields: BTreeMap::new(),
            all_fields: BTreeMap::new(),
            warnings: Vec::new(),
        };
        // Component schemas claim their names first, in sorted order, so an
        // inline schema never takes a name a component schema wants.
        let mut sorted: Vec<&String> = schemas.keys().collect();
        sorted.sort();
        for name in sorted {
            let ty = n.claim(pascal(name).0, &SpecPointer(format!("{SCHEMAS}/{name}")));
            n.names.insert(name.clone(), ty);
        }
        Ok(n)
    }

    fn err(&self, pointer: impl Into<String>, message: impl Into<String>) -> Error {
        Error::spec(&self.spec.file, pointer, message)
    }

    fn warn(&mut self, pointer: &SpecPointer, message: impl Into<String>) {
        self.warnings.push(Warning {
            pointer: pointer.clone(),
            message: message.into(),
        });
    }

    /// Reserves a type name, reporting a collision.
    fn claim(&mut self, candidate: String, pointer: &SpecPointer) -> TypeName {
        let (name, renamed) = unique(&mut self.taken, candidate.clone());
        if renamed {
            self.warn(
                pointer,
                format!("type name {candidate} is taken; this schema is named {name}"),
            );
        }
        TypeName(name)
    }

    /// The schema `name` stands for, following aliases (`A: {$ref: B}`); a
    /// chain of aliases that comes back to itself is a located error.
    fn component(&self, name: &str, pointer: &str) -> Result<(&'a Schema, TypeName), Error> {
        let mut chain = vec![name];
        let mut at = pointer.to_string();
        loop {
            let current = chain[chain.len() - 1];
            let schema = self
                .schemas
                .get(current)
                .ok_or_else(|| self.err(&at, format!("reference to missing schema `{current}`")))?;
            match schema {
                ReferenceOr::Item(s) => return Ok((s, self.names[current].clone())),
                ReferenceOr::Reference { reference } => {
                    let target = schema_name_of(reference);
                    at = format!("{SCHEMAS}/{current}");
                    let cycle = chain.contains(&target);
                    chain.push(target);
                    if cycle {
                        return Err(self.err(at, format!("`$ref` cycle: {}", chain.join(" -> "))));
                    }
                }
            }
        }
    }

    fn resolve_ref(&self, reference: &str, pointer: &str) -> Result<TypeName, Error> {
        if !(reference.starts_with("#/components/schemas/") || reference.starts_with("#/definitions/")) {
            return Err(self.err(
                pointer,
                format!("unsupported reference `{reference}`: only local schema references are supported"),
            ));
        }
        Ok(self.component(schema_name_of(reference), pointer)?.1)
    }

    // ---- schemas ----------------------------------------------------------

    fn schemas(&mut self) -> Result<(), Error> {
        // Parents first: x-okta-parent or the first $ref of an allOf.
        for (name, schema) in self.schemas {
            let ReferenceOr::Item(schema) = schema else {
                continue;
            };
            let view = View::of(schema);
            let pointer = format!("{SCHEMAS}/{name}");
            if let Some(parent) = view.extension("x-okta-parent") {
                let parent = parent.as_str().unwrap_or_default();
                let p = format!("{pointer}/x-okta-parent");
                self.component(schema_name_of(parent), &p)?;
                self.parents
                    .insert(name.clone(), schema_name_of(parent).to_string());
            } else if let Some(ReferenceOr::Reference { reference }) = view.all_of.first() {
                let p = format!("{pointer}/allOf/0/$ref");
                self.resolve_ref(reference, &p)?;
                self.parents
                    .insert(name.clone(), schema_name_of(reference).to_string());
            }
        }
        for (name, schema) in self.schemas {
            let pointer = SpecPointer(format!("{SCHEMAS}/{name}"));
            let ty = self.names[name].clone();
            match schema {
                ReferenceOr::Reference { reference } => {
                    let target = self.resolve_ref(reference, &pointer.0)?;
                    self.insert(Model {
                        name: ty,
                        wire: name.clone(),
                        pointer,
                        doc: None,
                        kind: ModelKind::Alias(TypeRef::Named(target)),
                        methods: Vec::new(),
                        features: Vec::new(),
                    });
                }
                ReferenceOr::Item(schema) => self.component_model(name, ty, schema, pointer)?,
            }
        }
        Ok(())
    }

    /// An alias that contains itself (`List: {type: array, items: {$ref:
    /// List}}`) has no Rust spelling as a type alias: a located error.
    fn refuse_recursive_aliases(&self) -> Result<(), Error> {
        fn reaches(
            models: &BTreeMap<TypeName, Model>,
            ty: &TypeRef,
            target: &TypeName,
            seen: &mut BTreeSet<TypeName>,
        ) -> bool {
            match ty {
                TypeRef::Array(inner) | TypeRef::Map(inner) => reaches(models, inner, target, seen),
                TypeRef::Named(name) if name == target => true,
                TypeRef::Named(name) => match models.get(name).map(|m| &m.kind) {
                    Some(ModelKind::Alias(inner)) if seen.insert(name.clone()) => {
                        reaches(models, inner, target, seen)
                    }
                    _ => false,
                },
                _ => false,
            }
        }
        for model in self.models.values() {
            if let ModelKind::Alias(ty @ (TypeRef::Array(_) | TypeRef::Map(_))) = &model.kind {
                if reaches(&self.models, ty, &model.name, &mut BTreeSet::new()) {
                    return Err(self.err(
                        model.pointer.0.clone(),
                        format!(
                            "`{}` is an array or map of itself; give its items an object schema",
                            model.wire
                        ),
                    ));
                }
            }
        }
        Ok(())
    }

    fn insert(&mut self, model: Model) {
        self.models.insert(model.name.clone(), model);
    }

    fn component_model(
        &mut self,
        name: &str,
        ty: TypeName,
        schema: &'a Schema,
        pointer: SpecPointer,
    ) -> Result<(), Error> {
        let view = View::of(schema);
        let doc = view.data.description.clone().or_else(|| view.data.title.clone());
        if let Some((property, mapping)) = view.discriminator() {
            return self.union_model(name, ty, &view, doc, pointer, property, mapping);
        }
        let is_one_of = (!view.one_of.is_empty() || !view.any_of.is_empty()) && view.properties.is_none();
        let kind = if !is_one_of
            && (self.parents.contains_key(name) || view.is_object_like() || !view.all_of.is_empty())
        {
            ModelKind::Struct(self.struct_of(name, &pointer)?)
        } else {
            self.kind_of(&view, &ty, &pointer)?
        };
        self.insert(Model {
            name: ty,
            wire: name.to_string(),
            pointer,
            doc,
            kind,
            methods: Vec::new(),
            features: Vec::new(),
        });
        Ok(())
    }

    /// The kind of a non-object schema: an enum, or an alias of a type.
    fn kind_of(&mut self, view: &View<'a>, ty: &TypeName, pointer: &SpecPointer) -> Result<ModelKind, Error> {
        if !view.enum_strings.is_empty() {
            return Ok(ModelKind::Enum(enumeration(&view.enum_strings)));
        }
        if !view.one_of.is_empty() || !view.any_of.is_empty() {
            return self.one_of(view, &ty.0, pointer);
        }
        Ok(ModelKind::Alias(self.type_of_view(view, &ty.0, pointer)?))
    }

    #[allow(clippy::too_many_arguments)]
    fn union_model(
        &mut self,
        name: &str,
        ty: TypeName,
        view: &View<'a>,
        doc: Option<String>,
        pointer: SpecPointer,
        property: String,
        mapping: Vec<(String, String)>,
    ) -> Result<(), Error> {
        // The base's own fields become the fallback struct.
        let fallback_struct = self.struct_of(name, &pointer)?;
        // `ApplicationBase`; a base already named `...Base` gets `...BaseFields`.
        let suffix = if ty.0.ends_with("Base") { "Fields" } else { "Base" };
        let fallback = self.claim(format!("{}{suffix}", ty.0), &pointer);
        self.insert(Model {
            name: fallback.clone(),
            wire: name.to_string(),
            pointer: pointer.clone(),
            doc: Some(format!(
                "`{}` with a `{property}` this SDK has no subtype for: every field is kept.",
                name
            )),
            kind: ModelKind::Struct(fallback_struct),
            methods: Vec::new(),
            features: Vec::new(),
        });
        let one_of_refs: Vec<(String, String)> = view
            .one_of
            .iter()
            .chain(view.any_of)
            .filter_map(|r| match r {
                ReferenceOr::Reference { reference } => {
                    let n = schema_name_of(reference).to_string();
                    Some((n.clone(), n))
                }
                ReferenceOr::Item(_) => None,
            })
            .collect();
        let mapping = if mapping.is_empty() && !one_of_refs.is_empty() {
            // `oneOf` + `discriminator` without a mapping: the alternatives by name.
            one_of_refs
        } else if mapping.is_empty() {
            // Standard OpenAPI: implicit mapping by the children's schema names.
            self.parents
                .iter()
                .filter(|(_, p)| p.as_str() == name)
                .map(|(child, _)| (child.clone(), child.clone()))
                .collect()
        } else {
            mapping
        };
        let mut variants: Vec<Variant> = Vec::new();
        let ext = if view.data.discriminator.is_some() {
            "discriminator"
        } else {
            "x-openapi-v3-discriminator"
        };
        for (value, target) in &mapping {
            let p = pointer.join(ext).join("mapping").join(value);
            let target_name = schema_name_of(target);
            let (schema, target_ty) = self.component(target_name, &p.0)?;
            if target_name == name {
                continue; // maps to the base itself: the fallback covers it
            }
            if let Some(v) = variants.iter_mut().find(|v| v.ty == target_ty) {
                v.values.push(value.clone());
                continue;
            }
            variants.push(Variant {
                rust: TypeName(String::new()),
                ty: target_ty,
                values: vec![value.clone()],
                nested: View::of(schema).discriminator().is_some(),
            });
        }
        let names = variant_names(&ty, &variants);
        for (v, n) in variants.iter_mut().zip(names) {
            v.rust = n;
        }
        self.insert(Model {
            name: ty,
            wire: name.to_string(),
            pointer,
            doc,
            kind: ModelKind::Union(Union {
                property,
                variants,
                fallback,
                common: Vec::new(),
            }),
            methods: Vec::new(),
            features: Vec::new(),
        });
        Ok(())
    }

    /// The alternatives of a `oneOf` / `anyOf`, each a type of its own.
    fn one_of(&mut self, view: &View<'a>, owner: &str, pointer: &SpecPointer) -> Result<ModelKind, Error> {
        let (key, alternatives) = if view.one_of.is_empty() {
            ("anyOf", view.any_of)
        } else {
            ("oneOf", view.one_of)
        };
        let mut variants = Vec::new();
        let mut taken = BTreeSet::new();
        taken.insert("Other".to_string());
        for (i, alt) in alternatives.iter().enumerate() {
            let ty = self.type_of(alt, &format!("{owner}{}", i + 1), &pointer.join(key).join(i))?;
            let candidate = match &ty {
                TypeRef::Named(n) => {
                    n.0.strip_prefix(owner)
                        .filter(|s| !s.is_empty())
                        .unwrap_or(&n.0)
                        .to_string()
                }
                TypeRef::String => "String".into(),
                TypeRef::Bool => "Bool".into(),
                TypeRef::I32 | TypeRef::I64 => "Integer".into(),
                TypeRef::F64 => "Number".into(),
                TypeRef::Bytes => "Bytes".into(),
                TypeRef::Any => "Json".into(),
                TypeRef::Array(_) => "List".into(),
                TypeRef::Map(_) => "Map".into(),
            };
            let candidate = if candidate.starts_with(|c: char| c.is_ascii_digit()) {
                format!("V{candidate}")
            } else {
                candidate
            };
            let (rust, _) = unique(&mut taken, candidate);
            variants.push((TypeName(rust), ty));
        }
        Ok(ModelKind::OneOf(OneOf { variants }))
    }

    /// A struct for component schema `name`: inherited fields, then own.
    fn struct_of(&mut self, name: &str, pointer: &SpecPointer) -> Result<Struct, Error> {
        let fields = self.fields_of(name, &mut Vec::new())?;
        let schema = as_schema(&self.schemas[name]).ok();
        let view = schema.map(View::of);
        let additional = match view.as_ref().and_then(|v| v.additional) {
            Some(AdditionalProperties::Schema(s)) => {
                let owner = self.names[name].0.clone();
                Some(self.type_of(s, &format!("{owner}Value"), &pointer.join("additionalProperties"))?)
            }
            _ => None,
        };
        let mut fixed = Vec::new();
        self.fixed_values(name, &mut fixed);
        Ok(Struct {
            parent: self.parents.get(name).map(|p| self.names[p].clone()),
            fields,
            additional: additional.filter(|t| *t != TypeRef::Any),
            extensible: view
                .and_then(|v| v.extension("x-okta-extensible"))
                .and_then(Value::as_bool)
                .unwrap_or(false),
            fixed,
        })
    }

    /// Values a subtype always has: its discriminator value in each ancestor
    /// union and its `x-okta-defined-as` properties.
    fn fixed_values(&self, name: &str, out: &mut Vec<(String, String)>) {
        let Some(ReferenceOr::Item(schema)) = self.schemas.get(name) else {
            return;
        };
        if let Some(defined) = View::of(schema)
            .extension("x-okta-defined-as")
            .and_then(Value::as_object)
        {
            for (k, v) in defined {
                if let Some(v) = v.as_str() {
                    push_fixed(out, k, v);
                }
            }
        }
        let mut child = name;
        while let Some(parent) = self.parents.get(child) {
            if let Some(ReferenceOr::Item(p)) = self.schemas.get(parent) {
                if let Some((property, mapping)) = View::of(p).discriminator() {
                    let values: Vec<&String> = mapping
                        .iter()
                        .filter(|(_, t)| schema_name_of(t) == name || schema_name_of(t) == child)
                        .map(|(v, _)| v)
                        .collect();
                    let implicit = mapping.is_empty().then_some(child);
                    match (values.as_slice(), implicit) {
                        ([one], _) => push_fixed(out, &property, one),
                        ([], Some(c)) => push_fixed(out, &property, c),
                        _ => {}
                    }
                }
            }
            child = parent;
        }
    }

    fn fields_of(&mut self, name: &str, stack: &mut Vec<String>) -> Result<Vec<Field>, Error> {
        if let Some(f) = self.all_fields.get(name) {
            return Ok(f.clone());
        }
        if stack.iter().any(|s| s == name) {
            return Err(self.err(
                format!("{SCHEMAS}/{name}"),
                format!("inheritance cycle: {} -> {name}", stack.join(" -> ")),
            ));
        }
        stack.push(name.to_string());
        let mut fields = match self.parents.get(name).cloned() {
            Some(parent) => {
                let parent_ty = self.names[&parent].clone();
                let mut inherited = self.fields_of(&parent, stack)?;
                for f in &mut inherited {
                    f.inherited_from.get_or_insert_with(|| parent_ty.clone());
                }
                inherited
            }
            None => Vec::new(),
        };
        stack.pop();
        let own = self.own_fields_of(name)?;
        merge_fields(&mut fields, own);
        dedupe_field_names(&mut fields);
        self.all_fields.insert(name.to_string(), fields.clone());
        Ok(fields)
    }

    fn own_fields_of(&mut self, name: &str) -> Result<Vec<Field>, Error> {
        if let Some(f) = self.own_fields.get(name) {
            return Ok(f.clone());
        }
        let pointer = SpecPointer(format!("{SCHEMAS}/{name}"));
        let owner = self.names[name].0.clone();
        let Ok(schema) = as_schema(&self.schemas[name]) else {
            return Ok(Vec::new());
        };
        let view = View::of(schema);
        let mut fields = self.property_fields(&view, &owner, &pointer)?;
        // allOf parts after the parent: their properties are this type's own.
        let skip = usize::from(self.parents.contains_key(name) && view.extension("x-okta-parent").is_none());
        for (i, part) in view.all_of.iter().enumerate().skip(skip) {
            let p = pointer.join("allOf").join(i);
            match part {
                ReferenceOr::Item(s) => {
                    let v = View::of(s);
                    let part = self.property_fields(&v, &owner, &p)?;
                    merge_fields(&mut fields, part);
                }
                ReferenceOr::Reference { reference } => {
                    self.resolve_ref(reference, &p.join("$ref").0)?;
                    let mixin = schema_name_of(reference).to_string();
                    let mixin_ty = self.names[&mixin].clone();
                    let mut part = self.fields_of(&mixin, &mut Vec::new())?;
                    for f in &mut part {
                        f.inherited_from.get_or_insert_with(|| mixin_ty.clone());
                    }
                    merge_fields(&mut fields, part);
                }
            }
        }
        self.own_fields.insert(name.to_string(), fields.clone());
        Ok(fields)
    }

    fn property_fields(
        &mut self,
        view: &View<'a>,
        owner: &str,
        pointer: &SpecPointer,
    ) -> Result<Vec<Field>, Error> {
        let Some(props) = view.properties else {
            return Ok(Vec::new());
        };
        let mut fields = Vec::new();
        for (wire, prop) in props {
            let p = pointer.join("properties").join(wire);
            let ty = self.type_of(prop, &format!("{owner}{}", pascal(wire).0), &p)?;
            let (data, doc) = match prop {
                ReferenceOr::Item(s) => (Some(&s.schema_data), s.schema_data.description.clone()),
                ReferenceOr::Reference { reference } => {
                    let target = self.component(schema_name_of(reference), &p.0)?.0;
                    (None, target.schema_data.description.clone())
                }
            };
            let allow_null = data
                .and_then(|d| d.extensions.get("x-okta-allow-null-property-value-for-updates"))
                .and_then(Value::as_bool)
                .unwrap_or(false);
            fields.push(Field {
                wire: wire.clone(),
                rust: snake(wire),
                ty,
                required: view.required.contains(wire),
                nullable: data.is_some_and(|d| d.nullable) || allow_null,
                read_only: data.is_some_and(|d| d.read_only),
                write_only: data.is_some_and(|d| d.write_only),
                doc,
                inherited_from: None,
                pointer: p,
            });
        }
        Ok(fields)
    }

    /// The type of a property, item or body schema. Inline objects and enums
    /// become models named `suggested`.
    fn type_of<T: std::borrow::Borrow<Schema>>(
        &mut self,
        schema: &'a ReferenceOr<T>,
        suggested: &str,
        pointer: &SpecPointer,
    ) -> Result<TypeRef, Error> {
        match schema {
            ReferenceOr::Reference { reference } => Ok(TypeRef::Named(
                self.resolve_ref(reference, &pointer.join("$ref").0)?,
            )),
            ReferenceOr::Item(s) => {
                let view = View::of(s.borrow());
                self.type_of_view(&view, suggested, pointer)
            }
        }
    }

    fn type_of_view(
        &mut self,
        view: &View<'a>,
        suggested: &str,
        pointer: &SpecPointer,
    ) -> Result<TypeRef, Error> {
        if !view.enum_strings.is_empty() {
            let name = self.claim(suggested.to_string(), pointer);
            self.insert(Model {
                name: name.clone(),
                wire: suggested.to_string(),
                pointer: pointer.clone(),
                doc: view.data.description.clone(),
                kind: ModelKind::Enum(enumeration(&view.enum_strings)),
                methods: Vec::new(),
                features: Vec::new(),
            });
            return Ok(TypeRef::Named(name));
        }
        if view.enum_other {
            self.warn(
                pointer,
                "non-string enum: typed as its base type, values unchecked",
            );
        }
        // `allOf: [$ref, {description, example, ...}]` is the referenced type
        // with annotations: the other parts add no structure.
        let refs: Vec<&String> = view
            .all_of
            .iter()
            .filter_map(|p| match p {
                ReferenceOr::Reference { reference } => Some(reference),
                ReferenceOr::Item(_) => None,
            })
            .collect();
        if let [reference] = refs.as_slice() {
            let annotation_only = view.all_of.iter().all(|part| match part {
                ReferenceOr::Item(s) => {
                    let v = View::of(s);
                    v.typ.is_none()
                        && v.properties.is_none()
                        && v.all_of.is_empty()
                        && v.one_of.is_empty()
                        && v.any_of.is_empty()
                        && v.items.is_none()
                        && v.enum_strings.is_empty()
                }
                ReferenceOr::Reference { .. } => true,
            });
            if view.properties.is_none() && annotation_only {
                return Ok(TypeRef::Named(
                    self.resolve_ref(reference, &pointer.join("allOf/0/$ref").0)?,
                ));
            }
        }
        if !view.one_of.is_empty() || !view.any_of.is_empty() {
            let name = self.claim(suggested.to_string(), pointer);
            let kind = self.one_of(view, &name.0, pointer)?;
            self.insert(Model {
                name: name.clone(),
                wire: suggested.to_string(),
                pointer: pointer.clone(),
                doc: view.data.description.clone(),
                kind,
                methods: Vec::new(),
                features: Vec::new(),
            });
            return Ok(TypeRef::Named(name));
        }
        if view.properties.is_some_and(|p| !p.is_empty()) || !view.all_of.is_empty() {
            return self.inline_struct(view, suggested, pointer);
        }
        Ok(match (view.typ, view.format.as_deref()) {
            (Some("string"), Some("binary")) => TypeRef::Bytes,
            (Some("string"), _) => TypeRef::String,
            (Some("boolean"), _) => TypeRef::Bool,
            (Some("integer"), Some("int32")) => TypeRef::I32,
            (Some("integer"), _) => TypeRef::I64,
            (Some("number"), _) => TypeRef::F64,
            (Some("array"), _) => match view.items {
                Some(items) => TypeRef::Array(Box::new(self.type_of(
                    items,
                    &format!("{suggested}Item"),
                    &pointer.join("items"),
                )?)),
                None => TypeRef::Array(Box::new(TypeRef::Any)),
            },
            _ => match view.additional {
                Some(AdditionalProperties::Schema(s)) => {
                    let value = self.type_of(
                        s,
                        &format!("{suggested}Value"),
                        &pointer.join("additionalProperties"),
                    )?;
                    if value == TypeRef::Any {
                        TypeRef::Map(Box::new(TypeRef::Any))
                    } else {
                        TypeRef::Map(Box::new(value))
                    }
                }
                _ => TypeRef::Any,
            },
        })
    }

    fn inline_struct(
        &mut self,
        view: &View<'a>,
        suggested: &str,
        pointer: &SpecPointer,
    ) -> Result<TypeRef, Error> {
        let name = self.claim(suggested.to_string(), pointer);
        let mut fields = self.property_fields(view, &name.0, pointer)?;
        let mut parent = None;
        for (i, part) in view.all_of.iter().enumerate() {
            let p = pointer.join("allOf").join(i);
            match part {
                ReferenceOr::Item(s) => {
                    let v = View::of(s);
                    let part = self.property_fields(&v, &name.0, &p)?;
                    merge_fields(&mut fields, part);
                }
                ReferenceOr::Reference { reference } => {
                    let ty = self.resolve_ref(reference, &p.join("$ref").0)?;
                    let schema_name = schema_name_of(reference).to_string();
                    let mut inherited = self.fields_of(&schema_name, &mut Vec::new())?;
                    for f in &mut inherited {
                        f.inherited_from.get_or_insert_with(|| ty.clone());
                    }
                    if parent.is_none() {
                        parent = Some(ty);
                        merge_fields(&mut inherited, std::mem::take(&mut fields));
                        fields = inherited;
                    } else {
                        merge_fields(&mut fields, inherited);
                    }
                }
            }
        }
        dedupe_field_names(&mut fields);
        let additional = match view.additional {
            Some(AdditionalProperties::Schema(s)) => Some(self.type_of(
                s,
                &format!("{}Value", name.0),
                &pointer.join("additionalProperties"),
            )?),
            _ => None,
        };
        self.insert(Model {
            name: name.clone(),
            wire: suggested.to_string(),
            pointer: pointer.clone(),
            doc: view.data.description.clone(),
            kind: ModelKind::Struct(Struct {
                parent,
                fields,
                additional: additional.filter(|t| *t != TypeRef::Any),
                extensible: false,
                fixed: Vec::new(),
            }),
            methods: Vec::new(),
            features: Vec::new(),
        });
        Ok(TypeRef::Named(name))
    }

    /// Fills in each union's common fields, innermost unions first.
    fn finish_unions(&mut self) {
        let names: Vec<TypeName> = self
            .models
            .values()
            .filter(|m| matches!(m.kind, ModelKind::Union(_)))
            .map(|m| m.name.clone())
            .collect();
        let mut done = BTreeSet::new();
        for name in &names {
            self.common_fields(name, &mut done);
        }
    }

    fn fields_of_type(&mut self, ty: &TypeName, done: &mut BTreeSet<TypeName>) -> Vec<Field> {
        match self.models.get(ty).map(|m| &m.kind) {
            Some(ModelKind::Struct(s)) => s.fields.clone(),
            Some(ModelKind::Union(_)) => self.common_fields(ty, done),
            _ => Vec::new(),
        }
    }

    fn common_fields(&mut self, name: &TypeName, done: &mut BTreeSet<TypeName>) -> Vec<Field> {
        let Some(ModelKind::Union(u)) = self.models.get(name).map(|m| m.kind.clone()) else {
            return Vec::new();
        };
        if !done.insert(name.clone()) {
            return u.common;
        }
        let mut common = self.fields_of_type(&u.fallback, done);
        for v in &u.variants {
            let theirs = self.fields_of_type(&v.ty, done);
            common.retain(|f| {
                theirs
                    .iter()
                    .any(|t| t.wire == f.wire && t.ty == f.ty && t.required == f.required && t.rust == f.rust)
            });
        }
        if let Some(ModelKind::Union(u)) = self.models.get_mut(name).map(|m| &mut m.kind) {
            u.common = common.clone();
        }
        common
    }

    // ---- operations -------------------------------------------------------

    fn operations(&mut self) -> Result<Vec<Tag>, Error> {
        let mut by_tag: BTreeMap<String, Vec<Operation>> = BTreeMap::new();
        let mut ids = BTreeSet::new();
        // Method name -> the operationId that took it.
        let mut methods: BTreeMap<String, String> = BTreeMap::new();
        for (path, item) in self.api.paths.iter() {
            let path_ptr = SpecPointer("/paths".into()).join(path);
            let ReferenceOr::Item(item) = item else {
                return Err(self.err(path_ptr.0, "path item references are not supported"));
            };
            for (method, op) in item.iter() {
                let pointer = path_ptr.join(method);
                let Some(id) = op.operation_id.clone() else {
                    return Err(self.err(pointer.0, "operation has no operationId"));
                };
                if !ids.insert(id.clone()) {
                    return Err(self.err(
                        pointer.join("operationId").0,
                        format!("duplicate operationId `{id}`"),
                    ));
                }
                if let Some(other) = methods.insert(snake(&id).0, id.clone()) {
                    return Err(self.err(
                        pointer.join("operationId").0,
                        format!(
                            "operationId `{id}` and `{other}` name the same method `{}`; rename one (an overlay can)",
                            snake(&id).0
                        ),
                    ));
                }
                let tag = op.tags.first().cloned().unwrap_or_else(|| "Default".into());
                let operation = self.operation(path, method, op, &item.parameters, id, pointer)?;
                by_tag.entry(tag).or_default().push(operation);
            }
        }
        let mut tags: Vec<Tag> = by_tag
            .into_iter()
            .map(|(wire, operations)| {
                let doc = self
                    .api
                    .tags
                    .iter()
                    .find(|t| t.name == wire)
                    .and_then(|t| t.description.clone());
                Tag {
                    feature: None,
                    module: snake(&wire),
                    handle: TypeName(format!("{}Api", pascal(&wire).0)),
                    wire,
                    doc,
                    operations,
                }
            })
            .collect();
        tags.sort_by(|a, b| a.handle.cmp(&b.handle));
        Ok(tags)
    }

    /// The parameter `p` is, following `$ref`s into `components/parameters`;
    /// a chain that comes back to itself is a located error.
    fn parameter(
        &self,
        p: &'a ReferenceOr<Parameter>,
        pointer: &SpecPointer,
    ) -> Result<&'a Parameter, Error> {
        let mut chain: Vec<&str> = Vec::new();
        let mut at = pointer.join("$ref").0;
        let mut current = p;
        loop {
            let reference = match current {
                ReferenceOr::Item(p) => return Ok(p),
                ReferenceOr::Reference { reference } => reference,
            };
            let name = reference
                .strip_prefix("#/components/parameters/")
                .unwrap_or(reference);
            if chain.contains(&name) {
                chain.push(name);
                return Err(self.err(at, format!("`$ref` cycle: {}", chain.join(" -> "))));
            }
            chain.push(name);
            current = self
                .api
                .components
                .as_ref()
                .and_then(|c| c.parameters.get(name))
                .ok_or_else(|| self.err(&at, format!("reference to missing parameter `{reference}`")))?;
            at = format!("/components/parameters/{name}/$ref");
        }
    }

    /// A parameter or body name that the request builder uses itself
    /// (its `client` field, its `request`/`send`/... methods) gets `_arg`
    /// appended, with a warning.
    fn builder_safe(&mut self, rust: &str, pointer: &SpecPointer) -> String {
        if !BUILDER_NAMES.contains(&rust) {
            return rust.to_string();
        }
        let renamed = format!("{rust}_arg");
        self.warn(
            pointer,
            format!("`{rust}` is a name the request builder uses; the argument is named `{renamed}`"),
        );
        renamed
    }

    fn operation(
        &mut self,
        path: &str,
        method: &str,
        op: &'a openapiv3::Operation,
        shared: &'a [ReferenceOr<Parameter>],
        id: String,
        pointer: SpecPointer,
    ) -> Result<Operation, Error> {
        let op_type = pascal(&id).0;
        let mut params: Vec<Param> = Vec::new();
        let mut param_pointers: Vec<SpecPointer> = Vec::new();
        let path_item = SpecPointer("/paths".into()).join(path);
        let shared = shared
            .iter()
            .enumerate()
            .map(|(i, p)| (p, path_item.join("parameters").join(i)));
        let own = op
            .parameters
            .iter()
            .enumerate()
            .map(|(i, p)| (p, pointer.join("parameters").join(i)));
        for (p, ptr) in shared.chain(own) {
            let p = self.parameter(p, &ptr)?;
            let data = p.parameter_data_ref();
            let location = match p {
                Parameter::Path { .. } => ParamLocation::Path,
                Parameter::Query { .. } => ParamLocation::Query,
                Parameter::Header { .. } => ParamLocation::Header,
                Parameter::Cookie { .. } => ParamLocation::Cookie,
            };
            let (ty, default) = match &data.format {
                ParameterSchemaOrContent::Schema(s) => {
                    let default = as_schema(s).ok().and_then(|s| s.schema_data.default.clone());
                    let suggested = format!("{op_type}{}", pascal(&data.name).0);
                    (self.type_of(s, &suggested, &ptr.join("schema"))?, default)
                }
                ParameterSchemaOrContent::Content(_) => {
                    self.warn(&ptr, "parameter with `content`: sent as a string");
                    (TypeRef::String, None)
                }
            };
            let param = Param {
                wire: data.name.clone(),
                rust: snake(&data.name),
                location,
                ty,
                required: data.required || location == ParamLocation::Path,
                doc: data.description.clone(),
                default,
                explode: data.explode.unwrap_or(true),
            };
            // An operation's own parameter replaces a path-level one.
            if let Some(i) = params
                .iter()
                .position(|q| q.wire == param.wire && q.location == param.location)
            {
                params.remove(i);
                param_pointers.remove(i);
            }
            params.push(param);
            param_pointers.push(ptr);
        }
        let mut taken = BTreeSet::new();
        for (p, ptr) in params.iter_mut().zip(&param_pointers) {
            let rust = self.builder_safe(&p.rust.0, ptr);
            let (name, _) = unique(&mut taken, rust);
            p.rust = RustIdent(name);
        }
        // Every `{placeholder}` of the template needs its path parameter.
        let mut rest = path;
        while let Some(open) = rest.find('{') {
            let Some(close) = rest[open..].find('}') else {
                break;
            };
            let name = &rest[open + 1..open + close];
            if !params
                .iter()
                .any(|p| p.location == ParamLocation::Path && p.wire == name)
            {
                return Err(self.err(
                    pointer.0.clone(),
                    format!("path template placeholder `{{{name}}}` has no path parameter"),
                ));
            }
            rest = &rest[open + close + 1..];
        }
        // Argument order: path params in template order, other required
        // params in spec order; optional ones keep spec order.
        let template_pos = |p: &Param| path.find(&format!("{{{}}}", p.wire)).unwrap_or(usize::MAX);
        for p in params.iter().filter(|p| p.location == ParamLocation::Path) {
            if template_pos(p) == usize::MAX {
                return Err(self.err(
                    pointer.0.clone(),
                    format!("path parameter `{}` is not in the path template", p.wire),
                ));
            }
        }
        let body = self.request_body(op, &op_type, &pointer, &mut taken)?;
        if body.as_ref().is_some_and(|b| !b.other_content_types.is_empty()) {
            for (p, ptr) in params.iter_mut().zip(&param_pointers) {
                if p.rust.0 == "content_type" {
                    let (name, _) = unique(&mut taken, "content_type_arg".into());
                    self.warn(ptr, format!("`content_type` is a setter of this request builder; the argument is named `{name}`"));
                    p.rust = RustIdent(name);
                }
            }
        }
        params.sort_by_key(|p| match (p.required, p.location) {
            (true, ParamLocation::Path) => (0, template_pos(p)),
            (true, _) => (1, 0),
            (false, _) => (2, 0),
        });
        let response = self.response(op, &op_type, &pointer)?;
        let security = op
            .security
            .as_ref()
            .or(self.api.security.as_ref())
            .map(|reqs| {
                let mut names: Vec<String> = reqs.iter().flat_map(|r| r.keys().cloned()).collect();
                names.dedup();
                names
            })
            .unwrap_or_default();
        Ok(Operation {
            method_name: snake(&id),
            builder: TypeName(op_type),
            id,
            method: match method {
                "get" => HttpMethod::Get,
                "put" => HttpMethod::Put,
                "post" => HttpMethod::Post,
                "delete" => HttpMethod::Delete,
                "patch" => HttpMethod::Patch,
                "head" => HttpMethod::Head,
                "options" => HttpMethod::Options,
                other => return Err(self.err(pointer.0, format!("unsupported HTTP method `{other}`"))),
            },
            path: path.to_string(),
            pointer,
            summary: op.summary.clone(),
            description: op.description.clone(),
            deprecated: op.deprecated,
            params,
            body,
            response,
            security,
        })
    }

    fn request_body(
        &mut self,
        op: &'a openapiv3::Operation,
        op_type: &str,
        pointer: &SpecPointer,
        taken: &mut BTreeSet<String>,
    ) -> Result<Option<Body>, Error> {
        let Some(rb) = &op.request_body else {
            return Ok(None);
        };
        let ptr = pointer.join("requestBody");
        let (body, name) = match rb {
            ReferenceOr::Item(b) => (b, None),
            ReferenceOr::Reference { reference } => {
                let name = reference
                    .strip_prefix("#/components/requestBodies/")
                    .unwrap_or(reference);
                let body = self
                    .api
                    .components
                    .as_ref()
                    .and_then(|c| c.request_bodies.get(name))
                    .and_then(|b| b.as_item())
                    .ok_or_else(|| {
                        self.err(
                            ptr.join("$ref").0,
                            format!("reference to missing request body `{reference}`"),
                        )
                    })?;
                (body, Some(name.to_string()))
            }
        };
        let Some((content_type, media)) = preferred_content(&body.content) else {
            return Ok(None);
        };
        // Argument name: the spec's explicit name, the referenced schema's
        // name, the shared request body's name, or `body`.
        let schema_name = match &media.schema {
            Some(ReferenceOr::Reference { reference }) => Some(schema_name_of(reference).to_string()),
            _ => None,
        };
        let name = op
            .extensions
            .get("x-codegen-request-body-name")
            .and_then(Value::as_str)
            .map(str::to_string)
            .or(schema_name)
            .or(name)
            .unwrap_or_else(|| "body".into());
        let ty = match &media.schema {
            Some(s) => self.type_of(
                s,
                &format!("{op_type}Body"),
                &ptr.join("content").join(content_type).join("schema"),
            )?,
            None => TypeRef::Bytes,
        };
        let rust = self.builder_safe(&snake(&name).0, &ptr);
        let (rust, _) = unique(taken, rust);
        Ok(Some(Body {
            rust: RustIdent(rust),
            ty,
            content_type: content_type.clone(),
            other_content_types: body
                .content
                .keys()
                .filter(|k| *k != content_type)
                .cloned()
                .collect(),
            required: body.required,
            doc: body.description.clone(),
        }))
    }

    fn response(
        &mut self,
        op: &'a openapiv3::Operation,
        op_type: &str,
        pointer: &SpecPointer,
    ) -> Result<Response, Error> {
        let mut statuses = Vec::new();
        let mut success = None;
        for (code, resp) in &op.responses.responses {
            let ptr = pointer.join("responses").join(code);
            let resp = match resp {
                ReferenceOr::Item(r) => r,
                ReferenceOr::Reference { reference } => {
                    let name = reference
                        .strip_prefix("#/components/responses/")
                        .unwrap_or(reference);
                    self.api
                        .components
                        .as_ref()
                        .and_then(|c| c.responses.get(name))
                        .and_then(|r| r.as_item())
                        .ok_or_else(|| {
                            self.err(
                                ptr.join("$ref").0,
                                format!("reference to missing response `{reference}`"),
                            )
                        })?
                }
            };
            statuses.push((code.to_string(), resp.description.clone()));
            let is_success = match code {
                StatusCode::Code(c) => (200..300).contains(c),
                StatusCode::Range(r) => *r == 2,
            };
            if is_success && success.is_none() {
                success = Some((resp, ptr));
            }
        }
        let success_content: Vec<String> = success
            .as_ref()
            .map(|(r, _)| r.content.keys().cloned().collect())
            .unwrap_or_default();
        let (ty, content_type) =
            match success.and_then(|(r, p)| preferred_content(&r.content).map(|c| (c, p))) {
                Some(((ct, media), p)) => {
                    let ty = match &media.schema {
                        Some(s) if is_json(ct) => Some(self.type_of(
                            s,
                            &format!("{op_type}Response"),
                            &p.join("content").join(ct).join("schema"),
                        )?),
                        _ if ct.starts_with("text/") || ct.ends_with("xml") => Some(TypeRef::String),
                        _ => Some(TypeRef::Bytes),
                    };
                    (ty, Some(ct.clone()))
                }
                None => (None, None),
            };
        Ok(Response {
            ty,
            other_content_types: success_content
                .into_iter()
                .filter(|c| Some(c) != content_type.as_ref())
                .collect(),
            content_type,
            statuses,
        })
    }

    // ---- resource methods -------------------------------------------------

    fn resource_methods(&mut self, tags: &[Tag]) -> Result<(), Error> {
        let ops: BTreeMap<&str, (&Tag, &Operation)> = tags
            .iter()
            .flat_map(|t| t.operations.iter().map(move |o| (o.id.as_str(), (t, o))))
            .collect();
        for (name, schema) in self.schemas {
            let ReferenceOr::Item(schema) = schema else {
                continue;
            };
            let view = View::of(schema);
            let ty = self.names[name].clone();
            let mut methods = Vec::new();
            let mut taken = BTreeSet::new();
            for source in ["x-okta-crud", "x-okta-operations"] {
                let Some(entries) = view.extension(source) else {
                    continue;
                };
                let base = SpecPointer(format!("{SCHEMAS}/{name}/{source}"));
                let entries = entries
                    .as_array()
                    .ok_or_else(|| self.err(base.0.clone(), "expected a list of operations"))?;
                for (i, entry) in entries.iter().enumerate() {
                    let p = base.join(i);
                    let m = self.resource_method(name, entry, &ops, source, p)?;
                    let (rust, renamed) = unique(&mut taken, m.rust.0.clone());
                    if renamed {
                        self.warn(
                            &m.pointer,
                            format!("method name {} is taken; named {rust}", m.rust),
                        );
                    }
                    methods.push(ResourceMethod {
                        rust: RustIdent(rust),
                        ..m
                    });
                }
            }
            if let Some(model) = self.models.get_mut(&ty) {
                model.methods = methods;
            }
        }
        Ok(())
    }

    fn resource_method(
        &self,
        schema: &str,
        entry: &Value,
        ops: &BTreeMap<&str, (&Tag, &Operation)>,
        source: &'static str,
        pointer: SpecPointer,
    ) -> Result<ResourceMethod, Error> {
        let str_at = |key: &str| {
            entry
                .get(key)
                .and_then(Value::as_str)
                .ok_or_else(|| self.err(pointer.join(key).0, format!("missing `{key}`")))
        };
        let alias = str_at("alias")?;
        let operation_id = str_at("operationId")?;
        let (tag, op) = ops.get(operation_id).ok_or_else(|| {
            self.err(
                pointer.join("operationId").0,
                format!("`{operation_id}` is not an operationId of this spec"),
            )
        })?;
        let arguments = entry
            .get("arguments")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let fields = self.all_fields.get(schema).cloned().unwrap_or_default();
        let mut by_dest: BTreeMap<&str, (usize, &Value)> = BTreeMap::new();
        let mut self_body = false;
        for (i, arg) in arguments.iter().enumerate() {
            if arg.get("self").and_then(Value::as_bool) == Some(true) {
                if op.body.is_none() {
                    return Err(self.err(
                        pointer.join("arguments").join(i).0,
                        format!("`self` binding but `{operation_id}` takes no body"),
                    ));
                }
                self_body = true;
                continue;
            }
            let dest = arg
                .get("dest")
                .and_then(Value::as_str)
                .ok_or_else(|| self.err(pointer.join("arguments").join(i).0, "argument without `dest`"))?;
            if !op.params.iter().any(|p| p.wire == dest && p.required) {
                return Err(self.err(
                    pointer.join("arguments").join(i).join("dest").0,
                    format!("`{dest}` is not a required parameter of `{operation_id}`"),
                ));
            }
            by_dest.insert(dest, (i, arg));
        }
        let mut bindings = Vec::new();
        for p in op.required_params() {
            let binding = match by_dest.get(p.wire.as_str()) {
                Some((i, arg)) => {
                    let at = pointer.join("arguments").join(i);
                    if let Some(src) = arg.get("src").and_then(Value::as_str) {
                        let field = fields.iter().find(|f| f.wire == src).ok_or_else(|| {
                            self.err(
                                at.join("src").0,
                                format!("`{src}` is not a property of `{schema}`"),
                            )
                        })?;
                        Binding::Field {
                            field: field.rust.clone(),
                            required: field.required,
                        }
                    } else if arg.get("parentSrc").and_then(Value::as_str).is_some() {
                        Binding::Parent {
                            arg: p.rust.clone(),
                            param: p.wire.clone(),
                        }
                    } else {
                        return Err(self.err(at.0, "argument needs `src`, `parentSrc` or `self`"));
                    }
                }
                None => Binding::Caller {
                    arg: p.rust.clone(),
                    ty: p.ty.clone(),
                },
            };
            bindings.push(binding);
        }
        if let Some(body) = &op.body {
            if self_body {
                bindings.push(Binding::SelfBody);
            } else if body.required {
                bindings.push(Binding::Caller {
                    arg: body.rust.clone(),
                    ty: body.ty.clone(),
                });
            }
        }
        Ok(ResourceMethod {
            alias: alias.to_string(),
            rust: snake(alias),
            operation_id: operation_id.to_string(),
            handle: tag.handle.clone(),
            operation_method: op.method_name.clone(),
            bindings,
            source,
            pointer,
        })
    }
}

/// Names a request builder defines itself: its `client` field and its
/// methods. A parameter or body with one of them is renamed (and
/// `content_type` where the body has alternative content types, which
/// brings a setter of that name).
const BUILDER_NAMES: &[&str] = &[
    "client",
    "request",
    "send",
    "send_with_response",
    "send_raw",
    "send_page",
    "pages",
    "stream",
    "into_future",
];

fn push_fixed(out: &mut Vec<(String, String)>, property: &str, value: &str) {
    if !out.iter().any(|(p, _)| p == property) {
        out.push((property.to_string(), value.to_string()));
    }
}

fn enumeration(values: &[String]) -> Enumeration {
    let mut taken = BTreeSet::new();
    taken.insert("Other".to_string());
    let mut seen = BTreeSet::new();
    let values = values
        .iter()
        .filter(|wire| seen.insert(wire.as_str()))
        .map(|wire| {
            let (rust, _) = unique(&mut taken, pascal(wire).0);
            EnumValue {
                wire: wire.clone(),
                rust: TypeName(rust),
            }
        })
        .collect();
    Enumeration { values }
}

/// Variant names: the subtype's name without the base's name
/// (`AutoLoginApplication` -> `AutoLogin`), else without the prefix all
/// subtypes share (`AuthenticatorKeyEmail` -> `Email`), where that leaves
/// clean, unique names; the full type names otherwise.
fn variant_names(base: &TypeName, variants: &[Variant]) -> Vec<TypeName> {
    let words = |s: &str| -> Vec<usize> {
        s.char_indices()
            .filter(|(_, c)| c.is_ascii_uppercase())
            .map(|(i, _)| i)
            .collect()
    };
    let last_word = words(&base.0)
        .last()
        .map(|i| &base.0[*i..])
        .unwrap_or(&base.0)
        .to_string();
    let clean = |s: &str| s.starts_with(|c: char| c.is_ascii_uppercase()) && s != "Other";
    let all_unique = |names: &[Option<String>]| {
        let set: BTreeSet<_> = names.iter().flatten().collect();
        names.iter().all(Option::is_some) && set.len() == names.len()
    };
    let by_suffix: Vec<Option<String>> = variants
        .iter()
        .map(|v| {
            let ty = v.ty.0.as_str();
            ty.strip_suffix(base.0.as_str())
                .filter(|s| !s.is_empty())
                .or_else(|| ty.strip_suffix(last_word.as_str()).filter(|s| !s.is_empty()))
                .or_else(|| ty.strip_prefix(base.0.as_str()).filter(|s| !s.is_empty()))
                .filter(|s| clean(s))
                .map(str::to_string)
        })
        .collect();
    if all_unique(&by_suffix) {
        return by_suffix
            .into_iter()
            .map(|s| TypeName(s.unwrap_or_default()))
            .collect();
    }
    // The longest word-boundary prefix every subtype name shares.
    let first = variants.first().map(|v| v.ty.0.clone()).unwrap_or_default();
    let prefix_len = words(&first)
        .into_iter()
        .chain(std::iter::once(first.len()))
        .filter(|&i| {
            i > 0
                && variants
                    .iter()
                    .all(|v| v.ty.0.len() > i && v.ty.0.starts_with(&first[..i]) && clean(&v.ty.0[i..]))
        })
        .max();
    if let Some(n) = prefix_len.filter(|_| variants.len() > 1) {
        let by_prefix: Vec<Option<String>> = variants.iter().map(|v| Some(v.ty.0[n..].to_string())).collect();
        if all_unique(&by_prefix) {
            return by_prefix
                .into_iter()
                .map(|s| TypeName(s.unwrap_or_default()))
                .collect();
        }
    }
    variants.iter().map(|v| v.ty.clone()).collect()
}

/// Adds `new` fields to `fields`; one with a wire name already present
/// replaces it in place (a later `allOf` part or a child overrides).
fn merge_fields(fields: &mut Vec<Field>, new: Vec<Field>) {
    for f in new {
        match fields.iter_mut().find(|x| x.wire == f.wire) {
            Some(slot) => *slot = f,
            None => fields.push(f),
        }
    }
}

/// Gives fields whose Rust names collide (`_links` and `links`) unique names.
fn dedupe_field_names(fields: &mut [Field]) {
    let mut taken = BTreeSet::new();
    taken.insert("additional_properties".to_string());
    for f in fields {
        let (name, _) = unique(&mut taken, f.rust.0.clone());
        f.rust = RustIdent(name);
    }
}

fn is_json(content_type: &str) -> bool {
    let ct = content_type.split(';').next().unwrap_or("").trim();
    ct == "application/json" || ct.ends_with("+json")
}

/// JSON first (plain, then `+json`), otherwise the first listed.
fn preferred_content<V>(content: &IndexMap<String, V>) -> Option<(&String, &V)> {
    content
        .iter()
        .find(|(k, _)| k.as_str() == "application/json")
        .or_else(|| content.iter().find(|(k, _)| is_json(k)))
        .or_else(|| content.iter().next())
}

/// One cargo feature per tag (`<module>-<tag in kebab-case>`); each model is
/// compiled when a tag whose operations reach it is on. Types no operation
/// reaches (hook payloads, event types, ...), and what they reach, are
/// compiled under one more feature, `<module>-other-models`, whose name this
/// returns: enabling one tag compiles none of them.
fn assign_features(module: &str, tags: &mut [Tag], models: &mut BTreeMap<TypeName, Model>) -> String {
    use heck::ToKebabCase;
    fn named(t: &TypeRef, out: &mut Vec<TypeName>) {
        match t {
            TypeRef::Named(n) => out.push(n.clone()),
            TypeRef::Array(inner) | TypeRef::Map(inner) => named(inner, out),
            _ => {}
        }
    }
    /// Marks everything reachable from `stack` with `features`.
    fn walk(
        models: &BTreeMap<TypeName, Model>,
        mut stack: Vec<TypeName>,
        features: &[String],
        reached: &mut BTreeMap<TypeName, BTreeSet<String>>,
    ) {
        let mut seen = BTreeSet::new();
        while let Some(name) = stack.pop() {
            if !seen.insert(name.clone()) {
                continue;
            }
            reached
                .entry(name.clone())
                .or_default()
                .extend(features.iter().cloned());
            match models.get(&name).map(|m| &m.kind) {
                Some(ModelKind::Struct(s)) => {
                    s.fields.iter().for_each(|f| named(&f.ty, &mut stack));
                    s.additional.iter().for_each(|t| named(t, &mut stack));
                    stack.extend(s.parent.iter().cloned());
                }
                Some(ModelKind::Union(u)) => {
                    stack.extend(u.variants.iter().map(|v| v.ty.clone()));
                    stack.push(u.fallback.clone());
                }
                Some(ModelKind::OneOf(o)) => o.variants.iter().for_each(|(_, t)| named(t, &mut stack)),
                Some(ModelKind::Alias(t)) => named(t, &mut stack),
                Some(ModelKind::Enum(_)) | None => {}
            }
        }
    }
    let mut reached: BTreeMap<TypeName, BTreeSet<String>> = BTreeMap::new();
    for tag in tags.iter_mut() {
        let feature = format!(
            "{module}-{}",
            snake(&tag.wire).0.trim_end_matches('_').to_kebab_case()
        );
        let mut roots = Vec::new();
        for op in &tag.operations {
            op.params.iter().for_each(|p| named(&p.ty, &mut roots));
            op.body.iter().for_each(|b| named(&b.ty, &mut roots));
            op.response.ty.iter().for_each(|t| named(t, &mut roots));
        }
        walk(models, roots, std::slice::from_ref(&feature), &mut reached);
        tag.feature = Some(feature);
    }
    let tag_count = tags.len();
    let unreached: Vec<TypeName> = models
        .keys()
        .filter(|n| !reached.contains_key(*n))
        .cloned()
        .collect();
    let other = format!("{module}-other-models");
    walk(models, unreached, std::slice::from_ref(&other), &mut reached);
    for (name, model) in models.iter_mut() {
        let features = reached.remove(name).unwrap_or_default();
        // Needed by every tag: the module's own feature says it shortest.
        model.features = if features.iter().filter(|f| **f != other).count() == tag_count {
            vec![module.to_string()]
        } else {
            features.into_iter().collect()
        };
    }
    other
}
