//! One small spec per construct: targeted assertions on the IR, plus a
//! snapshot of the IR (as a compact outline, one line per item) and of the
//! emitted files in `tests/golden/`.
//!
//! To accept a changed snapshot, run with `UPDATE_GOLDEN=1`.

use std::path::{Path, PathBuf};

use okta_codegen::ir::*;
use okta_codegen::load::{load, SourceFile};
use okta_codegen::normalize::normalize;
use okta_codegen::{emit, Error, Inputs, ModuleInput};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests")
}

fn source(name: &str) -> SourceFile {
    let text = std::fs::read_to_string(dir().join("specs").join(name)).unwrap();
    SourceFile {
        name: format!("specs/{name}"),
        text,
    }
}

fn api_with(spec: &str, overlays: &[&str]) -> Api {
    let overlays: Vec<SourceFile> = overlays.iter().map(|o| source(o)).collect();
    let loaded = load(&source(spec), &overlays).unwrap();
    normalize(&loaded, "golden", false).unwrap()
}

/// Whether to rewrite the snapshots (`UPDATE_GOLDEN=1`). Refused under CI,
/// where a snapshot is checked, never rewritten.
fn update_golden() -> bool {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    assert!(
        !(update && std::env::var_os("CI").is_some()),
        "UPDATE_GOLDEN is refused when CI is set: snapshots are checked there, not rewritten"
    );
    update
}

/// A doc string, cut to its first line and 60 characters.
fn short(doc: &Option<String>) -> String {
    match doc {
        None => "-".into(),
        Some(d) => {
            let line = d.lines().next().unwrap_or_default();
            let cut: String = line.chars().take(60).collect();
            let more = if cut.len() < d.len() { "…" } else { "" };
            format!("{cut:?}{more}")
        }
    }
}

/// A type as the outline shows it: `[T]` for arrays, `{T}` for maps.
fn ty(t: &TypeRef) -> String {
    match t {
        TypeRef::Array(inner) => format!("[{}]", ty(inner)),
        TypeRef::Map(inner) => format!("{{{}}}", ty(inner)),
        TypeRef::Named(n) => n.0.clone(),
        other => format!("{other:?}"),
    }
}

/// An optional name, or `-`.
fn opt(name: &Option<impl std::fmt::Display>) -> String {
    name.as_ref().map_or("-".into(), ToString::to_string)
}

