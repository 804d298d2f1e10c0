//! Streaming JSONL scan for `pai-admin scan`: `{"id","text"}` in, `{"id","entities":[...]}` out.
use super::jsonl::answer_lines;
use super::ProtectionEngine;
use serde::Serialize;
use std::io::{self, BufRead, Write};

/// Counts of one scan run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ScanStats {
    pub lines: u64,
    pub scanned: u64,
    pub errors: u64,
    pub entities: u64,
}

#[derive(Serialize)]
struct OutEntity<'a> {
    #[serde(rename = "type")]
    entity_type: &'a str,
    start: usize,
    end: usize,
    score: f64,
}

/// Reads JSON lines `{"id": <any JSON>, "text": "<string>"}` and writes one line per input line:
/// `{"id", "entities":[{"type","start","end","score"}]}` with character offsets, or
/// `{"id", "error"}` for a line that is not such an object (`id` is null when it cannot be read).
/// Blank lines are skipped. Output is flushed per line so the stream can be piped.
pub fn scan_jsonl(
    engine: &ProtectionEngine,
    threshold: f64,
    input: impl BufRead,
    output: impl Write,
) -> io::Result<ScanStats> {
    let (mut scanned, mut found) = (0u64, 0u64);
    let counts = answer_lines(input, output, |item| {
        let entities = engine.discover(&item.text, threshold);
        scanned += 1;
        found += entities.len() as u64;
        let out: Vec<OutEntity<'_>> = entities
            .iter()
            .map(|e| OutEntity {
                entity_type: &e.entity_type,
                start: e.start,
                end: e.end,
                score: e.score,
            })
            .collect();
        serde_json::json!({"id": item.id, "entities": out})
    })?;
    Ok(ScanStats {
        lines: counts.lines,
        scanned,
        errors: counts.errors,
        entities: found,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protection::ProtectionConfig;
    use serde_json::Value;

    #[test]
    fn streams_entities_and_reports_bad_lines() {
        let engine = ProtectionEngine::new(ProtectionConfig::default()).unwrap();
        let input = concat!(
            "{\"id\":\"a\",\"text\":\"東京 mail jane@example.com\"}\n",
            "\n",
            "not json\n",
            "{\"id\":7,\"text\":42}\n",
            "{\"id\":\"b\",\"text\":\"nothing here\"}\n",
            "{\"text\":\"no id\"}\n",
        );
        let mut out = Vec::new();
        let stats = scan_jsonl(&engine, 0.6, input.as_bytes(), &mut out).unwrap();
        let lines: Vec<Value> = String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 5);
        assert_eq!(lines[0]["id"], "a");
        let email = lines[0]["entities"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["type"] == "EMAIL")
            .unwrap();
        assert_eq!(
            (email["start"].as_u64(), email["end"].as_u64()),
            (Some(8), Some(24))
        );
        assert_eq!(lines[1]["id"], Value::Null);
        assert!(lines[1]["error"].as_str().unwrap().contains("JSON"));
        assert_eq!(lines[2]["id"], 7);
        assert!(lines[2].get("error").is_some());
        assert_eq!(lines[3]["entities"], serde_json::json!([]));
        assert!(lines[4].get("error").is_some());
        assert_eq!(
            stats,
            ScanStats {
                lines: 5,
                scanned: 2,
                errors: 3,
                entities: stats.entities
            }
        );
        assert!(stats.entities >= 1);
    }

    #[test]
    fn invalid_utf8_line_is_an_error_line_not_a_failure() {
        let engine = ProtectionEngine::new(ProtectionConfig::default()).unwrap();
        let mut input = b"{\"id\":1,\"text\":\"ok\"}\n".to_vec();
        input.extend_from_slice(&[0xff, 0xfe, b'\n']);
        input.extend_from_slice(b"{\"id\":2,\"text\":\"ok\"}\n");
        let mut out = Vec::new();
        let stats = scan_jsonl(&engine, 0.6, input.as_slice(), &mut out).unwrap();
        assert_eq!(stats.errors, 1);
        assert_eq!(String::from_utf8(out).unwrap().lines().count(), 3);
    }
}
