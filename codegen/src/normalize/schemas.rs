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
                _ if matches!(alt, ReferenceOr::Item(s) if s.schema_data.title.is_some()) => label,
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

/// What an inline alternative of a `oneOf` / `anyOf` is called, from what
/// the spec says about it, never from where it stands in the list:
/// 1. its `title` (`push` -> `Push`);
/// 2. else the value of its one required property with a single `enum`
///    value (`type: {enum: [CHROME]}` -> `Chrome`);
/// 3. else a number: the inline alternatives still unnamed are numbered from 1 in
///    the order of their schemas' JSON text with keys sorted, so reordering
///    the list, or the properties of an alternative, names nothing anew.
///
/// A label two alternatives would share is not used for either of them. The
/// type of an inline object alternative is then the owner's name and its
/// label (`UserFactorVerifyRequestPush`).
pub(super) fn alternative_labels(alternatives: &[ReferenceOr<Schema>]) -> Vec<String> {
    let label = |alt: &ReferenceOr<Schema>| -> Option<String> {
        let ReferenceOr::Item(schema) = alt else {
            return None;
        };
        let view = View::of(schema);
        if let Some(title) = view
            .data
            .title
            .as_deref()
            .map(|t| pascal(t).0)
            .filter(|t| !t.is_empty())
        {
            return Some(title);
        }
        let constants: Vec<String> = view
            .properties
            .into_iter()
            .flatten()
            .filter(|(name, _)| view.required.contains(name))
            .filter_map(|(_, p)| match p {
                ReferenceOr::Item(p) => match View::of(p).enum_strings.as_slice() {
                    [value] => Some(pascal(value).0),
                    _ => None,
                },
                ReferenceOr::Reference { .. } => None,
            })
            .collect();
        match constants.as_slice() {
            [value] if !value.is_empty() => Some(value.clone()),
            _ => None,
        }
    };
    let mut labels: Vec<Option<String>> = alternatives.iter().map(label).collect();
    let mut count = BTreeMap::new();
    for l in labels.iter().flatten() {
        *count.entry(l.clone()).or_insert(0) += 1;
    }
    for l in &mut labels {
        if l.as_ref().is_some_and(|l| count[l] > 1) {
            *l = None;
        }
    }
    let mut unnamed: Vec<(String, usize)> = alternatives
        .iter()
        .enumerate()
        .filter(|(i, alt)| labels[*i].is_none() && matches!(alt, ReferenceOr::Item(_)))
        .map(|(i, alt)| (canonical_json(alt), i))
        .collect();
    unnamed.sort();
    for (n, (_, i)) in unnamed.into_iter().enumerate() {
        labels[i] = Some((n + 1).to_string());
    }
    labels.into_iter().map(Option::unwrap_or_default).collect()
}

/// A schema's JSON text with every object's keys sorted.
fn canonical_json(alt: &ReferenceOr<Schema>) -> String {
    fn sorted(value: Value) -> Value {
        match value {
            Value::Object(map) => {
                let mut entries: Vec<(String, Value)> =
                    map.into_iter().map(|(k, v)| (k, sorted(v))).collect();
                entries.sort_by(|a, b| a.0.cmp(&b.0));
                Value::Object(entries.into_iter().collect())
            }
            Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
            other => other,
        }
    }
    serde_json::to_value(alt)
        .map(sorted)
        .unwrap_or_default()
        .to_string()
}

