//! Streaming JSONL scan for `pai-admin scan`: `{"id","text"}` in, `{"id","entities":[...]}` out.
use super::ProtectionEngine;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::io::{self, BufRead, Write};

/// Counts of one scan run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ScanStats {
    pub lines: u64,
    pub scanned: u64,
    pub errors: u64,
    pub entities: u64,
}

#[derive(Deserialize)]
struct InLine {
    id: Value,
    text: String,
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
    mut output: impl Write,
) -> io::Result<ScanStats> {
    let mut stats = ScanStats::default();
    let mut input = input;
    let mut buf = Vec::new();
    loop {
        buf.clear();
        if input.read_until(b'\n', &mut buf)? == 0 {
            break;
        }
        let Ok(line) = std::str::from_utf8(&buf) else {
            stats.lines += 1;
            stats.errors += 1;
            write_line(
                &mut output,
                &serde_json::json!({"id": null, "error": "line is not valid UTF-8"}),
            )?;
            continue;
        };
        let line = line.trim_end_matches(['\n', '\r']);
        if line.trim().is_empty() {
            continue;
        }
        stats.lines += 1;
        let parsed: Result<InLine, _> = serde_json::from_str(line);
        match parsed {
            Ok(item) => {
                let entities = engine.discover(&item.text, threshold);
                stats.scanned += 1;
                stats.entities += entities.len() as u64;
                let out: Vec<OutEntity<'_>> = entities
                    .iter()
                    .map(|e| OutEntity {
                        entity_type: &e.entity_type,
                        start: e.start,
                        end: e.end,
                        score: e.score,
                    })
                    .collect();
                write_line(
                    &mut output,
                    &serde_json::json!({"id": item.id, "entities": out}),
                )?;
            }
            Err(e) => {
                stats.errors += 1;
                let id = serde_json::from_str::<Value>(line)
                    .ok()
                    .and_then(|v| v.get("id").cloned())
                    .unwrap_or(Value::Null);
                // serde's message names the problem (missing field, wrong type) without echoing text.
                let reason = if e.is_syntax() || e.is_eof() {
                    "line is not valid JSON".to_owned()
                } else {
                    format!("expected {{\"id\",\"text\"}}: {e}")
                };
                write_line(&mut output, &serde_json::json!({"id": id, "error": reason}))?;
            }
        }
    }
    output.flush()?;
    Ok(stats)
}

fn write_line(output: &mut impl Write, value: &Value) -> io::Result<()> {
    serde_json::to_writer(&mut *output, value)?;
    output.write_all(b"\n")?;
    output.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protection::ProtectionConfig;

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
