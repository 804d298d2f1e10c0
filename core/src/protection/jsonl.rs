//! The JSONL stream both offline commands read (`pai-admin scan`, `pai-admin guard`):
//! `{"id": <any JSON>, "text": "<string>"}` lines in, one JSON line out per line in, flushed so
//! the stream can be piped. A line that is not such an object gets `{"id","error"}` (`id` null
//! when it cannot be read); the text is never echoed. Blank lines are skipped.
use serde::Deserialize;
use serde_json::Value;
use std::io::{self, BufRead, Write};

/// One input line.
#[derive(Deserialize)]
pub struct InLine {
    pub id: Value,
    pub text: String,
}

/// How many lines were read and how many of them were not `{"id","text"}` objects.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LineCounts {
    pub lines: u64,
    pub errors: u64,
}

/// Calls `answer` for every good line and writes what it returns; writes the error line for
/// every bad one.
pub fn answer_lines(
    mut input: impl BufRead,
    mut output: impl Write,
    mut answer: impl FnMut(InLine) -> Value,
) -> io::Result<LineCounts> {
    let mut counts = LineCounts::default();
    let mut buf = Vec::new();
    loop {
        buf.clear();
        if input.read_until(b'\n', &mut buf)? == 0 {
            break;
        }
        let Ok(line) = std::str::from_utf8(&buf) else {
            counts.lines += 1;
            counts.errors += 1;
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
        counts.lines += 1;
        match serde_json::from_str::<InLine>(line) {
            Ok(item) => write_line(&mut output, &answer(item))?,
            Err(e) => {
                counts.errors += 1;
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
    Ok(counts)
}

fn write_line(output: &mut impl Write, value: &Value) -> io::Result<()> {
    serde_json::to_writer(&mut *output, value)?;
    output.write_all(b"\n")?;
    output.flush()
}
