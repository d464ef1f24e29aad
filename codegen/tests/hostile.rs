//! Small hostile specs, each with its exact outcome: a located error
//! (`<file>: <JSON pointer>: <what is wrong>`) or the names the generator
//! chose, with the warning that says so. No spec may panic or overflow the
//! stack.

use okta_codegen::ir::{Api, ParamLocation};
use okta_codegen::load::{load, SourceFile};
use okta_codegen::normalize::normalize;
use okta_codegen::Error;

const FILE: &str = "specs/hostile.yaml";

fn run(yaml: &str) -> Result<Api, Error> {
    let spec = SourceFile {
        name: FILE.into(),
        text: format!("openapi: 3.0.0\ninfo: {{title: Hostile, version: '1'}}\n{yaml}"),
    };
    // A stack overflow would abort the whole test binary; a small stack of
    // its own makes runaway recursion show up here, and fast.
    std::thread::Builder::new()
        .stack_size(8 * 1024 * 1024)
        .spawn(move || load(&spec, &[]).and_then(|l| normalize(&l, "hostile", false)))
        .unwrap()
        .join()
        .expect("the generator panicked")
}

/// The located error a spec must give.
fn error(yaml: &str) -> String {
    match run(yaml) {
        Ok(_) => panic!("the spec must be rejected"),
        Err(e @ Error::Spec { .. }) => e.to_string(),
        Err(e) => panic!("expected a located spec error, got {e}"),
    }
}

const GET_USERS: &str = "paths:\n  /users:\n    get:\n      operationId: listUsers\n      responses: {'200': {description: ok}}\n";

#[test]
fn schema_alias_cycles_are_located_and_named() {
    assert_eq!(
        error("paths: {}\ncomponents:\n  schemas:\n    A: {$ref: '#/components/schemas/B'}\n    B: {$ref: '#/components/schemas/A'}\n"),
        "specs/hostile.yaml: /components/schemas/A: `$ref` cycle: B -> A -> B"
    );
    assert_eq!(
        error("paths: {}\ncomponents:\n  schemas:\n    S: {$ref: '#/components/schemas/S'}\n"),
        "specs/hostile.yaml: /components/schemas/S: `$ref` cycle: S -> S"
    );
}

#[test]
fn parameter_cycles_are_located_and_named() {
    let yaml = "paths:\n  /users:\n    get:\n      operationId: listUsers\n      parameters: [{$ref: '#/components/parameters/P'}]\n      responses: {'200': {description: ok}}\ncomponents:\n  parameters:\n    P: {$ref: '#/components/parameters/Q'}\n    Q: {$ref: '#/components/parameters/P'}\n";
    assert_eq!(
        error(yaml),
        "specs/hostile.yaml: /components/parameters/Q: `$ref` cycle: P -> Q -> P"
    );
}

#[test]
fn arrays_and_maps_of_themselves_are_located() {
    assert_eq!(
        error("paths: {}\ncomponents:\n  schemas:\n    List: {type: array, items: {$ref: '#/components/schemas/List'}}\n"),
        "specs/hostile.yaml: /components/schemas/List: `List` is an array or map of itself; give its items an object schema"
    );
    assert_eq!(
        error("paths: {}\ncomponents:\n  schemas:\n    A: {type: array, items: {$ref: '#/components/schemas/B'}}\n    B: {type: array, items: {$ref: '#/components/schemas/A'}}\n"),
        "specs/hostile.yaml: /components/schemas/A: `A` is an array or map of itself; give its items an object schema"
    );
    // Recursion through a struct is fine: the struct breaks the cycle.
    run("paths: {}\ncomponents:\n  schemas:\n    Node: {type: object, properties: {children: {type: array, items: {$ref: '#/components/schemas/Node'}}}}\n").unwrap();
}

