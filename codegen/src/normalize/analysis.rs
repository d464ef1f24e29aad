//! The last stage: every decision the emitters and the docs print, worked
//! out once and recorded in the IR. One type graph serves the two walks
//! that follow references (boxing and cargo features); the rest reads each
//! model or operation on its own.
//!
//! - origin and file name of each model;
//! - cargo features: one per tag, each enabling the models its operations
//!   reach; the models no operation uses get a feature of their own;
//! - boxing: a field whose type contains its owner with no other indirection
//!   is held in a `Box`, and so is every named one-of alternative;
//! - empty values: which fields, structs and responses have one;
//! - how each request body is written and each response read.

use super::operations::is_json;
use super::*;

/// Fills in the analysis fields of `api` (left at their neutral values by
/// the stages before). Where `tag_features` is set, assigns one cargo
/// feature per tag and returns the feature of the models no operation uses.
pub(super) fn analyze(api: &mut Api, module: &str, tag_features: bool) -> Option<String> {
    mark_origins(&mut api.models);
    let graph = TypeGraph::new(&api.models);
    let other = tag_features.then(|| assign_features(module, &graph, api));
    mark_boxed(&graph, &mut api.models);
    mark_empty_values(&mut api.models);
    mark_common_fields(&mut api.models);
    mark_shapes(&mut api.models);
    let lookup = Lookup(&api.models);
    let mut warnings = Vec::new();
    for op in api.tags.iter_mut().flat_map(|t| &mut t.operations) {
        mark_operation(&lookup, op, &mut warnings);
    }
    api.warnings.extend(warnings);
    other
}

/// Each model's file name, and where in the spec it comes from.
fn mark_origins(models: &mut [Model]) {
    let fallbacks: BTreeSet<TypeName> = models
        .iter()
        .filter_map(|m| match &m.kind {
            ModelKind::Union(u) => Some(u.fallback.clone()),
            _ => None,
        })
        .collect();
    for m in models {
        m.file = snake(&m.name.0);
        m.origin = if fallbacks.contains(&m.name) {
            Origin::Fallback
        } else if m.pointer.0 == format!("{SCHEMAS}/{}", m.wire) {
            Origin::Component
        } else {
            Origin::Inline
        };
    }
}

/// Which struct fields have an empty value, how a new struct is made, which
/// fixed values `Default` sets, and which one-ofs are boxed or scalar.
fn mark_empty_values(models: &mut [Model]) {
    /// What is worked out for one model, before any model is changed.
    enum Marks {
        Struct {
            has_default: Vec<bool>,
            settable: Vec<bool>,
        },
        OneOf {
            scalar: bool,
        },
        None,
    }
    let lookup = Lookup(models);
    let marks: Vec<Marks> = models
        .iter()
        .map(|m| match &m.kind {
            ModelKind::Struct(s) => Marks::Struct {
                has_default: s
                    .fields
                    .iter()
                    .map(|f| lookup.has(&f.ty, &mut vec![m.name.clone()]))
                    .collect(),
                settable: s
                    .fixed
                    .iter()
                    .map(|x| {
                        s.fields
                            .iter()
                            .find(|f| f.wire == x.field)
                            .is_some_and(|f| lookup.settable(&f.ty))
                    })
                    .collect(),
            },
            ModelKind::OneOf(o) => Marks::OneOf {
                scalar: o.variants.iter().all(|a| lookup.scalar(&a.ty)),
            },
            _ => Marks::None,
        })
        .collect();
    for (m, marks) in models.iter_mut().zip(marks) {
        match (&mut m.kind, marks) {
            (
                ModelKind::Struct(s),
                Marks::Struct {
                    has_default,
                    settable,
                },
            ) => {
                for (f, has) in s.fields.iter_mut().zip(has_default) {
                    f.has_default = has;
                }
                for (x, settable) in s.fixed.iter_mut().zip(settable) {
                    x.settable = settable;
                }
                s.default = if !s.fields.iter().all(|f| !f.required || f.has_default) {
                    StructDefault::None
                } else if s.fixed.iter().any(|f| f.settable) {
                    StructDefault::WithFixed
                } else {
                    StructDefault::Derive
                };
            }
            (ModelKind::OneOf(o), Marks::OneOf { scalar }) => {
                for a in &mut o.variants {
                    a.boxed = matches!(a.ty, TypeRef::Named(_));
                }
                o.scalar = scalar;
            }
            _ => {}
        }
    }
}

