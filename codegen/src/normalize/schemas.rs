//! Component schemas -> models: structs, enums, aliases and unions
//! (discriminated or not), with their variant names.

use super::*;

impl<'a> Normalizer<'a> {
    pub(super) fn schemas(&mut self) -> Result<(), Error> {
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
        // In name order, so that the names inline schemas claim do not
        // depend on where their owners stand in the file.
        let mut sorted: Vec<(&String, &ReferenceOr<Schema>)> = self.schemas.iter().collect();
        sorted.sort_by_key(|(name, _)| *name);
        for (name, schema) in sorted {
            let pointer = SpecPointer(format!("{SCHEMAS}/{name}"));
            let ty = self.names[name].clone();
            match schema {
                ReferenceOr::Reference { reference } => {
                    let target = self.resolve_ref(reference, &pointer.0)?;
                    self.insert(model(
                        ty,
                        name,
                        pointer,
                        None,
                        ModelKind::Alias(TypeRef::Named(target)),
                    ));
                }
                ReferenceOr::Item(schema) => self.component_model(name, ty, schema, pointer)?,
            }
        }
        Ok(())
    }

    /// An alias that contains itself (`List: {type: array, items: {$ref:
    /// List}}`) has no Rust spelling as a type alias: a located error.
    pub(super) fn refuse_recursive_aliases(&self) -> Result<(), Error> {
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

    pub(super) fn insert(&mut self, model: Model) {
        self.models.insert(model.name.clone(), model);
    }

    pub(super) fn component_model(
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
        self.insert(model(ty, name, pointer, doc, kind));
        Ok(())
    }

    /// The kind of a non-object schema: an enum, or an alias of a type.
    pub(super) fn kind_of(
        &mut self,
        view: &View<'a>,
        ty: &TypeName,
        pointer: &SpecPointer,
    ) -> Result<ModelKind, Error> {
        if !view.enum_strings.is_empty() {
            return Ok(ModelKind::Enum(enumeration(&view.enum_strings)));
        }
        if !view.one_of.is_empty() || !view.any_of.is_empty() {
            return self.one_of(view, &ty.0, pointer);
        }
        Ok(ModelKind::Alias(self.type_of_view(view, &ty.0, pointer)?))
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn union_model(
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
        let fallback = self.claim_inline(&format!("{}{suffix}", ty.0), "Fields", &pointer);
        self.insert(model(
            fallback.clone(),
            name,
            pointer.clone(),
            Some(format!(
                "`{name}` with a `{property}` this SDK has no subtype for: every field is kept."
            )),
            ModelKind::Struct(fallback_struct),
        ));
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
        let kind = ModelKind::Union(Union {
            property: WireName(property),
            variants,
            fallback,
            common: Vec::new(),
        });
        self.insert(model(ty, name, pointer, doc, kind));
        Ok(())
    }

    /// The alternatives of a `oneOf` / `anyOf`, each a type of its own.
    /// An inline alternative is named by [`alternative_labels`]; a
    /// referenced one by its schema's name (without the owner's name as a
    /// prefix); a scalar one by its type.
    pub(super) fn one_of(
        &mut self,
        view: &View<'a>,
        owner: &str,
        pointer: &SpecPointer,
    ) -> Result<ModelKind, Error> {
        let (key, alternatives) = if view.one_of.is_empty() {
            ("anyOf", view.any_of)
        } else {
            ("oneOf", view.one_of)
        };
        let labels = alternative_labels(alternatives);
        let mut variants = Vec::new();
        let mut taken = BTreeSet::new();
        taken.insert("Other".to_string());
        for ((i, alt), label) in alternatives.iter().enumerate().zip(labels) {
            let ty = self.type_of(alt, &format!("{owner}{label}"), &pointer.join(key).join(i))?;
            let candidate = match &ty {
                TypeRef::Named(n) => {
                    n.0.strip_prefix(owner)
                        .filter(|s| !s.is_empty())
                        .unwrap_or(&n.0)
                        .to_string()
                }
                // A titled scalar keeps its title (a number is no better than its type).
                _ if matches!(alt, ReferenceOr::Item(s) if s.schema_data.title.is_some())
                    && !label.starts_with(|c: char| c.is_ascii_digit()) =>
                {
                    label
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
            let doc = match alt {
                ReferenceOr::Item(s) => s
                    .schema_data
                    .description
                    .clone()
                    .or_else(|| s.schema_data.title.clone()),
                ReferenceOr::Reference { .. } => None,
            };
            variants.push(Alternative {
                name: TypeName(rust),
                ty,
                doc,
                shape: None,
                boxed: false,
            });
        }
        Ok(ModelKind::OneOf(OneOf {
            best_match: false,
            variants,
            scalar: false,
        }))
    }

    /// Fills in each union's common fields, innermost unions first.
    pub(super) fn finish_unions(&mut self) {
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

    pub(super) fn fields_of_type(&mut self, ty: &TypeName, done: &mut BTreeSet<TypeName>) -> Vec<Field> {
        match self.models.get(ty).map(|m| &m.kind) {
            Some(ModelKind::Struct(s)) => s.fields.clone(),
            Some(ModelKind::Union(_)) => self.common_fields(ty, done),
            _ => Vec::new(),
        }
    }

    pub(super) fn common_fields(&mut self, name: &TypeName, done: &mut BTreeSet<TypeName>) -> Vec<Field> {
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
}

pub(super) fn enumeration(values: &[String]) -> Enumeration {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enum_values_are_deduplicated_and_never_named_other() {
        let e = enumeration(&[
            "ACTIVE".into(),
            "ACTIVE".into(),
            "Other".into(),
            "other".into(),
            "in-progress".into(),
        ]);
        let names: Vec<(&str, &str)> = e
            .values
            .iter()
            .map(|v| (v.wire.as_str(), v.rust.0.as_str()))
            .collect();
        assert_eq!(
            names,
            [
                ("ACTIVE", "Active"),
                ("Other", "Other2"),
                ("other", "Other3"),
                ("in-progress", "InProgress")
            ]
        );
    }
}