/// The IR, one line per item. Every field of every IR type is taken apart
/// by name, so a new field does not compile here until it is printed.
fn outline(api: &Api) -> String {
    let Api {
        module,
        title,
        version,
        sources,
        models,
        tags,
        warnings,
        other_models_feature,
    } = api;
    let mut out = vec![format!(
        "api {module} {title:?} {version} sources={sources:?} other_models_feature={}",
        opt(other_models_feature)
    )];
    for Warning { pointer, message } in warnings {
        out.push(format!("warning {pointer}: {message}"));
    }
    let field_line = |f: &Field| {
        let Field {
            wire,
            rust,
            ty: t,
            required,
            nullable,
            read_only,
            write_only,
            doc,
            inherited_from,
            pointer,
            boxed,
            has_default,
        } = f;
        format!(
            "  field {rust}: {} wire={wire} required={required} nullable={nullable} read_only={read_only} write_only={write_only} inherited_from={} boxed={boxed} has_default={has_default} at={pointer} doc={}",
            ty(t),
            opt(inherited_from),
            short(doc)
        )
    };
    for m in models {
        let Model {
            name,
            wire,
            pointer,
            origin,
            file,
            doc,
            kind,
            methods,
            features,
        } = m;
        out.push(format!(
            "model {name} wire={wire} {origin:?} at={pointer} file={file} features={features:?} doc={}",
            short(doc)
        ));
        match kind {
            ModelKind::Struct(Struct {
                parent,
                fields,
                additional,
                extensible,
                fixed,
                default,
            }) => {
                out.push(format!(
                    "  struct parent={} additional={} extensible={extensible} default={default:?}",
                    opt(parent),
                    additional.as_ref().map_or("-".into(), ty)
                ));
                out.extend(fields.iter().map(field_line));
                for Fixed {
                    field,
                    value,
                    settable,
                } in fixed
                {
                    out.push(format!("  fixed {field}={value} settable={settable}"));
                }
            }
            ModelKind::Enum(Enumeration { values }) => {
                for EnumValue { wire, rust } in values {
                    out.push(format!("  value {rust} = {wire:?}"));
                }
            }
            ModelKind::Union(Union {
                property,
                variants,
                fallback,
                common,
            }) => {
                out.push(format!("  union on {property} fallback={fallback}"));
                for Variant {
                    rust,
                    ty,
                    values,
                    nested,
                } in variants
                {
                    out.push(format!(
                        "  variant {rust}({ty}) values={values:?} nested={nested}"
                    ));
                }
                out.extend(common.iter().map(|f| format!("  common{}", &field_line(f)[7..])));
            }
            ModelKind::OneOf(OneOf {
                best_match,
                variants,
                scalar,
            }) => {
                out.push(format!("  one_of scalar={scalar} best_match={best_match}"));
                for Alternative {
                    name,
                    ty: t,
                    doc,
                    shape,
                    boxed,
                } in variants
                {
                    out.push(format!(
                        "  alternative {name}({}) boxed={boxed} doc={}",
                        ty(t),
                        short(doc)
                    ));
                    if let Some(Shape {
                        required,
                        known,
                        constants,
                    }) = shape
                    {
                        let names =
                            |w: &[WireName]| w.iter().map(|w| w.0.as_str()).collect::<Vec<_>>().join(",");
                        let constants: Vec<String> = constants
                            .iter()
                            .map(|(w, v)| format!("{w}={}", v.join("|")))
                            .collect();
                        out.push(format!(
                            "    shape required=[{}] known=[{}] constants=[{}]",
                            names(required),
                            names(known),
                            constants.join(",")
                        ));
                    }
                }
            }
            ModelKind::Alias(t) => out.push(format!("  alias {}", ty(t))),
        }
        for ResourceMethod {
            alias,
            rust,
            operation_id,
            handle,
            operation_method,
            bindings,
            source,
            pointer,
        } in methods
        {
            out.push(format!(
                "  method {rust} (alias {alias}, {source:?}) -> {handle}::{operation_method} ({operation_id}) at={pointer} bindings={bindings:?}"
            ));
        }
    }
    for Tag {
        wire,
        module,
        handle,
        doc,
        feature,
        operations,
    } in tags
    {
        out.push(format!(
            "tag {handle} wire={wire} module={module} feature={} doc={}",
            opt(feature),
            short(doc)
        ));
        for op in operations {
            let Operation {
                id,
                method_name,
                builder,
                method,
                path,
                pointer,
                summary,
                description,
                deprecated,
                params,
                body,
                response,
                security,
                credentials,
            } = op;
            out.push(format!(
                "  op {method_name} ({id}) {} {path} builder={builder} deprecated={deprecated} security={security:?} credentials={credentials} at={pointer} summary={} description={}",
                method.as_str(),
                short(summary),
                short(description)
            ));
            for Param {
                wire,
                rust,
                location,
                ty: t,
                required,
                doc,
                default,
                explode,
            } in params
            {
                out.push(format!(
                    "    param {rust}: {} {} {wire} required={required} explode={explode} default={} doc={}",
                    ty(t),
                    location.as_str(),
                    opt(default),
                    short(doc)
                ));
            }
            if let Some(Body {
                rust,
                ty: t,
                content_type,
                other_content_types,
                encoding,
                required,
                doc,
            }) = body
            {
                out.push(format!(
                    "    body {rust}: {} {content_type} others={other_content_types:?} {encoding:?} required={required} doc={}",
                    ty(t),
                    short(doc)
                ));
            }
            let Response {
                ty: t,
                content_type,
                other_content_types,
                decoding,
                paged,
                statuses,
            } = response;
            out.push(format!(
                "    response {} {} others={other_content_types:?} {decoding:?} paged={paged} statuses={:?}",
                t.as_ref().map_or("-".into(), ty),
                opt(content_type),
                statuses.iter().map(|(code, _)| code.as_str()).collect::<Vec<_>>()
            ));
        }
    }
    out.join("\n") + "\n"
}

