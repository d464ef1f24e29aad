//! Spec -> IR. Both dialects land on the same concepts here: inheritance
//! (`x-okta-parent` or `allOf`), polymorphism (`x-openapi-v3-discriminator` or
//! `discriminator`, nested), resource methods (`x-okta-crud`,
//! `x-okta-operations`), and stable names for inline schemas.
//!
//! The stages, in order: `view` (typed reads of a schema), the `$ref`
//! resolver below, `schemas` and `fields` (models, named by `names`), `operations`,
//! `resources` (resource methods), then `analysis`, which records every
//! decision the emitters print.

use std::collections::{BTreeMap, BTreeSet};

use indexmap::IndexMap;
use openapiv3::{
    AdditionalProperties, OpenAPI, Parameter, ParameterSchemaOrContent, ReferenceOr, Schema, SchemaData,
    SchemaKind, StatusCode, Type, VariantOrUnknownOrEmpty,
};
use serde_json::Value;

use crate::error::Error;
use crate::ir::*;
use crate::load::LoadedSpec;
use crate::naming::{camel, pascal, snake, unique};

mod analysis;
mod fields;
mod names;
mod operations;
mod resources;
mod schemas;
mod view;

use names::{alternative_labels, variant_names};
use schemas::enumeration;
use view::{as_schema, schema_name_of, View};

const SCHEMAS: &str = "/components/schemas";

/// The entry a local reference names in `components.<section>`
/// (`#/components/parameters/limit` -> `limit`; schemas also as
/// `#/definitions/X`); any other reference is returned whole, and so is
/// not found.
fn component_name<'r>(section: &str, reference: &'r str) -> &'r str {
    if section == "schemas" {
        return schema_name_of(reference);
    }
    reference
        .strip_prefix("#/components/")
        .and_then(|r| r.strip_prefix(section))
        .and_then(|r| r.strip_prefix('/'))
        .unwrap_or(reference)
}

/// Builds the IR of one spec.
pub fn normalize(spec: &LoadedSpec, module: &str, tag_features: bool) -> Result<Api, Error> {
    let mut n = Normalizer::new(spec)?;
    n.schemas()?;
    n.refuse_recursive_aliases()?;
    let tags = n.operations()?;
    n.resource_methods(&tags)?;
    n.finish_unions();
    let mut models: Vec<Model> = n.models.into_values().collect();
    models.sort_by(|a, b| a.name.cmp(&b.name));
    let mut sources = vec![spec.file.clone()];
    sources.extend(spec.overlays.iter().map(|o| o.file.clone()));
    let mut api = Api {
        module: snake(module),
        title: spec.openapi.info.title.clone(),
        version: spec.openapi.info.version.clone(),
        sources,
        other_models_feature: None,
        models,
        tags,
        warnings: n.warnings,
    };
    api.other_models_feature = analysis::analyze(&mut api, module, tag_features);
    Ok(api)
}

/// A model as the stages before `analysis` make it: no methods, features,
/// origin or file yet.
fn model(name: TypeName, wire: &str, pointer: SpecPointer, doc: Option<String>, kind: ModelKind) -> Model {
    Model {
        name,
        wire: WireName(wire.to_string()),
        pointer,
        origin: Origin::Inline,
        file: RustIdent(String::new()),
        doc,
        kind,
        methods: Vec::new(),
        features: Vec::new(),
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

    /// Reserves the name of an inline schema: `candidate`, else, when that
    /// is taken (`User.type` beside the component `UserType`), `candidate`
    /// and the kind of type (`UserTypeObject`), else a number.
    fn claim_inline(&mut self, candidate: &str, kind: &str, pointer: &SpecPointer) -> TypeName {
        let candidate = camel(candidate);
        let with_kind = format!("{candidate}{kind}");
        if self.taken.contains(&candidate) && !self.taken.contains(&with_kind) {
            self.warn(
                pointer,
                format!("type name {candidate} is taken; this schema is named {with_kind}"),
            );
            return self.claim(with_kind, pointer);
        }
        self.claim(candidate, pointer)
    }

    /// Reserves a type name, reporting a collision.
    fn claim(&mut self, candidate: String, pointer: &SpecPointer) -> TypeName {
        let candidate = camel(&candidate);
        let (name, renamed) = unique(&mut self.taken, candidate.clone());
        if renamed {
            self.warn(
                pointer,
                format!("type name {candidate} is taken; this schema is named {name}"),
            );
        }
        TypeName(name)
    }

    /// The schema `name` stands for, following aliases (`A: {$ref: B}`).
    fn component(&self, name: &'a str, pointer: &str) -> Result<(&'a Schema, TypeName), Error> {
        let (name, schema) = self.resolve("schemas", "schema", Some(self.schemas), name, pointer)?;
        Ok((schema, self.names[name].clone()))
    }

    /// The one `$ref` resolver: follows references through one `components`
    /// section (`schemas`, `parameters`, `requestBodies`, `responses`) from
    /// the entry `name` to an item, and returns the item with the name it is
    /// stored under. A missing entry is reported at `pointer` for the first hop and
    /// at the referring entry after that; a chain that comes back to itself
    /// is an error that names the cycle.
    fn resolve<T>(
        &self,
        section: &str,
        what: &str,
        entries: Option<&'a IndexMap<String, ReferenceOr<T>>>,
        name: &'a str,
        pointer: &str,
    ) -> Result<(&'a str, &'a T), Error> {
        let mut chain = vec![name];
        let mut at = pointer.to_string();
        loop {
            let current = chain[chain.len() - 1];
            let entry = entries
                .and_then(|e| e.get(current))
                .ok_or_else(|| self.err(&at, format!("reference to missing {what} `{current}`")))?;
            match entry {
                ReferenceOr::Item(item) => return Ok((current, item)),
                ReferenceOr::Reference { reference } => {
                    let target = component_name(section, reference);
                    at = format!("/components/{section}/{current}");
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn component_names_come_from_their_own_section_only() {
        assert_eq!(
            component_name("parameters", "#/components/parameters/limit"),
            "limit"
        );
        assert_eq!(
            component_name("responses", "#/components/responses/Error400"),
            "Error400"
        );
        assert_eq!(component_name("schemas", "#/definitions/User"), "User");
        assert_eq!(component_name("schemas", "#/components/schemas/User"), "User");
        // A reference into another section, or elsewhere, is kept whole (and not found).
        assert_eq!(
            component_name("parameters", "#/components/schemas/User"),
            "#/components/schemas/User"
        );
        assert_eq!(
            component_name("parameters", "#/components/parametersX/a"),
            "#/components/parametersX/a"
        );
        assert_eq!(
            component_name("responses", "other.yaml#/components/responses/E"),
            "other.yaml#/components/responses/E"
        );
    }
}