/// Variant names, each from its own subtype and the base only, so that a
/// subtype added upstream renames no other:
/// 1. the subtype's name without the words it ends with in common with the
///    base, and without those it starts with in common
///    (`AutoLoginApplication` under `Application` -> `AutoLogin`,
///    `BySkipCountAuthenticatorGracePeriod` under
///    `EnrollmentPolicyAuthenticatorGracePeriod` -> `BySkipCount`);
/// 2. else the one discriminator value that selects it, where that is a
///    plain word (`okta_email` -> `OktaEmail`);
/// 3. else the subtype's name without the words it starts with in common
///    with the base (`TokenRequestSamlBearer` under `TokenRequestOrgAs` ->
///    `SamlBearer`);
/// 4. else the full type name, which is also the name of any two variants
///    would share.
pub(super) fn variant_names(base: &TypeName, variants: &[Variant]) -> Vec<TypeName> {
    let words = |s: &str| -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for c in s.chars() {
            match out.last_mut() {
                Some(w) if !c.is_ascii_uppercase() => w.push(c),
                _ => out.push(c.to_string()),
            }
        }
        out
    };
    let base_words = words(&base.0);
    let clean = |s: &str| s.starts_with(|c: char| c.is_ascii_uppercase()) && s != "Other";
    let short: Vec<String> = variants
        .iter()
        .map(|v| {
            let ty = words(&v.ty.0);
            let prefix = ty.iter().zip(&base_words).take_while(|(a, b)| a == b).count();
            let suffix = ty
                .iter()
                .rev()
                .zip(base_words.iter().rev())
                .take_while(|(a, b)| a == b)
                .count();
            let middle = |from: usize, to: usize| Some(ty.get(from..to)?.concat()).filter(|n| clean(n));
            let by_value = match v.values.as_slice() {
                [value]
                    if value
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') =>
                {
                    Some(pascal(value).0).filter(|n| clean(n))
                }
                _ => None,
            };
            let whole_base = prefix == base_words.len() || suffix == base_words.len();
            (if suffix > 0 || whole_base {
                middle(prefix, ty.len() - suffix)
            } else {
                None
            })
            .or(by_value)
            .or_else(|| (prefix > 0).then(|| middle(prefix, ty.len())).flatten())
            .unwrap_or_else(|| v.ty.0.clone())
        })
        .collect();
    short
        .iter()
        .zip(variants)
        .map(|(name, v)| {
            let shared = short.iter().filter(|n| *n == name).count() > 1;
            TypeName(if shared { v.ty.0.clone() } else { name.clone() })
        })
        .collect()
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

    #[test]
    fn inline_alternatives_are_named_by_title_then_constant_then_content_not_position() {
        let alternatives = |yaml: &str| -> Vec<ReferenceOr<Schema>> { serde_yaml::from_str(yaml).unwrap() };
        let listed = alternatives(
            "
- {title: 'token:software:totp', type: object, properties: {passCode: {type: string}}}
- {type: object, required: [type], properties: {type: {type: string, enum: [CHROME]}}}
- {type: object, properties: {b: {type: string}}}
- {type: object, properties: {a: {type: string}}}
- {$ref: '#/components/schemas/Other'}
- {title: same, type: string}
- {title: same, type: integer}
",
        );
        assert_eq!(
            alternative_labels(&listed),
            // Numbered in the order of their JSON text: `{"properties":{"a"...`,
            // `{"properties":{"b"...`, `{"title":"same","type":"integer"}`, ...
            ["TokenSoftwareTotp", "Chrome", "2", "1", "", "4", "3"]
        );
        // The same alternatives in another order keep their labels.
        let mut reversed = listed.clone();
        reversed.reverse();
        let mut labels = alternative_labels(&reversed);
        labels.reverse();
        assert_eq!(labels, alternative_labels(&listed));
    }

    #[test]
    fn a_subtype_added_upstream_renames_no_other_variant() {
        let variant = |ty: &str, value: &str| Variant {
            rust: TypeName(String::new()),
            ty: TypeName(ty.into()),
            values: vec![value.into()],
            nested: false,
        };
        let base = TypeName("GracePeriod".into());
        let one = [variant("ByDateTimeExpiry", "BY_DATE_TIME")];
        let two = [one[0].clone(), variant("BySkipCountExpiry", "BY_SKIP_COUNT")];
        assert_eq!(variant_names(&base, &one), [TypeName("ByDateTime".into())]);
        assert_eq!(variant_names(&base, &two)[0], TypeName("ByDateTime".into()));
        let request = TypeName("TokenRequestOrgAs".into());
        assert_eq!(
            variant_names(
                &request,
                &[variant(
                    "TokenRequestSamlBearer",
                    "urn:ietf:params:oauth:grant-type:saml2-bearer"
                )]
            ),
            [TypeName("SamlBearer".into())]
        );
    }

    #[test]
    fn variants_drop_the_base_name_when_that_keeps_them_distinct() {
        let variant = |ty: &str| Variant {
            rust: TypeName(String::new()),
            ty: TypeName(ty.into()),
            values: vec![],
            nested: false,
        };
        let names = variant_names(
            &TypeName("Application".into()),
            &[variant("BookmarkApplication"), variant("BasicAuthApplication")],
        );
        assert_eq!(names, [TypeName("Bookmark".into()), TypeName("BasicAuth".into())]);
    }
}
