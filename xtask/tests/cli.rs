//! `cargo xtask generate` on a workspace whose spec is broken: it exits
//! non-zero, names the file, the JSON pointer and the problem, and writes
//! nothing.

use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// A copy of the bundled specs under a fresh directory, with `edit` applied
/// to the 1.9.0 spec.
fn broken_copy(name: &str, edit: impl Fn(String) -> String) -> PathBuf {
    let root = std::env::temp_dir().join(format!("xtask-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(root.join("spec/overlays")).unwrap();
    std::fs::create_dir_all(root.join("okta-api")).unwrap();
    for dir in ["spec", "spec/overlays"] {
        for entry in std::fs::read_dir(workspace().join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.is_file() {
                std::fs::copy(&path, root.join(dir).join(path.file_name().unwrap())).unwrap();
            }
        }
    }
    // Its features block is generated; the rest is read.
    std::fs::copy(
        workspace().join("okta-api/Cargo.toml"),
        root.join("okta-api/Cargo.toml"),
    )
    .unwrap();
    let spec = std::fs::read_to_string(workspace().join("spec/okta-1.9.0.yaml")).unwrap();
    let edited = edit(spec.clone());
    assert_ne!(edited, spec, "the edit must change the spec");
    std::fs::write(root.join("spec/okta-1.9.0.yaml"), edited).unwrap();
    root
}

fn generate(root: &Path) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["generate", "--root"])
        .arg(root)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn assert_fails_without_writing(name: &str, edit: impl Fn(String) -> String, expected: &str) {
    let root = broken_copy(name, edit);
    let (ok, stderr) = generate(&root);
    assert!(!ok, "generate must fail:\n{stderr}");
    assert!(stderr.contains(expected), "expected `{expected}` in:\n{stderr}");
    for module in xtask::MODULES {
        let dir = root.join(okta_codegen::output_dir(module.module));
        assert!(!dir.exists(), "nothing may be written: {}", dir.display());
    }
    assert!(!root.join("okta-api/docs").exists(), "nothing may be written");
    assert!(!root.join("tests").exists(), "nothing may be written");
    let manifest = std::fs::read_to_string(root.join("okta-api/Cargo.toml")).unwrap();
    assert_eq!(
        manifest,
        std::fs::read_to_string(workspace().join("okta-api/Cargo.toml")).unwrap()
    );
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn dangling_ref() {
    assert_fails_without_writing(
        "ref",
        |s| s.replacen("$ref: \"#/components/schemas/UserProfile\"", "$ref: \"#/components/schemas/UserProfil\"", 1),
        "error: spec/okta-1.9.0.yaml: /components/schemas/User/properties/profile/$ref: reference to missing schema `UserProfil`",
    );
}

#[test]
fn discriminator_mapping_to_a_missing_schema() {
    assert_fails_without_writing(
        "mapping",
        |s| s.replacen("BOOKMARK: \"#/definitions/BookmarkApplication\"", "BOOKMARK: \"#/definitions/BookmarkApp\"", 1),
        "error: spec/okta-1.9.0.yaml: /components/schemas/Application/x-openapi-v3-discriminator/mapping/BOOKMARK: reference to missing schema `BookmarkApp`",
    );
}

#[test]
fn crud_entry_naming_a_missing_operation() {
    assert_fails_without_writing(
        "crud",
        |s| s.replacen("operationId: deleteGroup\n      x-okta-operations", "operationId: deleteGroupz\n      x-okta-operations", 1),
        "error: spec/okta-1.9.0.yaml: /components/schemas/Group/x-okta-crud/1/operationId: `deleteGroupz` is not an operationId of this spec",
    );
}

#[test]
fn generate_then_check_on_a_clean_copy() {
    let root = broken_copy("clean", |s| s + "\n");
    let (ok, stderr) = generate(&root);
    assert!(ok, "{stderr}");
    assert!(root.join("okta-api-legacy/src/models/user.rs").exists());
    let check = |root: &Path| {
        Command::new(env!("CARGO_BIN_EXE_xtask"))
            .args(["check", "--root"])
            .arg(root)
            .output()
            .unwrap()
    };
    assert!(check(&root).status.success());
    std::fs::write(
        root.join("okta-api-legacy/src/models/user.rs"),
        "// edited by hand\n",
    )
    .unwrap();
    let out = check(&root);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("differs: okta-api-legacy/src/models/user.rs:1"),
        "{stderr}"
    );
    assert!(stderr.contains("run `cargo xtask generate`"), "{stderr}");
    std::fs::remove_dir_all(&root).unwrap();
}
