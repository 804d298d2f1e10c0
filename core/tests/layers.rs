//! The layers of `core` depend one way: domain ← protection ← ports ← adapters / service ←
//! api ← bootstrap. This reads every module's non-test source and fails on any `crate::<layer>`
//! reference that points the wrong way.
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Each layer and the layers it may use (besides itself).
const ALLOWED: &[(&str, &[&str])] = &[
    ("config", &[]),
    ("domain", &[]),
    ("protection", &["domain"]),
    ("ports", &["domain", "protection"]),
    ("adapters", &["domain", "protection", "ports", "config"]),
    ("service", &["domain", "protection", "ports", "config"]),
    (
        "api",
        &["domain", "protection", "ports", "service", "config"],
    ),
    (
        "bootstrap",
        &[
            "domain",
            "protection",
            "ports",
            "adapters",
            "service",
            "config",
        ],
    ),
];

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The layer a source file belongs to: its first path component under `src/`.
fn layer_of(src: &Path, file: &Path) -> Option<String> {
    let relative = file.strip_prefix(src).ok()?;
    let first = relative.components().next()?.as_os_str().to_str()?;
    Some(first.trim_end_matches(".rs").to_owned())
}

/// The source without its test code: test-only files are skipped by the caller, and an inline
/// `#[cfg(test)] mod tests { ... }` is cut (it is the last item of a module by convention).
fn non_test_code(source: &str) -> &str {
    match source.find("#[cfg(test)]\nmod tests {") {
        Some(at) => &source[..at],
        None => source,
    }
}

/// The layers a source refers to through `crate::<name>`.
fn referenced_layers(source: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for (at, _) in source.match_indices("crate::") {
        let before = source[..at].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue; // e.g. `pai_core::` or `async_trait::` – not ours
        }
        let name: String = source[at + "crate::".len()..]
            .chars()
            .take_while(|c| c.is_ascii_lowercase() || *c == '_')
            .collect();
        if !name.is_empty() {
            found.insert(name);
        }
    }
    found
}

#[test]
fn every_layer_depends_only_on_the_layers_below_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    assert!(files.len() > 50, "found only {} source files", files.len());
    let mut violations = Vec::new();
    for file in &files {
        let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name == "tests.rs" || name == "testing.rs" || name == "lib.rs" {
            continue;
        }
        let Some(layer) = layer_of(&src, file) else {
            continue;
        };
        let Some((_, allowed)) = ALLOWED.iter().find(|(l, _)| *l == layer) else {
            violations.push(format!(
                "{}: layer {layer:?} is not in ALLOWED",
                file.display()
            ));
            continue;
        };
        let source = std::fs::read_to_string(file).unwrap_or_default();
        for used in referenced_layers(non_test_code(&source)) {
            if used != layer && !allowed.contains(&used.as_str()) {
                violations.push(format!("{}: {layer} uses crate::{used}", file.display()));
            }
        }
    }
    assert!(
        violations.is_empty(),
        "layering violations:\n{}",
        violations.join("\n")
    );
}

#[test]
fn the_check_sees_a_wrong_way_reference() {
    let source = "use crate::adapters::dynamo::DynamoStore;\nuse pai_core::api::x;\n#[cfg(test)]\nmod tests {\n use crate::api::ApiError;\n}";
    let used = referenced_layers(non_test_code(source));
    assert_eq!(used.into_iter().collect::<Vec<_>>(), ["adapters"]);
}
