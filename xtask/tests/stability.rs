//! Generated names survive upstream releases:
//! - a Management spec whose schemas, paths, `oneOf` lists and properties
//!   are shuffled generates the same public names and the same files, apart
//!   from the order of listings;
//! - the older Management release (2025.08.0) and the current one name
//!   every schema, property, variant and operation they both have alike:
//!   each difference is an upstream addition or removal, never a rename.

use std::collections::{BTreeMap, BTreeSet};

use okta_codegen::ir::{Api, ModelKind, Origin};
use okta_codegen::{Inputs, ModuleInput, SourceFile};
use serde_yaml::Value;
use xtask::{module_input, read, workspace_root, CRATE_MANIFEST, MODULES};

fn management() -> ModuleInput {
    let module = MODULES.iter().find(|m| m.module == "management").unwrap();
    module_input(&workspace_root(), module).unwrap()
}

/// A small deterministic generator (xorshift), so a failure reproduces.
struct Shuffler(u64);

impl Shuffler {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            items.swap(i, j);
        }
    }

    fn shuffle_map(&mut self, map: &mut serde_yaml::Mapping) {
        let mut entries: Vec<(Value, Value)> = std::mem::take(map).into_iter().collect();
        self.shuffle(&mut entries);
        map.extend(entries);
    }

    /// Shuffles, at any depth, every `oneOf` / `anyOf` list and every
    /// `properties` map, and at the top the schemas and the paths.
    fn walk(&mut self, value: &mut Value, depth: usize) {
        match value {
            Value::Mapping(map) => {
                for (key, child) in map.iter_mut() {
                    match (key.as_str(), child) {
                        (Some("oneOf" | "anyOf"), Value::Sequence(items)) => self.shuffle(items),
                        (Some("properties" | "paths" | "schemas"), Value::Mapping(m)) if depth < 64 => {
                            self.shuffle_map(m)
                        }
                        _ => {}
                    }
                }
                for child in map.values_mut() {
                    self.walk(child, depth + 1);
                }
            }
            Value::Sequence(items) => items.iter_mut().for_each(|v| self.walk(v, depth + 1)),
            _ => {}
        }
    }
}

fn generate(module: ModuleInput) -> BTreeMap<String, String> {
    let inputs = Inputs {
        modules: vec![module],
        manifest: read(&workspace_root(), CRATE_MANIFEST).unwrap(),
    };
    okta_codegen::generate(&inputs).unwrap().files
}

/// The lines of a file, sorted, with the positions in pointers into a
/// `oneOf` / `anyOf` list (`.../oneOf/3`) left out: a schema's pointer is
/// where it stands, and the shuffle moves it.
fn sorted_lines(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = text.lines().map(without_list_positions).collect();
    lines.sort_unstable();
    lines
}

fn without_list_positions(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(end) = ["/oneOf/", "/anyOf/"]
        .iter()
        .filter_map(|m| rest.find(m).map(|i| i + m.len()))
        .min()
    {
        out.push_str(&rest[..end]);
        out.push('*');
        rest = rest[end..].trim_start_matches(|c: char| c.is_ascii_digit());
    }
    out.push_str(rest);
    out
}

#[test]
fn a_shuffled_spec_generates_the_same_names_and_files() {
    let original = management();
    let before = generate(original.clone());
    for seed in [0x9E37_79B9_7F4A_7C15_u64, 0x2545_F491_4F6C_DD1D] {
        let mut spec: Value = serde_yaml::from_str(&original.spec.text).unwrap();
        Shuffler(seed).walk(&mut spec, 0);
        let shuffled = ModuleInput {
            spec: SourceFile {
                name: original.spec.name.clone(),
                text: serde_yaml::to_string(&spec).unwrap(),
            },
            ..original.clone()
        };
        assert_ne!(shuffled.spec.text, original.spec.text);
        let after = generate(shuffled);
        let paths = |files: &BTreeMap<String, String>| files.keys().cloned().collect::<BTreeSet<_>>();
        assert_eq!(paths(&before), paths(&after), "seed {seed:#x}: the files differ");
        let surface = "okta-api/docs/management/surface.txt";
        let (b, a): (BTreeSet<&str>, BTreeSet<&str>) = (
            before[surface].lines().collect(),
            after[surface].lines().collect(),
        );
        assert!(
            a == b,
            "seed {seed:#x}: the public surface differs:\n  only before: {:?}\n  only after: {:?}",
            b.difference(&a).take(10).collect::<Vec<_>>(),
            a.difference(&b).take(10).collect::<Vec<_>>()
        );
        let differing: Vec<&String> = before
            .iter()
            .filter(|(path, text)| sorted_lines(text) != sorted_lines(&after[*path]))
            .map(|(path, _)| path)
            .collect();
        let examples: Vec<String> = differing
            .iter()
            .take(5)
            .map(|path| {
                let (b, a) = (sorted_lines(&before[*path]), sorted_lines(&after[*path]));
                let only_before: Vec<&String> = b.iter().filter(|l| !a.contains(l)).take(3).collect();
                let only_after: Vec<&String> = a.iter().filter(|l| !b.contains(l)).take(3).collect();
                format!("{path}:\n  before: {only_before:?}\n  after: {only_after:?}")
            })
            .collect();
        assert!(
            differing.is_empty(),
            "seed {seed:#x}: {} files differ in more than the order of their lines, e.g.\n{}",
            differing.len(),
            examples.join("\n")
        );
    }
}