/// Compares the IR and the emitted files with `tests/golden/<name>.txt`.
fn snapshot(name: &str, api: &Api) {
    let mut text = format!("# IR\n{}", outline(api));
    for (path, contents) in emit::emit(api).unwrap() {
        text.push_str(&format!("\n# {path}\n{contents}"));
    }
    let path = dir().join("golden").join(format!("{name}.txt"));
    if update_golden() {
        std::fs::write(&path, &text).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_default();
    if want != text {
        let line = want
            .lines()
            .zip(text.lines())
            .position(|(a, b)| a != b)
            .map(|i| i + 1)
            .unwrap_or_else(|| want.lines().count().min(text.lines().count()) + 1);
        panic!(
            "{} differs from the generator's output from line {line}; if the change is intended, rerun with UPDATE_GOLDEN=1",
            path.display()
        );
    }
}

fn model<'a>(api: &'a Api, name: &str) -> &'a Model {
    api.model(&TypeName(name.into()))
        .unwrap_or_else(|| panic!("no model {name}"))
}

fn fields(m: &Model) -> Vec<(String, String, Option<String>)> {
    let ModelKind::Struct(s) = &m.kind else {
        panic!("{} is not a struct", m.name)
    };
    s.fields
        .iter()
        .map(|f| {
            (
                f.wire.0.clone(),
                format!("{:?}", f.ty),
                f.inherited_from.as_ref().map(|t| t.0.clone()),
            )
        })
        .collect()
}

#[test]
fn inheritance_from_both_dialects() {
    let api = api_with("inheritance.yaml", &[]);
    let dog = fields(model(&api, "Dog"));
    assert_eq!(
        dog,
        vec![
            ("name".into(), "String".into(), Some("Animal".into())),
            ("legs".into(), "I64".into(), None),
            ("goodBoy".into(), "Bool".into(), None),
        ],
        "x-okta-parent: inherited first, an own field replaces the parent's in place"
    );
    let cat = fields(model(&api, "Cat"));
    assert_eq!(cat[0], ("name".into(), "String".into(), Some("Animal".into())));
    assert_eq!(cat[2], ("indoor".into(), "Bool".into(), None));
    let ModelKind::Struct(cat) = &model(&api, "Cat").kind else {
        unreachable!()
    };
    assert_eq!(cat.parent, Some(TypeName("Animal".into())));
    assert!(cat.fields[0].required, "required-ness is inherited");
    snapshot("inheritance", &api);
}

#[test]
fn nested_discriminators() {
    let api = api_with("discriminators.yaml", &[]);
    let ModelKind::Union(app) = &model(&api, "App").kind else {
        panic!("App is polymorphic")
    };
    assert_eq!(app.property, "signOnMode");
    let variants: Vec<(&str, &str, bool)> = app
        .variants
        .iter()
        .map(|v| (v.rust.0.as_str(), v.ty.0.as_str(), v.nested))
        .collect();
    assert_eq!(
        variants,
        vec![("Bookmark", "BookmarkApp", false), ("Plugin", "PluginApp", true)]
    );
    assert_eq!(app.fallback, TypeName("AppBase".into()));
    let common: Vec<&str> = app.common.iter().map(|f| f.wire.as_str()).collect();
    assert_eq!(common, vec!["id", "name", "signOnMode"]);

    let ModelKind::Union(plugin) = &model(&api, "PluginApp").kind else {
        panic!("PluginApp is polymorphic too")
    };
    assert_eq!(plugin.property, "name");
    assert_eq!(plugin.variants[0].ty, TypeName("SwaApp".into()));

    let ModelKind::Struct(swa) = &model(&api, "SwaApp").kind else {
        unreachable!()
    };
    let fixed: Vec<(&str, &str, bool)> = swa
        .fixed
        .iter()
        .map(|f| (f.field.as_str(), f.value.as_str(), f.settable))
        .collect();
    assert_eq!(
        fixed,
        [
            ("name", "template_swa", true),
            ("signOnMode", "BROWSER_PLUGIN", true)
        ],
        "x-okta-defined-as and every ancestor's discriminator value, both settable strings"
    );
    assert_eq!(swa.default, StructDefault::WithFixed);

    // Standard OpenAPI without a mapping: children by schema name.
    let ModelKind::Union(pet) = &model(&api, "Pet").kind else {
        panic!()
    };
    assert_eq!(pet.variants[0].values, vec!["Lizard".to_string()]);
    snapshot("discriminators", &api);
}