/// A union's common field has the empty value its fallback's has, and is
/// boxed where any subtype boxes it (an accessor cannot return both).
fn mark_common_fields(models: &mut [Model]) {
    let marks: Vec<Vec<(bool, bool)>> = models
        .iter()
        .map(|m| {
            let ModelKind::Union(u) = &m.kind else {
                return Vec::new();
            };
            let field = |owner: &TypeName, rust: &RustIdent| -> Option<&Field> {
                match models
                    .binary_search_by(|m| m.name.cmp(owner))
                    .map(|i| &models[i].kind)
                {
                    Ok(ModelKind::Struct(s)) => s.fields.iter().find(|g| &g.rust == rust),
                    _ => None,
                }
            };
            let leaves = union_structs(models, &m.name);
            u.common
                .iter()
                .map(|f| {
                    let boxed = leaves.iter().any(|l| field(l, &f.rust).is_some_and(|g| g.boxed));
                    let has_default = field(&u.fallback, &f.rust).is_some_and(|g| g.has_default);
                    (boxed, has_default)
                })
                .collect()
        })
        .collect();
    for (m, marks) in models.iter_mut().zip(marks) {
        if let ModelKind::Union(u) = &mut m.kind {
            for (f, (boxed, has_default)) in u.common.iter_mut().zip(marks) {
                f.boxed = boxed;
                f.has_default = has_default;
            }
        }
    }
}

/// How an operation's body is written and its response read, and which of
/// its parameters are taken as strings.
fn mark_operation(lookup: &Lookup, op: &mut Operation, warnings: &mut Vec<Warning>) {
    if let Some(body) = &mut op.body {
        body.encoding = encoding(lookup, body, &op.pointer, warnings);
    }
    let r = &mut op.response;
    let json = r.content_type.as_ref().is_some_and(|c| is_json(c.as_str()));
    r.paged = json && matches!(r.ty, Some(TypeRef::Array(_)));
    r.decoding = match &r.ty {
        None => Decoding::Empty,
        Some(TypeRef::String) if r.content_type.is_some() && !json => Decoding::Text,
        Some(TypeRef::Bytes) => Decoding::Bytes,
        Some(t) if lookup.has(t, &mut Vec::new()) => Decoding::JsonOrDefault,
        Some(_) => Decoding::Json,
    };
    for p in &mut op.params {
        if lookup.sendable(&p.ty, true) {
            continue;
        }
        let what = match &p.ty {
            TypeRef::Named(n) => format!("`{n}`"),
            TypeRef::Map(_) => "a map".into(),
            TypeRef::Bytes => "binary".into(),
            _ => "a nested list".into(),
        };
        warnings.push(Warning {
            pointer: op.pointer.clone(),
            message: format!(
                "{} parameter `{}` is {what}, which has no text form: it is taken as the string to send",
                p.location.as_str(),
                p.wire
            ),
        });
        p.ty = TypeRef::String;
    }
}

/// The structs a union's value can be: its fallback and its subtypes,
/// through nested unions.
fn union_structs(models: &[Model], union: &TypeName) -> Vec<TypeName> {
    let mut out = Vec::new();
    let mut stack = vec![union.clone()];
    let mut seen = BTreeSet::new();
    while let Some(name) = stack.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        match models
            .binary_search_by(|m| m.name.cmp(&name))
            .map(|i| &models[i].kind)
        {
            Ok(ModelKind::Union(u)) => {
                stack.push(u.fallback.clone());
                stack.extend(u.variants.iter().map(|v| v.ty.clone()));
            }
            Ok(ModelKind::Struct(_)) => out.push(name),
            _ => {}
        }
    }
    out
}

/// How a request body is written: JSON for JSON types, text and bytes as
/// they are, multipart field by field (an object's), a form property by
/// property (any object, polymorphic ones too). A multipart or form body
/// with no properties to send is sent as JSON, with a warning.
fn encoding(lookup: &Lookup, body: &Body, at: &SpecPointer, warnings: &mut Vec<Warning>) -> BodyEncoding {
    let ct = body.content_type.as_str();
    if is_json(ct) {
        return BodyEncoding::Json;
    }
    let object = match &body.ty {
        TypeRef::Named(n) => lookup.is_object(n),
        TypeRef::Map(_) | TypeRef::Any => true,
        _ => false,
    };
    let by_field = match ct {
        "multipart/form-data" => Some((
            BodyEncoding::Multipart,
            matches!(&body.ty, TypeRef::Named(n) if lookup.is_struct(n)),
        )),
        "application/x-www-form-urlencoded" => Some((BodyEncoding::Form, object)),
        _ => None,
    };
    match (&body.ty, by_field) {
        (TypeRef::String, _) => BodyEncoding::Text,
        (TypeRef::Bytes, _) => BodyEncoding::Bytes,
        (_, Some((encoding, true))) => encoding,
        (_, Some((_, false))) => {
            warnings.push(Warning {
                pointer: at.join("requestBody"),
                message: format!("a `{ct}` body that is not an object is sent as JSON"),
            });
            BodyEncoding::Json
        }
        (_, None) => BodyEncoding::Json,
    }
}

