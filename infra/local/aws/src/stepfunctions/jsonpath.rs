//! The reference-path subset of JSONPath that Amazon States Language fields use:
//! `$`, `$.a.b`, `$['a']`, `$["a"]`, `$.a[0]`, and the same rooted at `$$` (the context object).
//! Wildcards, filters, slices, unions and recursive descent are rejected at parse time.

use serde_json::{Map, Value};
use std::fmt;

/// What a path is evaluated against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Root {
    /// `$`: the state's input (or effective input, depending on the field).
    Input,
    /// `$$`: the context object.
    Context,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    Field(String),
    Index(usize),
}

/// A parsed reference path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Path {
    pub root: Root,
    pub segments: Vec<Segment>,
    text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid path '{path}': {reason}")]
pub struct PathError {
    pub path: String,
    pub reason: String,
}

/// Why a value could not be written at a path.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot set '{path}': {reason}")]
pub struct SetError {
    pub path: String,
    pub reason: String,
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Path {
    /// Parses a reference path. `$$...` is a context path.
    pub fn parse(text: &str) -> Result<Path, PathError> {
        let fail = |reason: &str| PathError {
            path: text.to_owned(),
            reason: reason.to_owned(),
        };
        let (root, rest) = if let Some(rest) = text.strip_prefix("$$") {
            (Root::Context, rest)
        } else if let Some(rest) = text.strip_prefix('$') {
            (Root::Input, rest)
        } else {
            return Err(fail("a path must start with '$'"));
        };
        let chars: Vec<char> = rest.chars().collect();
        let mut segments = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            match chars[i] {
                '.' => {
                    i += 1;
                    let start = i;
                    while i < chars.len() && chars[i] != '.' && chars[i] != '[' {
                        let c = chars[i];
                        if matches!(c, '*' | ']' | '\'' | '"' | '@' | '?' | '(' | ')' | ',')
                            || c.is_whitespace()
                        {
                            return Err(fail(&format!(
                                "unsupported character '{c}' (only plain reference paths are supported)"
                            )));
                        }
                        i += 1;
                    }
                    if i == start {
                        return Err(fail(
                            "empty field name (recursive descent '..' is not supported)",
                        ));
                    }
                    segments.push(Segment::Field(chars[start..i].iter().collect()));
                }
                '[' => {
                    i += 1;
                    match chars.get(i) {
                        Some(&quote @ ('\'' | '"')) => {
                            i += 1;
                            let start = i;
                            while i < chars.len() && chars[i] != quote {
                                i += 1;
                            }
                            if i >= chars.len() {
                                return Err(fail("unterminated quoted field name"));
                            }
                            let name: String = chars[start..i].iter().collect();
                            i += 1;
                            if chars.get(i) != Some(&']') {
                                return Err(fail("expected ']' after a quoted field name"));
                            }
                            i += 1;
                            segments.push(Segment::Field(name));
                        }
                        Some(c) if c.is_ascii_digit() => {
                            let start = i;
                            while i < chars.len() && chars[i].is_ascii_digit() {
                                i += 1;
                            }
                            if chars.get(i) != Some(&']') {
                                return Err(fail(
                                    "only a single non-negative index is supported in brackets",
                                ));
                            }
                            let digits: String = chars[start..i].iter().collect();
                            let index = digits
                                .parse::<usize>()
                                .map_err(|_| fail("array index out of range"))?;
                            i += 1;
                            segments.push(Segment::Index(index));
                        }
                        _ => {
                            return Err(fail(
                                "unsupported bracket expression (wildcards, filters, slices and negative indexes are not supported)",
                            ))
                        }
                    }
                }
                c => return Err(fail(&format!("unexpected character '{c}'"))),
            }
        }
        Ok(Path {
            root,
            segments,
            text: text.to_owned(),
        })
    }

    /// `$`: the whole input.
    pub fn input_root() -> Path {
        Path {
            root: Root::Input,
            segments: Vec::new(),
            text: "$".to_owned(),
        }
    }

    /// `$` (or `$$`) alone.
    pub fn is_root(&self) -> bool {
        self.segments.is_empty()
    }