#[test]
fn crud_bindings() {
    let api = api_with("crud.yaml", &[]);
    let methods = &model(&api, "AppUser").methods;
    let listed: Vec<String> = methods
        .iter()
        .map(|m| {
            let bindings: Vec<String> = m
                .bindings
                .iter()
                .map(|b| match b {
                    Binding::Field { field, .. } => format!("self.{field}"),
                    Binding::SelfBody => "self".into(),
                    Binding::Parent { arg, .. } => format!("parent {arg}"),
                    Binding::Caller { arg, .. } => format!("caller {arg}"),
                })
                .collect();
            format!("{} -> {}({})", m.rust, m.operation_id, bindings.join(", "))
        })
        .collect();
    assert_eq!(
        listed,
        vec![
            "update -> updateAppUser(parent app_id, self.id, self)",
            "delete -> deleteAppUser(parent app_id, self.id)",
            "read -> getUser(caller user_id)",
        ]
    );
    snapshot("crud", &api);
}

#[test]
fn open_enums_reserved_words_and_inline_names() {
    let api = api_with("enums-and-names.yaml", &[]);
    let thing = model(&api, "Thing");
    let ModelKind::Struct(s) = &thing.kind else {
        panic!()
    };
    let names: Vec<(&str, &str)> = s
        .fields
        .iter()
        .map(|f| (f.wire.as_str(), f.rust.0.as_str()))
        .collect();
    assert_eq!(
        names,
        vec![
            ("type", "type_"),
            ("self", "self_"),
            ("externalIPs", "external_ips"),
            ("status", "status"),
            ("settings", "settings"),
            ("_links", "links"),
        ]
    );
    // The inline enum wanted `ThingStatus`, which a component schema owns:
    // it is named for its kind, not numbered.
    assert_eq!(s.fields[3].ty, TypeRef::Named(TypeName("ThingStatusEnum".into())));
    assert!(api
        .warnings
        .iter()
        .any(|w| w.message.contains("ThingStatus is taken")
            && w.pointer.0 == "/components/schemas/Thing/properties/status"));
    let ModelKind::Enum(e) = &model(&api, "ThingStatusEnum").kind else {
        panic!()
    };
    let values: Vec<&str> = e.values.iter().map(|v| v.rust.0.as_str()).collect();
    assert_eq!(values, vec!["Active", "TokenSoftwareTotp", "Saml20"]);
    assert_eq!(s.fields[4].ty, TypeRef::Named(TypeName("ThingSettings".into())));
    assert_eq!(s.fields[5].ty, TypeRef::Map(Box::new(TypeRef::Any)));

    let (_, op) = api.operations().next().unwrap();
    let params: Vec<(&str, bool)> = op
        .params
        .iter()
        .map(|p| (p.rust.0.as_str(), p.required))
        .collect();
    assert_eq!(params, vec![("type_", false), ("limit", false), ("after", false)]);
    assert_eq!(op.params[1].default, Some(serde_json::json!(20)));
    snapshot("enums-and-names", &api);
}