/// How one model refers to another.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Via {
    /// A field whose type is the other model itself (index into `fields`).
    Field(usize),
    /// A union's variant or fallback, or an alias of the model itself.
    Inline,
    /// Through a `Vec`, a map, a boxed alternative, or a parent's fields.
    Indirect,
}

/// The shape of each object alternative of a one-of, and whether a value is
/// decoded as the alternative it fits best: when two or more alternatives
/// are objects of different shapes.
fn mark_shapes(models: &mut [Model]) {
    let shapes: Vec<Option<Vec<Option<Shape>>>> = {
        let lookup = Lookup(models);
        models
            .iter()
            .map(|m| match &m.kind {
                ModelKind::OneOf(o) => Some(o.variants.iter().map(|a| lookup.shape(&a.ty)).collect()),
                _ => None,
            })
            .collect()
    };
    for (m, shapes) in models.iter_mut().zip(shapes) {
        if let (ModelKind::OneOf(o), Some(shapes)) = (&mut m.kind, shapes) {
            let objects: Vec<&Shape> = shapes.iter().flatten().collect();
            o.best_match = objects.len() >= 2 && objects.iter().any(|s| *s != objects[0]);
            for (a, shape) in o.variants.iter_mut().zip(shapes) {
                a.shape = shape;
            }
        }
    }
}

/// Every reference from one model to another.
struct TypeGraph {
    edges: BTreeMap<TypeName, Vec<(Via, TypeName)>>,
}

impl TypeGraph {
    fn new(models: &[Model]) -> Self {
        fn named(t: &TypeRef, direct: Via, out: &mut Vec<(Via, TypeName)>) {
            match t {
                TypeRef::Named(n) => out.push((direct, n.clone())),
                TypeRef::Array(inner) | TypeRef::Map(inner) => named(inner, Via::Indirect, out),
                _ => {}
            }
        }
        let mut edges = BTreeMap::new();
        for m in models {
            let mut out = Vec::new();
            match &m.kind {
                ModelKind::Struct(s) => {
                    for (i, f) in s.fields.iter().enumerate() {
                        named(&f.ty, Via::Field(i), &mut out);
                    }
                    if let Some(t) = &s.additional {
                        named(t, Via::Indirect, &mut out);
                    }
                    out.extend(s.parent.iter().map(|p| (Via::Indirect, p.clone())));
                }
                ModelKind::Union(u) => {
                    out.extend(u.variants.iter().map(|v| (Via::Inline, v.ty.clone())));
                    out.push((Via::Inline, u.fallback.clone()));
                }
                ModelKind::OneOf(o) => {
                    for a in &o.variants {
                        named(&a.ty, Via::Indirect, &mut out);
                    }
                }
                ModelKind::Alias(t) => named(t, Via::Inline, &mut out),
                ModelKind::Enum(_) => {}
            }
            edges.insert(m.name.clone(), out);
        }
        TypeGraph { edges }
    }

    /// Every model reachable from `roots` (themselves included), following
    /// the edges `follow` accepts.
    fn reach(
        &self,
        roots: impl IntoIterator<Item = TypeName>,
        follow: impl Fn(Via) -> bool,
    ) -> BTreeSet<TypeName> {
        let mut stack: Vec<TypeName> = roots.into_iter().collect();
        let mut seen = BTreeSet::new();
        while let Some(name) = stack.pop() {
            if !seen.contains(&name) {
                for (via, next) in self.edges.get(&name).into_iter().flatten() {
                    if follow(*via) {
                        stack.push(next.clone());
                    }
                }
                seen.insert(name);
            }
        }
        seen
    }
}

/// Marks the fields whose type contains their owner without indirection.
fn mark_boxed(graph: &TypeGraph, models: &mut [Model]) {
    let inline = |via: Via| via != Via::Indirect;
    for m in models {
        let ModelKind::Struct(s) = &mut m.kind else {
            continue;
        };
        for (via, target) in &graph.edges[&m.name] {
            if let Via::Field(i) = via {
                if graph.reach([target.clone()], inline).contains(&m.name) {
                    s.fields[*i].boxed = true;
                }
            }
        }
    }
}

