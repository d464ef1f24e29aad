//! The cargo-feature policy: one feature per tag, each enabling the models
//! its operations reach; the models no operation uses get a feature of their own.

use super::*;

/// One cargo feature per tag (`<module>-<tag in kebab-case>`); each model is
/// compiled when a tag whose operations reach it is on. Types no operation
/// reaches (hook payloads, event types, ...), and what they reach, are
/// compiled under one more feature, `<module>-other-models`, whose name this
/// returns: enabling one tag compiles none of them.
pub(super) fn assign_features(
    module: &str,
    tags: &mut [Tag],
    models: &mut BTreeMap<TypeName, Model>,
) -> String {
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

#[cfg(test)]
mod tests {
    use crate::load::{load, SourceFile};

    #[test]
    fn a_tag_enables_the_models_its_operations_reach_and_no_others() {
        let text = "openapi: 3.0.0\ninfo: {title: T, version: '1'}\npaths:\n  /a:\n    get:\n      operationId: getA\n      tags: [Alpha]\n      responses: {'200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/A'}}}}}\n  /b:\n    get:\n      operationId: getB\n      tags: [Beta Things]\n      responses: {'200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Shared'}}}}}\ncomponents:\n  schemas:\n    A: {type: object, properties: {shared: {$ref: '#/components/schemas/Shared'}}}\n    Shared: {type: object, properties: {id: {type: string}}}\n    Event: {type: object, properties: {shared: {$ref: '#/components/schemas/Shared'}}}\n";
        let spec = SourceFile {
            name: "t.yaml".into(),
            text: text.into(),
        };
        let api = super::super::normalize(&load(&spec, &[]).unwrap(), "m", true).unwrap();
        let tags: Vec<(&str, Option<&str>)> = api
            .tags
            .iter()
            .map(|t| (t.wire.as_str(), t.feature.as_deref()))
            .collect();
        assert_eq!(
            tags,
            [("Alpha", Some("m-alpha")), ("Beta Things", Some("m-beta-things"))]
        );
        assert_eq!(api.other_models_feature.as_deref(), Some("m-other-models"));
        let features = |name: &str| {
            api.models
                .iter()
                .find(|m| m.name.0 == name)
                .unwrap()
                .features
                .clone()
        };
        assert_eq!(features("A"), ["m-alpha"]);
        // What every tag (and the unused types) reach is gated by the module feature alone.
        assert_eq!(features("Shared"), ["m"]);
        assert_eq!(features("Event"), ["m-other-models"]);
    }
}