#[test]
fn overlays_apply_in_order() {
    let api = api_with("overlay-base.yaml", &["overlay.yaml"]);
    assert_eq!(api.sources, vec!["specs/overlay-base.yaml", "specs/overlay.yaml"]);
    let ids: Vec<&str> = api.operations().map(|(_, o)| o.id.as_str()).collect();
    assert_eq!(ids, vec!["getSession", "refreshSession"]);
    let (_, get) = api.operations().next().unwrap();
    assert_eq!(get.response.ty, Some(TypeRef::Named(TypeName("Session".into()))));
    snapshot("overlay", &api);
}

/// A spec that must fail, with the error it must give.
fn bad(yaml: &str) -> String {
    let spec = SourceFile {
        name: "specs/bad.yaml".into(),
        text: format!("openapi: 3.0.0\ninfo: {{title: Bad, version: '1'}}\n{yaml}"),
    };
    let result = load(&spec, &[]).and_then(|l| normalize(&l, "bad", false));
    match result {
        Ok(_) => panic!("the spec must be rejected"),
        Err(e @ Error::Spec { .. }) => e.to_string(),
        Err(e) => panic!("expected a located spec error, got {e}"),
    }
}

#[test]
fn dangling_ref_is_located() {
    let msg = bad("paths: {}\ncomponents:\n  schemas:\n    A:\n      type: object\n      properties:\n        b: {$ref: '#/components/schemas/Missing'}\n");
    assert_eq!(
        msg,
        "specs/bad.yaml: /components/schemas/A/properties/b/$ref: reference to missing schema `Missing`"
    );
}

#[test]
fn discriminator_to_missing_schema_is_located() {
    let msg = bad("paths: {}\ncomponents:\n  schemas:\n    A:\n      type: object\n      properties:\n        kind: {type: string}\n      x-openapi-v3-discriminator:\n        propertyName: kind\n        mapping:\n          b: '#/definitions/B'\n");
    assert_eq!(
        msg,
        "specs/bad.yaml: /components/schemas/A/x-openapi-v3-discriminator/mapping/b: reference to missing schema `B`"
    );
}

#[test]
fn crud_with_missing_operation_is_located() {
    let msg = bad("paths: {}\ncomponents:\n  schemas:\n    A:\n      type: object\n      properties:\n        id: {type: string}\n      x-okta-crud:\n        - alias: delete\n          operationId: deleteA\n          arguments: []\n");
    assert_eq!(
        msg,
        "specs/bad.yaml: /components/schemas/A/x-okta-crud/0/operationId: `deleteA` is not an operationId of this spec"
    );
}

#[test]
fn missing_parent_is_located() {
    let msg = bad("paths: {}\ncomponents:\n  schemas:\n    A:\n      x-okta-parent: '#/definitions/Nope'\n      properties:\n        id: {type: string}\n");
    assert_eq!(
        msg,
        "specs/bad.yaml: /components/schemas/A/x-okta-parent: reference to missing schema `Nope`"
    );
}

#[test]
fn a_bad_spec_fails_generation_as_a_whole() {
    let inputs = Inputs {
        modules: vec![ModuleInput {
            module: "bad".into(),
            spec: SourceFile {
                name: "spec/bad.yaml".into(),
                text: "openapi: 3.0.0\ninfo: {title: Bad, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    A: {$ref: '#/components/schemas/B'}\n".into(),
            },
            overlays: Vec::new(),
            tag_features: false,
        }],
        manifest: SourceFile {
            name: "okta-api/Cargo.toml".into(),
            text: "# BEGIN generated features\n# END generated features\n".into(),
        },
    };
    let err = okta_codegen::generate(&inputs).unwrap_err().to_string();
    assert_eq!(
        err,
        "spec/bad.yaml: /components/schemas/A: reference to missing schema `B`"
    );
}

