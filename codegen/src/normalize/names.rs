//! Names from what the spec says about an item, never from where it stands
//! in a list: the variants of polymorphic types and the inline alternatives
//! of one-ofs. Each name depends on the item itself (and its owner), so an
//! upstream release that reorders or adds items renames nothing else.

use super::*;

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