/// What a release names, keyed by what the spec calls it.
#[derive(Default)]
struct Names {
    /// Schema pointer -> Rust type.
    types: BTreeMap<String, String>,
    /// (type, wire property) -> Rust field.
    fields: BTreeMap<(String, String), String>,
    /// (type, alternative's type, or enum wire value) -> Rust variant.
    variants: BTreeMap<(String, String), String>,
    /// operationId -> module::Handle::method.
    operations: BTreeMap<String, String>,
}

fn names(api: &Api) -> Names {
    let mut n = Names::default();
    for m in &api.models {
        let ty = m.name.0.clone();
        // A union and the struct of its unknown subtypes share a pointer.
        let key = match m.origin {
            Origin::Fallback => format!("{} (fallback)", m.pointer),
            _ => m.pointer.0.clone(),
        };
        n.types.insert(key, ty.clone());
        match &m.kind {
            ModelKind::Struct(s) => {
                for f in &s.fields {
                    n.fields.insert((ty.clone(), f.wire.0.clone()), f.rust.0.clone());
                }
            }
            ModelKind::Enum(e) => {
                for v in &e.values {
                    n.variants.insert((ty.clone(), v.wire.clone()), v.rust.0.clone());
                }
            }
            ModelKind::Union(u) => {
                for v in &u.variants {
                    n.variants.insert((ty.clone(), v.ty.0.clone()), v.rust.0.clone());
                }
            }
            ModelKind::OneOf(o) => {
                for a in &o.variants {
                    n.variants
                        .insert((ty.clone(), format!("{:?}", a.ty)), a.name.0.clone());
                }
            }
            ModelKind::Alias(_) => {}
        }
    }
    for (tag, op) in api.operations() {
        n.operations.insert(
            op.id.0.clone(),
            format!("{}::{}::{}", tag.module, tag.handle, op.method_name),
        );
    }
    n
}

/// Entries both releases have under the same key but name differently
/// (renames), and how many keys only one release has (upstream changes).
fn compare<K: Ord + std::fmt::Debug>(
    what: &str,
    old: &BTreeMap<K, String>,
    new: &BTreeMap<K, String>,
    renames: &mut Vec<String>,
) -> (usize, usize) {
    for (key, old_name) in old {
        if let Some(new_name) = new.get(key).filter(|n| *n != old_name) {
            renames.push(format!("{what} {key:?}: {old_name} -> {new_name}"));
        }
    }
    let gone = old.keys().filter(|k| !new.contains_key(*k)).count();
    let added = new.keys().filter(|k| !old.contains_key(*k)).count();
    println!("{what}: {gone} only in 2025.08.0, {added} only in 2026.06.3 (upstream removals and additions)");
    (gone, added)
}

#[test]
fn the_previous_release_names_what_both_releases_have_alike() {
    let current = management();
    let older = ModuleInput {
        spec: read(&workspace_root(), "spec/okta-management-2025.08.0.yaml").unwrap(),
        // The overlay patches the current release; both are read without it.
        overlays: Vec::new(),
        ..current.clone()
    };
    let current = ModuleInput {
        overlays: Vec::new(),
        ..current
    };
    let old = names(&okta_codegen::load_api(&older).unwrap());
    let new = names(&okta_codegen::load_api(&current).unwrap());
    let mut renames = Vec::new();
    let (gone, added) = compare("type", &old.types, &new.types, &mut renames);
    assert!(
        gone + added > 0,
        "the releases differ, so the comparison must see it"
    );
    compare("field", &old.fields, &new.fields, &mut renames);
    compare("variant", &old.variants, &new.variants, &mut renames);
    compare("operation", &old.operations, &new.operations, &mut renames);
    for r in &renames {
        println!("renamed: {r}");
    }
    assert!(
        renames.is_empty(),
        "{} names differ for what both releases have: {:#?}",
        renames.len(),
        &renames[..renames.len().min(20)]
    );
}