#[test]
fn the_analysis_records_boxing_empty_values_and_encodings() {
    let api = api_with("analysis.yaml", &[]);
    let boxed = |owner: &str| -> Vec<String> {
        let ModelKind::Struct(s) = &model(&api, owner).kind else {
            panic!("{owner} is a struct")
        };
        s.fields
            .iter()
            .filter(|f| f.boxed)
            .map(|f| f.wire.0.clone())
            .collect()
    };
    assert_eq!(
        boxed("Node"),
        ["child"],
        "a Vec or an unrelated struct is no recursion"
    );
    assert_eq!(boxed("Pair"), ["left"], "mutual recursion boxes both sides");
    assert_eq!(boxed("PairSide"), ["back"]);

    let default = |name: &str| match &model(&api, name).kind {
        ModelKind::Struct(s) => s.default,
        _ => panic!("{name} is a struct"),
    };
    assert_eq!(
        default("Node"),
        StructDefault::None,
        "a required field of its own type has no empty value"
    );
    assert_eq!(default("Pair"), StructDefault::Derive);
    assert_eq!(
        default("Token"),
        StructDefault::None,
        "a required enum has no empty value"
    );

    let ModelKind::OneOf(scalar) = &model(&api, "Scalar").kind else {
        panic!()
    };
    assert!(scalar.scalar && scalar.variants.iter().all(|a| !a.boxed));
    let ModelKind::OneOf(shape) = &model(&api, "Shape").kind else {
        panic!()
    };
    assert!(!shape.scalar);
    assert_eq!(
        shape.variants.iter().map(|a| a.boxed).collect::<Vec<_>>(),
        [true, false],
        "named alternatives are boxed"
    );

    let op = |id: &str| {
        api.operations()
            .map(|(_, o)| o)
            .find(|o| o.id == id)
            .unwrap_or_else(|| panic!("no operation {id}"))
    };
    let encodings: Vec<(&str, BodyEncoding)> = [
        "createNode",
        "patchNode",
        "createToken",
        "publishEvent",
        "uploadLogo",
    ]
    .into_iter()
    .map(|id| (id, op(id).body.as_ref().unwrap().encoding))
    .collect();
    assert_eq!(
        encodings,
        [
            ("createNode", BodyEncoding::Json),
            ("patchNode", BodyEncoding::Json),
            ("createToken", BodyEncoding::Form),
            ("publishEvent", BodyEncoding::Text),
            ("uploadLogo", BodyEncoding::Multipart),
        ]
    );
    let decodings: Vec<(&str, Decoding, bool)> = [
        "listNodes",
        "createNode",
        "patchNode",
        "createToken",
        "uploadLogo",
        "getKeys",
    ]
    .into_iter()
    .map(|id| (id, op(id).response.decoding, op(id).response.paged))
    .collect();
    assert_eq!(
        decodings,
        [
            ("listNodes", Decoding::JsonOrDefault, true),
            ("createNode", Decoding::Empty, false),
            ("patchNode", Decoding::JsonOrDefault, false),
            ("createToken", Decoding::Json, false),
            ("uploadLogo", Decoding::Bytes, false),
            ("getKeys", Decoding::Text, false),
        ]
    );
    assert_eq!(model(&api, "Node").origin, Origin::Component);
    assert_eq!(model(&api, "CreateTokenBody").origin, Origin::Inline);
    snapshot("analysis", &api);
}

#[test]
fn a_malformed_resource_method_is_located() {
    let msg = bad("paths: {}\ncomponents:\n  schemas:\n    A:\n      type: object\n      x-okta-operations:\n        - alias: go\n          operationId: 7\n");
    assert_eq!(
        msg,
        "specs/bad.yaml: /components/schemas/A/x-okta-operations/0/operationId: invalid type: integer `7`, expected a string"
    );
    let msg = bad(
        "paths: {}\ncomponents:\n  schemas:\n    A:\n      type: object\n      x-okta-crud: {alias: read}\n",
    );
    assert_eq!(
        msg,
        "specs/bad.yaml: /components/schemas/A/x-okta-crud: invalid type: map, expected a sequence"
    );
}