#[test]
fn parameters_named_like_the_builders_own_items_are_renamed_with_a_warning() {
    let names = ["client", "request", "send", "stream", "pages", "all"];
    let params: String = names
        .iter()
        .map(|n| format!("        - {{name: {n}, in: query, schema: {{type: string}}}}\n"))
        .collect();
    let yaml = format!(
        "paths:\n  /things:\n    post:\n      operationId: createThing\n      x-codegen-request-body-name: client\n      parameters:\n{params}      requestBody:\n        content: {{application/json: {{schema: {{type: object}}}}}}\n      responses: {{'200': {{description: ok}}}}\n"
    );
    let api = run(&yaml).unwrap();
    let (_, op) = api.operations().next().unwrap();
    let rust: Vec<&str> = op.params.iter().map(|p| p.rust.0.as_str()).collect();
    assert_eq!(
        rust,
        [
            "client_arg",
            "request_arg",
            "send_arg",
            "stream_arg",
            "pages_arg",
            "all_arg"
        ]
    );
    assert!(op.params.iter().all(|p| p.location == ParamLocation::Query));
    assert_eq!(
        op.body.as_ref().unwrap().rust.0,
        "client_arg2",
        "the body does not take a parameter's name"
    );
    let warnings: Vec<String> = api
        .warnings
        .iter()
        .map(|w| format!("{}: {}", w.pointer.0, w.message))
        .collect();
    assert_eq!(warnings.len(), 7, "{warnings:#?}");
    assert_eq!(
        warnings[0],
        "/paths/~1things/post/parameters/0: `client` is a name the request builder uses; the argument is named `client_arg`"
    );
    assert_eq!(
        warnings[6],
        "/paths/~1things/post/requestBody: `client` is a name the request builder uses; the argument is named `client_arg`"
    );
}

#[test]
fn operation_ids_that_collide_after_case_conversion_are_located() {
    let yaml = "paths:\n  /a:\n    get:\n      operationId: getThing\n      responses: {'200': {description: ok}}\n  /b:\n    get:\n      operationId: get_thing\n      responses: {'200': {description: ok}}\n";
    assert_eq!(
        error(yaml),
        "specs/hostile.yaml: /paths/~1b/get/operationId: operationId `get_thing` and `getThing` name the same method `get_thing`; rename one (an overlay can)"
    );
}

#[test]
fn a_placeholder_without_a_parameter_is_located() {
    let yaml = "paths:\n  /users/{undeclared}:\n    get:\n      operationId: getUser\n      responses: {'200': {description: ok}}\n";
    assert_eq!(
        error(yaml),
        "specs/hostile.yaml: /paths/~1users~1{undeclared}/get: path template placeholder `{undeclared}` has no path parameter"
    );
}

#[test]
fn constructs_already_refused_stay_located() {
    let cases = [
        // A 3.1-style type list.
        (format!("{GET_USERS}components:\n  schemas:\n    A: {{type: [string, 'null']}}\n"), "/components/schemas/A"),
        // A dangling reference, and an external one.
        (
            "paths: {}\ncomponents:\n  schemas:\n    A: {type: object, properties: {b: {$ref: '#/components/schemas/Nope'}}}\n".to_string(),
            "/components/schemas/A/properties/b/$ref: reference to missing schema `Nope`",
        ),
        (
            "paths: {}\ncomponents:\n  schemas:\n    A: {type: object, properties: {b: {$ref: 'other.yaml#/components/schemas/B'}}}\n".to_string(),
            "/components/schemas/A/properties/b/$ref: unsupported reference `other.yaml#/components/schemas/B`",
        ),
    ];
    for (yaml, expected) in cases {
        let msg = error(&yaml);
        assert!(
            msg.starts_with(&format!("{FILE}: ")) && msg.contains(expected),
            "{msg}"
        );
    }
}