/// One cargo feature per tag (`<module>-<tag in kebab-case>`); each model is
/// compiled when a tag whose operations reach it is on. Types no operation
/// reaches (hook payloads, event types, ...), and what they reach, are
/// compiled under one more feature, `<module>-other-models`, whose name this
/// returns: enabling one tag compiles none of them.
fn assign_features(module: &str, graph: &TypeGraph, api: &mut Api) -> String {
    use heck::ToKebabCase;
    fn named(t: &TypeRef, out: &mut Vec<TypeName>) {
        match t {
            TypeRef::Named(n) => out.push(n.clone()),
            TypeRef::Array(inner) | TypeRef::Map(inner) => named(inner, out),
            _ => {}
        }
    }
    let mut reached: BTreeMap<TypeName, BTreeSet<String>> = BTreeMap::new();
    for tag in &mut api.tags {
        let feature = format!(
            "{module}-{}",
            snake(&tag.wire.0).0.trim_end_matches('_').to_kebab_case()
        );
        let mut roots = Vec::new();
        for op in &tag.operations {
            op.params.iter().for_each(|p| named(&p.ty, &mut roots));
            op.body.iter().for_each(|b| named(&b.ty, &mut roots));
            op.response.ty.iter().for_each(|t| named(t, &mut roots));
        }
        for name in graph.reach(roots, |_| true) {
            reached.entry(name).or_default().insert(feature.clone());
        }
        tag.feature = Some(feature);
    }
    let other = format!("{module}-other-models");
    let unreached: Vec<TypeName> = api
        .models
        .iter()
        .map(|m| m.name.clone())
        .filter(|n| !reached.contains_key(n))
        .collect();
    for name in graph.reach(unreached, |_| true) {
        reached.entry(name).or_default().insert(other.clone());
    }
    let tag_count = api.tags.len();
    for model in &mut api.models {
        let features = reached.remove(&model.name).unwrap_or_default();
        // Needed by every tag: the module's own feature says it shortest.
        model.features = if features.iter().filter(|f| **f != other).count() == tag_count {
            vec![module.to_string()]
        } else {
            features.into_iter().collect()
        };
    }
    other
}

/// What the models say about empty values, scalars and objects.
struct Lookup<'a>(&'a [Model]);

impl Lookup<'_> {
    /// The shape of a struct type (through aliases): its properties, the
    /// required ones, and those whose value is one of a few strings.
    fn shape(&self, t: &TypeRef) -> Option<Shape> {
        let TypeRef::Named(n) = t else {
            return None;
        };
        let s = match self.kind(n)? {
            ModelKind::Struct(s) => s,
            ModelKind::Alias(inner) if inner != t => return self.shape(inner),
            _ => return None,
        };
        let mut constants: Vec<(WireName, Vec<String>)> = s
            .fields
            .iter()
            .filter_map(|f| match &f.ty {
                TypeRef::Named(e) => match self.kind(e) {
                    Some(ModelKind::Enum(e)) => {
                        Some((f.wire.clone(), e.values.iter().map(|v| v.wire.clone()).collect()))
                    }
                    _ => None,
                },
                _ => None,
            })
            .collect();
        for fixed in &s.fixed {
            match constants.iter_mut().find(|(wire, _)| *wire == fixed.field) {
                Some((_, values)) => *values = vec![fixed.value.clone()],
                None => constants.push((fixed.field.clone(), vec![fixed.value.clone()])),
            }
        }
        // Sorted: a shape is a set, whatever the order of the properties.
        let mut required: Vec<WireName> = s
            .fields
            .iter()
            .filter(|f| f.required)
            .map(|f| f.wire.clone())
            .collect();
        let mut known: Vec<WireName> = s.fields.iter().map(|f| f.wire.clone()).collect();
        required.sort();
        known.sort();
        constants.sort();
        Some(Shape {
            required,
            known,
            constants,
        })
    }

    fn kind(&self, name: &TypeName) -> Option<&ModelKind> {
        self.0
            .binary_search_by(|m| m.name.cmp(name))
            .ok()
            .map(|i| &self.0[i].kind)
    }

    /// Whether a value of type `t` has an empty value (`Default`): anything
    /// but a model whose required fields lack one, or a model that contains
    /// itself (`seen` holds the models on the way here).
    fn has(&self, t: &TypeRef, seen: &mut Vec<TypeName>) -> bool {
        let TypeRef::Named(n) = t else {
            return true;
        };
        if seen.contains(n) {
            return false;
        }
        seen.push(n.clone());
        let ok = match self.kind(n) {
            Some(ModelKind::Struct(s)) => s.fields.iter().all(|f| !f.required || self.has(&f.ty, seen)),
            Some(ModelKind::Alias(t)) => self.has(t, seen),
            _ => false,
        };
        seen.pop();
        ok
    }

    /// Whether a fixed string value can be converted into type `t`.
    fn settable(&self, t: &TypeRef) -> bool {
        match t {
            TypeRef::String => true,
            TypeRef::Named(n) => matches!(self.kind(n), Some(ModelKind::Enum(_))),
            _ => false,
        }
    }

    /// Whether a value of type `t` can stand in a path or query.
    fn scalar(&self, t: &TypeRef) -> bool {
        match t {
            TypeRef::String | TypeRef::Bool | TypeRef::I32 | TypeRef::I64 | TypeRef::F64 => true,
            TypeRef::Named(n) => match self.kind(n) {
                Some(ModelKind::Enum(_)) => true,
                Some(ModelKind::Alias(inner)) => self.scalar(inner),
                _ => false,
            },
            _ => false,
        }
    }

    /// Whether a parameter of type `t` can be written as text: a scalar, a
    /// scalar one-of, any JSON, or (where `list` allows) a list of those,
    /// comma-separated, or a list of such lists.
    fn sendable(&self, t: &TypeRef, list: bool) -> bool {
        match t {
            TypeRef::Any => true,
            TypeRef::Array(inner) => list && self.sendable(inner, true),
            TypeRef::Named(n) => match self.kind(n) {
                Some(ModelKind::OneOf(o)) => o.scalar,
                Some(ModelKind::Alias(inner)) => self.sendable(inner, list),
                _ => self.scalar(t),
            },
            other => self.scalar(other),
        }
    }

    /// Whether a value of the model is a JSON object: a struct, a union of
    /// structs, or an alias of one.
    fn is_object(&self, name: &TypeName) -> bool {
        match self.kind(name) {
            Some(ModelKind::Struct(_) | ModelKind::Union(_)) => true,
            Some(ModelKind::Alias(TypeRef::Named(n))) => self.is_object(n),
            Some(ModelKind::Alias(TypeRef::Map(_) | TypeRef::Any)) => true,
            _ => false,
        }
    }

    fn is_struct(&self, name: &TypeName) -> bool {
        matches!(self.kind(name), Some(ModelKind::Struct(_)))
    }
}

