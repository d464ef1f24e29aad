//! Struct fields and the types of properties: inheritance (`x-okta-parent`,
//! `allOf`), fixed discriminator values, inline schemas and their names.

use super::*;

impl<'a> Normalizer<'a> {
    /// A struct for component schema `name`: inherited fields, then own.
    pub(super) fn struct_of(&mut self, name: &str, pointer: &SpecPointer) -> Result<Struct, Error> {
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
            default: StructDefault::None,
        })
    }

    /// Values a subtype always has: its discriminator value in each ancestor
    /// union and its `x-okta-defined-as` properties.
    pub(super) fn fixed_values(&self, name: &str, out: &mut Vec<Fixed>) {
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

    pub(super) fn fields_of(&mut self, name: &str, stack: &mut Vec<String>) -> Result<Vec<Field>, Error> {
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

    pub(super) fn own_fields_of(&mut self, name: &str) -> Result<Vec<Field>, Error> {
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

    pub(super) fn property_fields(
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
            let (data, doc, may_be_null) = match prop {
                ReferenceOr::Item(s) => (
                    Some(&s.schema_data),
                    s.schema_data.description.clone(),
                    s.schema_data.nullable,
                ),
                ReferenceOr::Reference { reference } => {
                    let target = self.component(schema_name_of(reference), &p.0)?.0;
                    (
                        None,
                        target.schema_data.description.clone(),
                        target.schema_data.nullable,
                    )
                }
            };
            let allow_null = data
                .and_then(|d| d.extensions.get("x-okta-allow-null-property-value-for-updates"))
                .and_then(Value::as_bool)
                .unwrap_or(false);
            fields.push(Field {
                wire: WireName(wire.clone()),
                rust: snake(wire),
                ty,
                // A required property that may be null is read as an optional
                // one: a null never fails the whole value.
                required: view.required.contains(wire) && !may_be_null,
                nullable: may_be_null || allow_null,
                read_only: data.is_some_and(|d| d.read_only),
                write_only: data.is_some_and(|d| d.write_only),
                doc,
                inherited_from: None,
                pointer: p,
                boxed: false,
                has_default: false,
            });
        }
        Ok(fields)
    }

    /// The type of a property, item or body schema. Inline objects and enums
    /// become models named `suggested`.
    pub(super) fn type_of<T: std::borrow::Borrow<Schema>>(
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

    pub(super) fn type_of_view(
        &mut self,
        view: &View<'a>,
        suggested: &str,
        pointer: &SpecPointer,
    ) -> Result<TypeRef, Error> {
        if !view.enum_strings.is_empty() {
            let name = self.claim_inline(suggested, "Enum", pointer);
            self.insert(model(
                name.clone(),
                suggested,
                pointer.clone(),
                view.data.description.clone(),
                ModelKind::Enum(enumeration(&view.enum_strings)),
            ));
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
            let name = self.claim_inline(suggested, "Union", pointer);
            let kind = self.one_of(view, &name.0, pointer)?;
            self.insert(model(
                name.clone(),
                suggested,
                pointer.clone(),
                view.data.description.clone(),
                kind,
            ));
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

    pub(super) fn inline_struct(
        &mut self,
        view: &View<'a>,
        suggested: &str,
        pointer: &SpecPointer,
    ) -> Result<TypeRef, Error> {
        let name = self.claim_inline(suggested, "Object", pointer);
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
        self.insert(model(
            name.clone(),
            suggested,
            pointer.clone(),
            view.data.description.clone(),
            ModelKind::Struct(Struct {
                parent,
                fields,
                additional: additional.filter(|t| *t != TypeRef::Any),
                extensible: false,
                fixed: Vec::new(),
                default: StructDefault::None,
            }),
        ));
        Ok(TypeRef::Named(name))
    }
}

pub(super) fn push_fixed(out: &mut Vec<Fixed>, property: &str, value: &str) {
    if !out.iter().any(|f| f.field == property) {
        out.push(Fixed {
            field: WireName(property.to_string()),
            value: value.to_string(),
            settable: false,
        });
    }
}

/// Adds `new` fields to `fields`; one with a wire name already present
/// replaces it in place (a later `allOf` part or a child overrides).
pub(super) fn merge_fields(fields: &mut Vec<Field>, new: Vec<Field>) {
    for f in new {
        match fields.iter_mut().find(|x| x.wire == f.wire) {
            Some(slot) => *slot = f,
            None => fields.push(f),
        }
    }
}

/// Gives fields whose Rust names collide (`_links` and `links`) unique names.
pub(super) fn dedupe_field_names(fields: &mut [Field]) {
    let mut taken = BTreeSet::new();
    taken.insert("additional_properties".to_string());
    for f in fields {
        let (name, _) = unique(&mut taken, f.rust.0.clone());
        f.rust = RustIdent(name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(wire: &str, rust: &str, ty: TypeRef) -> Field {
        Field {
            wire: WireName(wire.into()),
            rust: RustIdent(rust.into()),
            ty,
            required: false,
            nullable: false,
            read_only: false,
            write_only: false,
            doc: None,
            inherited_from: None,
            pointer: SpecPointer(String::new()),
            boxed: false,
            has_default: false,
        }
    }

    #[test]
    fn a_later_field_replaces_one_of_the_same_wire_name_in_place() {
        let mut fields = vec![
            field("id", "id", TypeRef::String),
            field("name", "name", TypeRef::String),
        ];
        merge_fields(
            &mut fields,
            vec![
                field("id", "id", TypeRef::I64),
                field("extra", "extra", TypeRef::Bool),
            ],
        );
        let got: Vec<(&str, &TypeRef)> = fields.iter().map(|f| (f.wire.as_str(), &f.ty)).collect();
        assert_eq!(
            got,
            [
                ("id", &TypeRef::I64),
                ("name", &TypeRef::String),
                ("extra", &TypeRef::Bool)
            ]
        );
    }

    #[test]
    fn colliding_rust_names_get_numbers_and_the_catch_all_is_kept_free() {
        let mut fields = vec![
            field("_links", "links", TypeRef::Any),
            field("links", "links", TypeRef::Any),
            field("additionalProperties", "additional_properties", TypeRef::Any),
        ];
        dedupe_field_names(&mut fields);
        let names: Vec<&str> = fields.iter().map(|f| f.rust.0.as_str()).collect();
        assert_eq!(names, ["links", "links2", "additional_properties2"]);
    }

    #[test]
    fn a_fixed_value_is_recorded_once() {
        let mut out = Vec::new();
        push_fixed(&mut out, "signOnMode", "BOOKMARK");
        push_fixed(&mut out, "signOnMode", "AUTO_LOGIN");
        let out: Vec<(&str, &str)> = out.iter().map(|f| (f.field.as_str(), f.value.as_str())).collect();
        assert_eq!(out, [("signOnMode", "BOOKMARK")]);
    }
}