#[test]
fn yaml_bombs_and_deep_nesting_are_refused_with_the_file_named() {
    let mut bomb = String::from("x-a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let prev = format!("*a{}", i - 1);
        bomb.push_str(&format!("x-a{i}: &a{i} [{}]\n", [prev.as_str(); 10].join(", ")));
    }
    bomb.push_str(GET_USERS);
    let msg = error(&bomb);
    assert!(msg.starts_with(&format!("{FILE}: ")), "{msg}");
    let deep = format!(
        "{GET_USERS}x-deep: {}{}\n",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let msg = error(&deep);
    assert!(msg.starts_with(&format!("{FILE}: ")), "{msg}");
}

#[test]
fn a_content_type_parameter_gives_way_to_the_content_type_setter() {
    let yaml = "paths:\n  /things:\n    post:\n      operationId: createThing\n      parameters: [{name: Content-Type, in: header, schema: {type: string}}]\n      requestBody:\n        content: {application/json: {schema: {type: object}}, application/xml: {schema: {type: object}}}\n      responses: {'200': {description: ok}}\n";
    let api = run(yaml).unwrap();
    let (_, op) = api.operations().next().unwrap();
    assert_eq!(op.params[0].rust.0, "content_type_arg");
    assert_eq!(
        api.warnings[0].message,
        "`content_type` is a setter of this request builder; the argument is named `content_type_arg`"
    );
    // Without alternative content types there is no setter, and no rename.
    let api = run(&yaml.replace(", application/xml: {schema: {type: object}}", "")).unwrap();
    assert_eq!(
        api.operations().next().unwrap().1.params[0].rust.0,
        "content_type"
    );
}

mod mutated_specs {
    use super::*;
    use proptest::prelude::*;
    use serde_json::Value;

    /// The bundled 1.9.0 spec as JSON, and the JSON pointer of every object in it.
    fn spec() -> &'static (Value, Vec<String>) {
        static SPEC: std::sync::OnceLock<(Value, Vec<String>)> = std::sync::OnceLock::new();
        SPEC.get_or_init(|| {
            let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
            let file = SourceFile {
                name: "spec/okta-1.9.0.yaml".into(),
                text: std::fs::read_to_string(root.join("spec/okta-1.9.0.yaml")).unwrap(),
            };
            let value = okta_codegen::load::parse_yaml(&file).unwrap();
            fn walk(v: &Value, at: String, out: &mut Vec<String>) {
                match v {
                    Value::Object(map) => {
                        for (k, child) in map {
                            walk(
                                child,
                                format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")),
                                out,
                            );
                        }
                        out.push(at);
                    }
                    Value::Array(items) => {
                        for (i, child) in items.iter().enumerate() {
                            walk(child, format!("{at}/{i}"), out);
                        }
                    }
                    _ => {}
                }
            }
            let mut objects = Vec::new();
            walk(&value, String::new(), &mut objects);
            (value, objects)
        })
    }

    /// One edit of an object in the spec.
    #[derive(Debug, Clone)]
    enum Mutation {
        DropKey(usize),
        Retype(usize, u8),
        RenameRef,
        DuplicateOperationId,
    }

    fn mutate(value: &mut Value, object: &str, mutation: &Mutation, objects: &[String]) {
        let Some(Value::Object(map)) = value.pointer_mut(object) else {
            return;
        };
        let keys: Vec<String> = map.keys().cloned().collect();
        match mutation {
            Mutation::DropKey(k) if !keys.is_empty() => {
                map.shift_remove(&keys[k % keys.len()]);
            }
            Mutation::Retype(k, t) if !keys.is_empty() => {
                let new = match t % 5 {
                    0 => Value::String("x".into()),
                    1 => Value::from(1),
                    2 => Value::Array(vec![]),
                    3 => Value::Object(Default::default()),
                    _ => Value::Null,
                };
                map.insert(keys[k % keys.len()].clone(), new);
            }
            Mutation::RenameRef => {
                if let Some(Value::String(r)) = map.get_mut("$ref") {
                    r.push_str("Renamed");
                }
            }
            Mutation::DuplicateOperationId if map.contains_key("operationId") => {
                let other = objects
                    .iter()
                    .filter(|p| p.as_str() != object)
                    .find_map(|p| spec().0.pointer(p)?.get("operationId").cloned());
                if let Some(other) = other {
                    map.insert("operationId".into(), other);
                }
            }
            _ => {}
        }
    }

    fn mutation() -> impl Strategy<Value = Mutation> {
        prop_oneof![
            any::<usize>().prop_map(Mutation::DropKey),
            (any::<usize>(), any::<u8>()).prop_map(|(k, t)| Mutation::Retype(k, t)),
            Just(Mutation::RenameRef),
            Just(Mutation::DuplicateOperationId),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

        /// Whatever is dropped, retyped, renamed or duplicated, the outcome
        /// is emitted code or a located error: never a panic.
        #[test]
        fn any_mutation_of_the_bundled_spec_is_ok_or_located(
            edits in proptest::collection::vec((any::<proptest::sample::Index>(), mutation()), 1..4)
        ) {
            let (original, objects) = spec();
            let mut value = original.clone();
            for (index, mutation) in &edits {
                let object = index.get(objects);
                mutate(&mut value, object, mutation, objects);
            }
            let text = serde_json::to_string(&value).unwrap();
            let spec = SourceFile { name: FILE.into(), text };
            let outcome = std::thread::Builder::new()
                .stack_size(8 * 1024 * 1024)
                .spawn(move || {
                    let api = load(&spec, &[]).and_then(|l| normalize(&l, "legacy", false))?;
                    okta_codegen::emit::emit(&api).map(|_| ())
                })
                .unwrap()
                .join();
            match outcome {
                Err(_) => prop_assert!(false, "the generator panicked on {edits:?}"),
                Ok(Ok(())) => {}
                Ok(Err(Error::Spec { .. })) => {}
                Ok(Err(other)) => prop_assert!(false, "not a located error: {other} for {edits:?}"),
            }
        }
    }
}

/// The spec `codegen/tests/specs/hostile/<name>` (which the compile test
/// also builds): its IR, and its warnings as `pointer: message`.
fn fixture(name: &str) -> (Api, Vec<String>) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/specs/hostile")
        .join(name);
    let text = std::fs::read_to_string(path).unwrap();
    let yaml = text.split_once("\ninfo:").map(|(_, rest)| rest).unwrap();
    let api = run(&format!("x-info:{yaml}")).unwrap();
    let warnings = api
        .warnings
        .iter()
        .map(|w| format!("{}: {}", w.pointer, w.message))
        .collect();
    (api, warnings)
}

