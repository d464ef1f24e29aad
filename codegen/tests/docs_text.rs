//! Docs as a user reads them in an editor: spec prose (Markdown with HTML
//! in it) becomes plain Markdown with `render::doc_text`, the same for
//! rustdoc and the reference pages, and no generated file is left with an
//! HTML tag, an escaped entity or a filler sentence.

use std::path::{Path, PathBuf};

use okta_codegen::render::doc_text;

fn md(text: &str) -> String {
    doc_text(text)
}

#[test]
fn lifecycle_markers_become_notes() {
    assert_eq!(
        md(
            r#"<x-lifecycle-container><x-lifecycle class="ea"></x-lifecycle> <x-lifecycle class="oie"></x-lifecycle></x-lifecycle-container>Resource to manage trust"#
        ),
        "**Early Access**, **Identity Engine**: Resource to manage trust"
    );
    assert_eq!(
        md("<div class=\"x-lifecycle-container\"><x-lifecycle class=\"oie\"></x-lifecycle></div>\nIndicates which capabilities"),
        "**Identity Engine**\nIndicates which capabilities"
    );
    assert_eq!(md(r#"<x-lifecycle class="beta"></x-lifecycle>"#), "**Beta**");
    assert_eq!(
        md(r#"<x-lifecycle class="lea"></x-lifecycle> Text"#),
        "**Limited Early Access**: Text"
    );
    assert_eq!(
        md(r#"<ApiLifecycle access="ea"></ApiLifecycle>"#),
        "**Early Access**"
    );
    // An unknown class is named, a missing one still leaves a note.
    assert_eq!(
        md(r#"<x-lifecycle class="shiny"></x-lifecycle> Text"#),
        "**Lifecycle: shiny**: Text"
    );
    assert_eq!(md("<x-lifecycle></x-lifecycle>"), "**Lifecycle note**");
    // In the middle of a sentence a note is a word of it.
    assert_eq!(
        md(r#"for the `A`, or <x-lifecycle class="ea"></x-lifecycle> `B` policies"#),
        "for the `A`, or **Early Access** `B` policies"
    );
    assert_eq!(
        md(r#"- `x` (query): <x-lifecycle class="ea"></x-lifecycle>A parameter"#),
        "- `x` (query): **Early Access**: A parameter"
    );
    assert_eq!(
        md(r#"Text <x-lifecycle class="ea"></x-lifecycle>"#),
        "Text **Early Access**"
    );
}

#[test]
fn details_become_a_bold_summary() {
    let text = "#### Notes\n\n<details>\n<summary>Add a claim</summary>\n\n  Add a claim\n\n> **Note:** Use `replace`.\n</details>\n\n<details>\n<summary>Remove</summary>\nGone\n</details>";
    assert_eq!(
        md(text),
        "#### Notes\n\n**Add a claim**\n\nAdd a claim\n\n> **Note:** Use `replace`.\n\n**Remove**\n\nGone"
    );
}

#[test]
fn links_images_and_inline_markup() {
    assert_eq!(
        md(r#"See <a href="https://developer.okta.com/docs/x">the guide</a>."#),
        "See [the guide](https://developer.okta.com/docs/x)."
    );
    // A site-relative link points at Okta's developer site.
    assert_eq!(
        md(r#"<a href="/docs/guides/x">Guide</a>"#),
        "[Guide](https://developer.okta.com/docs/guides/x)"
    );
    assert_eq!(
        md("If [`sso.initiateLoginUri`](/openapi/okta/#op!path=sso&t=request) is set"),
        "If [`sso.initiateLoginUri`](https://developer.okta.com/openapi/okta/#op!path=sso&t=request) is set"
    );
    assert_eq!(md("<a>no target</a>"), "no target");
    assert_eq!(
        md(r#"<img alt="Example" src="https://developer.okta.com/img/status.png" width="1000"/>"#),
        "[Image: Example](https://developer.okta.com/img/status.png)"
    );
    assert_eq!(
        md(r#"<img src="https://x.test/a.png">"#),
        "[Image](https://x.test/a.png)"
    );
    assert_eq!(md(r#"<img alt="nowhere">"#), "");
    assert_eq!(
        md("Use <code>x</code>, <b>bold</b>, <strong>strong</strong>, <i>it</i> and <em>em</em>."),
        "Use `x`, **bold**, **strong**, *it* and *em*."
    );
    assert_eq!(md("<span style=\"x\">plain</span> <u>text</u>"), "plain text");
}

#[test]
fn breaks_paragraphs_and_lists() {
    assert_eq!(
        md("A localized message.<br>Either `a` or `b` is required."),
        "A localized message.\nEither `a` or `b` is required."
    );
    assert_eq!(md("One<br/>Two<br />Three"), "One\nTwo\nThree");
    assert_eq!(md("<p>One</p><p>Two</p>"), "One\n\nTwo");
    assert_eq!(
        md("Apps:<ul><li>A</li> <li>B</li></ul>Done"),
        "Apps:\n- A\n- B\n\nDone"
    );
    assert_eq!(
        md("<ol><li>first</li><li>second</li></ol>"),
        "1. first\n2. second"
    );
    assert_eq!(md("<h3>Title</h3>Body"), "### Title\n\nBody");
    // In a Markdown table row everything stays on the row.
    assert_eq!(
        md("| A | B |\n| --- | --- |\n| <div style=\"width:100px\">Token</div> | <ul><li>Org2Org (`okta_org2org`)</li> <li>Zscaler</li></ul> |"),
        "| A | B |\n| --- | --- |\n|  Token  |  Org2Org (`okta_org2org`); Zscaler  |"
    );
}

#[test]
fn entities_are_decoded() {
    assert_eq!(
        md("The **Platform&mdash;Multi-org** product&nbsp;works &amp; more"),
        "The **Platform—Multi-org** product works & more"
    );
    assert_eq!(md("&#39;quoted&#x27; &quot;q&quot;"), "'quoted' \"q\"");
    // Decoded brackets are text, not tags.
    assert_eq!(md("&lt;b&gt;not bold&lt;/b&gt;"), r"\<b>not bold\</b>");
    assert_eq!(md("AT&T; &unknown; & done"), r"AT\&T; \&unknown; & done");
}

#[test]
fn angle_brackets_in_text() {
    assert_eq!(md("a < b and c > d"), "a < b and c > d");
    assert_eq!(md("Replace <userId> here"), r"Replace \<userId> here");
    assert_eq!(md("`List<String>` stays"), "`List<String>` stays");
    assert_eq!(md("`<details>` is code"), "`<details>` is code");
    assert_eq!(md("See <https://x.test/a>."), "See <https://x.test/a>.");
    assert_eq!(
        md("https://<company-wiki-1> and https://x.test/b."),
        r"https://\<company-wiki-1> and <https://x.test/b>."
    );
    assert_eq!(md("a [b] c"), r"a \[b\] c");
}

#[test]
fn nasty_input() {
    assert_eq!(md(""), "");
    assert_eq!(md("   \n\n  "), "");
    assert_eq!(md("<br>"), "");
    // Unclosed tags keep their text.
    assert_eq!(md("<b>never closed"), "**never closed");
    assert_eq!(md(r#"<a href="https://x.test">open"#), r"\[open");
    assert_eq!(md("<details><summary>S"), "**S");
    // Broken tags are text.
    assert_eq!(md("<div class=\"x"), r#"\<div class="x"#);
    assert_eq!(md("<"), "<");
    assert_eq!(md("a <"), "a <");
    assert_eq!(md("x<!-- hidden -->y"), "xy");
    assert_eq!(md("x<!-- never closed"), "x");
    // Nested tags.
    assert_eq!(
        md("<ul><li><b>A</b><ul><li><code>b</code></li></ul></li></ul>"),
        "- **A**\n- `b`"
    );
    // CRLF and CR line endings.
    assert_eq!(md("one<br>\r\ntwo\r\rthree"), "one\n\ntwo\n\nthree");
    // No HTML tag of any kind survives.
    let soup = "<p><div><span><x-lifecycle class=\"ea\"></x-lifecycle><sup>1</sup></span></div></p><table><tr><td>c</td></tr></table><hr/>";
    let out = md(soup);
    assert!(!out.contains('<'), "{out}");
}

#[test]
fn code_blocks_are_kept_and_never_doctests() {
    assert_eq!(
        md("JSON:\n\n  ```\n  {\n    \"a\": [1]\n  }\n  ```\nAfter"),
        "JSON:\n\n```text\n{\n  \"a\": [1]\n}\n```\nAfter"
    );
    assert_eq!(md("```json\n<b>x</b>\n```"), "```json\n<b>x</b>\n```");
    assert_eq!(md("```rust\nfn main() {}\n```"), "```text\nfn main() {}\n```");
    // An unclosed block is closed.
    assert_eq!(md("```\nopen"), "```text\nopen\n```");
    // Inside a list item the block stays in the item.
    assert_eq!(md("- item\n  ```\n  x\n  ```"), "- item\n  ```text\n  x\n  ```");
}

/// What is wrong with one line of generated docs, if anything.
fn problem(line: &str) -> Option<&'static str> {
    for entity in ["&lt;", "&gt;", "&amp;", "&nbsp;", "&mdash;", "&quot;"] {
        if line.contains(entity) {
            return Some("an HTML entity");
        }
    }
    if filler(line) {
        return Some("a filler sentence");
    }
    // Code spans are code; what is left must hold no tag.
    let mut text = String::new();
    for (i, part) in line.split('`').enumerate() {
        if i % 2 == 0 {
            text.push_str(part);
        }
    }
    let bytes = text.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        if *b != b'<' || (i > 0 && bytes[i - 1] == b'\\') {
            continue;
        }
        let rest = &text[i + 1..];
        if rest.starts_with("http://") || rest.starts_with("https://") {
            continue;
        }
        if rest.starts_with(|c: char| c.is_ascii_alphabetic() || c == '/' || c == '!') {
            return Some("an HTML tag");
        }
    }
    None
}

/// "The `x` property." and "The `X` alternative.": the sentences once made
/// up for undescribed fields and one-of alternatives.
fn filler(line: &str) -> bool {
    let mut rest = line;
    while let Some(at) = rest.find("The `") {
        let after = &rest[at + 5..];
        if let Some(end) = after.find('`') {
            let tail = &after[end + 1..];
            if (tail.starts_with(" property.") || tail.starts_with(" alternative."))
                && !after[..end].contains(' ')
            {
                return true;
            }
        }
        rest = &rest[at + 5..];
    }
    false
}

#[test]
fn the_problem_finder_finds_problems() {
    assert_eq!(problem("/// The `id` property."), Some("a filler sentence"));
    assert_eq!(problem("/// The `V1` alternative."), Some("a filler sentence"));
    assert_eq!(
        problem(r#"/// &lt;x-lifecycle class="ea"&gt;"#),
        Some("an HTML entity")
    );
    assert_eq!(problem("/// <details>"), Some("an HTML tag"));
    assert_eq!(problem("<img src=\"a\">"), Some("an HTML tag"));
    assert_eq!(problem("/// </summary>"), Some("an HTML tag"));
    assert_eq!(problem(r"/// Replace \<userId> and `<code>`; a < b"), None);
    assert_eq!(problem("/// See <https://x.test>."), None);
    assert_eq!(problem("/// The `id` property is required."), None);
}

fn files(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, ext, out);
        } else if path.extension().is_some_and(|e| e == ext) {
            out.push(path);
        }
    }
}

/// Every generated file of the SDK (the crates `okta-api-<module>/`, `okta-api/docs/`): rustdoc (`///` and `//!` lines) and
/// Markdown pages (outside code blocks and the generated-file header).
#[test]
fn generated_docs_hold_no_html_and_no_filler() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    // The generated crates are the workspace's directories with a `src/models/` in them.
    let mut rust = Vec::new();
    for entry in std::fs::read_dir(&root).unwrap() {
        let dir = entry.unwrap().path();
        if dir.join("src/models").is_dir() {
            files(&dir.join("src"), "rs", &mut rust);
        }
    }
    let mut pages = Vec::new();
    files(&root.join("okta-api/docs"), "md", &mut pages);
    assert!(
        !rust.is_empty() && !pages.is_empty(),
        "no generated files under {}",
        root.display()
    );
    let mut found = Vec::new();
    for path in &rust {
        let text = std::fs::read_to_string(path).unwrap();
        let mut fence = false;
        for (n, line) in text.lines().enumerate() {
            let Some(doc) = line
                .trim_start()
                .strip_prefix("///")
                .or_else(|| line.trim_start().strip_prefix("//!"))
            else {
                continue;
            };
            if doc.trim_start().starts_with("```") {
                fence = !fence;
                continue;
            }
            if fence && !doc.contains("&lt;") && !doc.contains("&gt;") {
                continue;
            }
            if let Some(p) = problem(doc) {
                found.push(format!("{}:{}: {p}: {}", path.display(), n + 1, line.trim()));
            }
        }
    }
    for path in &pages {
        let text = std::fs::read_to_string(path).unwrap();
        let mut fence = false;
        for (n, line) in text.lines().enumerate() {
            if line.trim_start().starts_with("```") {
                fence = !fence;
                continue;
            }
            if fence || (line.starts_with("<!-- @generated") && line.ends_with("-->")) {
                continue;
            }
            if let Some(p) = problem(line) {
                found.push(format!("{}:{}: {p}: {}", path.display(), n + 1, line.trim()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "{} generated lines with HTML or filler (first 20):\n{}",
        found.len(),
        found.iter().take(20).cloned().collect::<Vec<_>>().join("\n")
    );
}