    /// The value at this path in `value`, if every step exists.
    pub fn get<'a>(&self, value: &'a Value) -> Option<&'a Value> {
        let mut current = value;
        for segment in &self.segments {
            current = match (segment, current) {
                (Segment::Field(name), Value::Object(map)) => map.get(name)?,
                (Segment::Index(index), Value::Array(items)) => items.get(*index)?,
                _ => return None,
            };
        }
        Some(current)
    }

    /// Writes `new` at this path inside `target`, creating missing objects on the way
    /// (ResultPath semantics). `$` replaces `target` entirely.
    pub fn set(&self, target: &mut Value, new: Value) -> Result<(), SetError> {
        let fail = |reason: String| SetError {
            path: self.text.clone(),
            reason,
        };
        let Some((last, parents)) = self.segments.split_last() else {
            *target = new;
            return Ok(());
        };
        let mut current = target;
        for segment in parents {
            current = match segment {
                Segment::Field(name) => match current {
                    Value::Object(map) => map
                        .entry(name.clone())
                        .or_insert_with(|| Value::Object(Map::new())),
                    other => {
                        return Err(fail(format!(
                            "'{name}' cannot be added to a {}",
                            kind(other)
                        )))
                    }
                },
                Segment::Index(index) => match current {
                    Value::Array(items) => {
                        let len = items.len();
                        items.get_mut(*index).ok_or_else(|| {
                            fail(format!("index {index} is out of bounds (length {len})"))
                        })?
                    }
                    other => return Err(fail(format!("cannot index into a {}", kind(other)))),
                },
            };
        }
        match (last, current) {
            (Segment::Field(name), Value::Object(map)) => {
                map.insert(name.clone(), new);
                Ok(())
            }
            (Segment::Index(index), Value::Array(items)) => {
                let len = items.len();
                let slot = items.get_mut(*index).ok_or_else(|| {
                    fail(format!("index {index} is out of bounds (length {len})"))
                })?;
                *slot = new;
                Ok(())
            }
            (Segment::Field(name), other) => Err(fail(format!(
                "'{name}' cannot be added to a {}",
                kind(other)
            ))),
            (Segment::Index(_), other) => Err(fail(format!("cannot index into a {}", kind(other)))),
        }
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_dotted_bracketed_and_indexed_paths() {
        let path = Path::parse("$.a['b c'][\"d\"].e[2]").unwrap();
        assert_eq!(path.root, Root::Input);
        assert_eq!(
            path.segments,
            vec![
                Segment::Field("a".into()),
                Segment::Field("b c".into()),
                Segment::Field("d".into()),
                Segment::Field("e".into()),
                Segment::Index(2),
            ]
        );
        assert_eq!(path.to_string(), "$.a['b c'][\"d\"].e[2]");
        let context = Path::parse("$$.Map.Item.Value").unwrap();
        assert_eq!(context.root, Root::Context);
        assert!(Path::parse("$").unwrap().is_root());
        assert!(Path::parse("$$").unwrap().is_root());
    }

    #[test]
    fn rejects_non_reference_paths() {
        for bad in [
            "",
            "a.b",
            "$.a[*]",
            "$..a",
            "$.a[?(@.b)]",
            "$.a[-1]",
            "$.a[0:2]",
            "$.*",
            "$.",
            "$a",
            "$.a[0",
            "$['a'",
        ] {
            assert!(Path::parse(bad).is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn get_walks_objects_and_arrays() {
        let doc = json!({"a": {"b": [10, {"c": null}]}});
        let get = |p: &str| Path::parse(p).unwrap().get(&doc).cloned();
        assert_eq!(get("$.a.b[0]"), Some(json!(10)));
        assert_eq!(get("$.a.b[1].c"), Some(Value::Null));
        assert_eq!(get("$.a.b[2]"), None);
        assert_eq!(get("$.a.x"), None);
        assert_eq!(get("$.a.b.c"), None);
        assert_eq!(get("$"), Some(doc.clone()));
    }

    #[test]
    fn set_creates_objects_and_replaces_at_root() {
        let mut doc = json!({"keep": 1});
        Path::parse("$.x.y")
            .unwrap()
            .set(&mut doc, json!(2))
            .unwrap();
        assert_eq!(doc, json!({"keep": 1, "x": {"y": 2}}));
        Path::parse("$.keep")
            .unwrap()
            .set(&mut doc, json!("k"))
            .unwrap();
        assert_eq!(doc["keep"], json!("k"));
        Path::parse("$").unwrap().set(&mut doc, json!([1])).unwrap();
        assert_eq!(doc, json!([1]));
        Path::parse("$[0]")
            .unwrap()
            .set(&mut doc, json!(9))
            .unwrap();
        assert_eq!(doc, json!([9]));
    }

    #[test]
    fn set_into_a_scalar_fails() {
        let mut doc = json!({"a": "text"});
        let error = Path::parse("$.a.b")
            .unwrap()
            .set(&mut doc, json!(1))
            .unwrap_err();
        assert!(error.reason.contains("string"), "{error}");
        let mut scalar = json!(5);
        assert!(Path::parse("$.a")
            .unwrap()
            .set(&mut scalar, json!(1))
            .is_err());
        let mut arr = json!({"a": []});
        assert!(Path::parse("$.a[3]")
            .unwrap()
            .set(&mut arr, json!(1))
            .is_err());
    }
}