#[test]
fn tags_equal_once_cased_get_their_own_module_and_handle() {
    let (api, warnings) = fixture("tag_collisions.yaml");
    let tags: Vec<(&str, &str, &str)> = api
        .tags
        .iter()
        .map(|t| (t.wire.as_str(), t.module.0.as_str(), t.handle.0.as_str()))
        .collect();
    assert_eq!(
        tags,
        [
            ("User", "user", "UserApi"),
            ("user", "user2", "UserApi2"),
            ("User Factor", "user_factor", "UserFactorApi"),
            ("UserFactor", "user_factor2", "UserFactorApi2"),
        ]
    );
    assert_eq!(
        warnings,
        [
            "/paths/~1d/get/tags/0: tag `UserFactor` names the same module as another tag; it is `user_factor2` with `UserFactorApi2`",
            "/paths/~1b/get/tags/0: tag `user` names the same module as another tag; it is `user2` with `UserApi2`",
        ]
    );
}

#[test]
fn names_the_handle_uses_and_self_stay_usable() {
    let (api, warnings) = fixture("handle_names.yaml");
    let ops: Vec<(&str, &str)> = api
        .operations()
        .map(|(_, o)| (o.method_name.0.as_str(), o.builder.0.as_str()))
        .collect();
    assert!(ops.contains(&("new_operation", "New")), "{ops:?}");
    assert!(ops.contains(&("user_api", "UserApiRequest")), "{ops:?}");
    assert!(
        warnings
            .iter()
            .any(|w| w.ends_with("`new` is a name the API handle uses; the method is `new_operation`")),
        "{warnings:?}"
    );
    assert!(
        warnings.iter().any(|w| w.ends_with(
            "the request builder would be named like its handle `UserApi`; it is `UserApiRequest`"
        )),
        "{warnings:?}"
    );

    let (api, _) = fixture("keyword_collisions.yaml");
    let names: Vec<&str> = api.models.iter().map(|m| m.name.0.as_str()).collect();
    assert!(
        names.iter().all(|n| !n.trim_end_matches('_').contains('_')),
        "{names:?}"
    );
    let handles: Vec<&str> = api.tags.iter().map(|t| t.handle.0.as_str()).collect();
    assert!(handles.contains(&"SelfApi"), "{handles:?}");
}

#[test]
fn parameters_without_a_text_form_are_taken_as_strings_with_a_warning() {
    let (api, warnings) = fixture("structured_parameters.yaml");
    for (_, op) in api.operations() {
        for p in &op.params {
            assert!(
                !matches!(
                    p.ty,
                    okta_codegen::ir::TypeRef::Map(_) | okta_codegen::ir::TypeRef::Bytes
                ),
                "{}: {:?}",
                p.wire,
                p.ty
            );
        }
    }
    let taken: Vec<&String> = warnings
        .iter()
        .filter(|w| w.contains("has no text form"))
        .collect();
    assert!(taken.len() >= 3, "{warnings:?}");
    assert!(taken.iter().any(|w| w.contains("is a map")), "{taken:?}");
    assert!(taken.iter().any(|w| w.contains("is binary")), "{taken:?}");
}