#[cfg(test)]
mod tests {
    use crate::load::{load, SourceFile};

    fn api(schemas: &str, body: &str) -> crate::ir::Api {
        let text = format!(
            "openapi: 3.0.0\ninfo: {{title: T, version: '1'}}\npaths:\n  /a:\n    post:\n      operationId: postA\n      requestBody: {{content: {{{body}}}}}\n      responses: {{'204': {{description: ok}}}}\ncomponents:\n  schemas:\n{schemas}"
        );
        let spec = SourceFile {
            name: "t.yaml".into(),
            text,
        };
        super::super::normalize(&load(&spec, &[]).unwrap(), "m", false).unwrap()
    }

    #[test]
    fn recursion_without_indirection_is_boxed_and_a_vec_is_not() {
        let api = api(
            "    A: {type: object, properties: {b: {$ref: '#/components/schemas/B'}, many: {type: array, items: {$ref: '#/components/schemas/A'}}}}\n    B: {type: object, properties: {a: {$ref: '#/components/schemas/A'}}}\n",
            "application/json: {schema: {$ref: '#/components/schemas/A'}}",
        );
        let boxed = |name: &str| -> Vec<String> {
            let m = api.models.iter().find(|m| m.name.0 == name).unwrap();
            let crate::ir::ModelKind::Struct(s) = &m.kind else {
                panic!()
            };
            s.fields
                .iter()
                .filter(|f| f.boxed)
                .map(|f| f.wire.0.clone())
                .collect()
        };
        assert_eq!(boxed("A"), ["b"]);
        assert_eq!(boxed("B"), ["a"]);
    }

    #[test]
    fn a_form_body_that_is_no_object_is_sent_as_json_with_a_warning() {
        let api = api(
            "    A: {type: array, items: {type: string}}\n",
            "application/x-www-form-urlencoded: {schema: {$ref: '#/components/schemas/A'}}",
        );
        let (_, op) = api.operations().next().unwrap();
        assert_eq!(op.body.as_ref().unwrap().encoding, crate::ir::BodyEncoding::Json);
        assert_eq!(
            api.warnings.iter().map(|w| format!("{}: {}", w.pointer, w.message)).collect::<Vec<_>>(),
            ["/paths/~1a/post/requestBody: a `application/x-www-form-urlencoded` body that is not an object is sent as JSON"]
        );
    }

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
