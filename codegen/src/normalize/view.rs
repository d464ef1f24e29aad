//! A uniform view of a schema, whichever `SchemaKind` openapiv3 chose, and
//! small helpers on references.

use super::*;

/// A uniform view of a schema, whichever `SchemaKind` openapiv3 chose.
pub(super) struct View<'a> {
    pub(super) data: &'a SchemaData,
    pub(super) typ: Option<&'a str>,
    pub(super) format: Option<String>,
    pub(super) properties: Option<&'a IndexMap<String, ReferenceOr<Box<Schema>>>>,
    pub(super) required: &'a [String],
    pub(super) additional: Option<&'a AdditionalProperties>,
    pub(super) items: Option<&'a ReferenceOr<Box<Schema>>>,
    pub(super) enum_strings: Vec<String>,
    pub(super) enum_other: bool,
    pub(super) all_of: &'a [ReferenceOr<Schema>],
    pub(super) one_of: &'a [ReferenceOr<Schema>],
    pub(super) any_of: &'a [ReferenceOr<Schema>],
}

pub(super) fn format_str<T: std::fmt::Debug>(f: &VariantOrUnknownOrEmpty<T>) -> Option<String> {
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
    pub(super) fn of(schema: &'a Schema) -> View<'a> {
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

    pub(super) fn extension(&self, name: &str) -> Option<&'a Value> {
        self.data.extensions.get(name)
    }

    /// `(propertyName, mapping)` from either dialect.
    pub(super) fn discriminator(&self) -> Option<(String, Vec<(String, String)>)> {
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

    pub(super) fn is_object_like(&self) -> bool {
        self.typ == Some("object") || self.properties.is_some()
    }
}

/// Resolves `#/components/schemas/X`, `#/definitions/X` (the legacy form
/// the 1.9.0 extensions use) or a bare `X` to the schema name `X`.
pub(super) fn schema_name_of(reference: &str) -> &str {
    reference
        .strip_prefix("#/components/schemas/")
        .or_else(|| reference.strip_prefix("#/definitions/"))
        .unwrap_or(reference)
}

pub(super) fn as_schema<T: std::borrow::Borrow<Schema>>(r: &ReferenceOr<T>) -> Result<&Schema, &str> {
    match r {
        ReferenceOr::Item(s) => Ok(s.borrow()),
        ReferenceOr::Reference { reference } => Err(reference),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema(yaml: &str) -> Schema {
        serde_yaml::from_str(yaml).unwrap()
    }

    #[test]
    fn both_dialects_of_discriminator_read_alike() {
        let standard = schema(
            "type: object\ndiscriminator: {propertyName: kind, mapping: {a: '#/components/schemas/A'}}\n",
        );
        let okta = schema("type: object\nx-openapi-v3-discriminator: {propertyName: kind, mapping: {a: '#/definitions/A'}}\n");
        assert_eq!(
            View::of(&standard).discriminator(),
            Some(("kind".into(), vec![("a".into(), "#/components/schemas/A".into())]))
        );
        assert_eq!(
            View::of(&okta).discriminator(),
            Some(("kind".into(), vec![("a".into(), "#/definitions/A".into())]))
        );
        assert_eq!(View::of(&schema("type: object\n")).discriminator(), None);
    }

    #[test]
    fn formats_enums_and_untyped_schemas_are_seen_the_same_way() {
        let s = schema("type: string\nformat: date-time\nenum: [A, B]\n");
        let v = View::of(&s);
        assert_eq!(
            (v.typ, v.format.as_deref(), v.enum_strings.as_slice()),
            (
                Some("string"),
                Some("date-time"),
                &["A".to_string(), "B".to_string()][..]
            )
        );
        // No `type`, but properties and a null in the enum: still an object view, and null is no value.
        let s = schema("properties: {id: {type: string}}\nrequired: [id]\nenum: [x, null]\n");
        let v = View::of(&s);
        assert!(v.is_object_like());
        assert_eq!(
            (v.required, v.enum_strings.as_slice(), v.enum_other),
            (&["id".to_string()][..], &["x".to_string()][..], false)
        );
        let s = schema("type: integer\nformat: int64\nenum: [1, 2]\n");
        let v = View::of(&s);
        assert_eq!((v.format.as_deref(), v.enum_other), (Some("int64"), true));
    }

    #[test]
    fn schema_names_come_from_either_prefix() {
        assert_eq!(schema_name_of("#/components/schemas/User"), "User");
        assert_eq!(schema_name_of("#/definitions/User"), "User");
        assert_eq!(schema_name_of("other.yaml#/User"), "other.yaml#/User");
    }
}
