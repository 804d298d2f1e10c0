//! The five protection tools an agent may offer to a model. A tool runs only when the agent
//! lists it and the user's role allows it. What goes back to the model is limited to what the
//! model already had: `protegrity-unprotect` shows the restored values to the user only.
use crate::domain::catalog::{Agent, Catalog};
use crate::domain::protection_report::ToolResult;
use crate::domain::role::Role;
use crate::domain::sensitive::Sensitive;
use crate::ports::{ToolCall, ToolSpec};
use crate::protection::pipeline::discovery_of;
use crate::protection::redact::{redact, replace_entities};
use crate::protection::ProtectionEngine;
use crate::protection::TokenContext;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// A tool result as sent back to the model.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ToolMessage {
    pub call_id: String,
    pub content: Sensitive<String>,
}

/// One round of tool calls: what the model asked, the results for the user
/// (`{"call_id","tool_name","output"|"error"}`) and the results for the model.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ToolRound {
    #[serde(default)]
    pub calls: Vec<ToolCall>,
    #[serde(default)]
    pub results: Vec<ToolResult>,
    #[serde(default)]
    pub for_model: Vec<ToolMessage>,
}

/// Tools `agent` may offer to a user with `role`.
pub fn offered(catalog: &Catalog, agent: Option<&Agent>, role: Role) -> Vec<ToolSpec> {
    let Some(agent) = agent else {
        return Vec::new();
    };
    agent
        .tools
        .iter()
        .filter_map(|id| catalog.tool(id))
        .filter(|t| t.is_active && role.allows(t.min_role))
        .map(|t| ToolSpec {
            name: t.id.clone(),
            description: t.description.clone(),
            parameters: t
                .function_schema
                .get("parameters")
                .cloned()
                .unwrap_or_else(|| json!({"type": "object"})),
        })
        .collect()
}

enum Outcome {
    /// Output for the user and, separately, for the model.
    Done {
        user: Value,
        model: Value,
    },
    Failed(String),
}

fn execute(
    engine: &ProtectionEngine,
    tool: &str,
    arguments: &Value,
    tokens: &mut TokenContext,
) -> Outcome {
    let Some(text) = arguments.get("text").and_then(Value::as_str) else {
        return Outcome::Failed("Missing required argument: text".into());
    };
    let threshold = engine.config().input_classification_threshold;
    match tool {
        "protegrity-redact" => {
            let entities = engine.discover(text, threshold);
            let out = json!({ "redacted_text": redact(text, &entities), "entities_found": entities.len() });
            Outcome::Done {
                user: out.clone(),
                model: out,
            }
        }
        "protegrity-classify" => {
            let entities = engine.discover(text, threshold);
            let out = json!({ "classifications": discovery_of(&entities) });
            Outcome::Done {
                user: out.clone(),
                model: out,
            }
        }
        "protegrity-guardrails" => {
            let report = engine
                .guardrails()
                .scan_input(text, engine.config().input_guardrail_threshold);
            let out = serde_json::to_value(&report).unwrap_or(Value::Null);
            Outcome::Done {
                user: out.clone(),
                model: out,
            }
        }
        "protegrity-protect" => {
            let entities = engine.discover(text, threshold);
            let protected = replace_entities(text, &entities, |e| {
                tokens.protect(&e.entity_type, e.text.expose())
            });
            let out = json!({ "protected_text": protected, "entities_found": entities.len() });
            Outcome::Done {
                user: out.clone(),
                model: out,
            }
        }
        "protegrity-unprotect" => {
            let restored = tokens.detokenize(text);
            let changed = restored != text;
            Outcome::Done {
                user: json!({ "unprotected_text": restored }),
                model: json!({
                    "result": if changed {
                        "The original values were restored and shown to the user. They are not shared with the model."
                    } else {
                        "No tokens issued in this conversation were found in the text."
                    }
                }),
            }
        }
        other => Outcome::Failed(format!("Unknown tool {other}")),
    }
}

/// What the model gets instead of a tool result that carries instructions to it.
pub const WITHHELD_TOOL_RESULT: &str =
    "The tool result was withheld: it contains instructions addressed to the assistant.";

/// A tool result is untrusted input to the model (its text came from the model's arguments,
/// which may quote a document or an earlier reply): it passes the input guardrail like a prompt,
/// and a result that would be blocked as a prompt reaches the model only as an error.
fn withheld_if_instructions(engine: &ProtectionEngine, for_model: String) -> String {
    let threshold = engine.config().input_guardrail_threshold;
    let report = engine.guardrails().scan_input(&for_model, threshold);
    if !report.blocks() {
        return for_model;
    }
    tracing::info!(signals = ?report.policy_signals, "tool result withheld from the model");
    json!({ "error": WITHHELD_TOOL_RESULT }).to_string()
}

/// Run the calls the model requested.
pub fn run(
    engine: &ProtectionEngine,
    catalog: &Catalog,
    agent: Option<&Agent>,
    role: Role,
    calls: &[ToolCall],
    tokens: &mut TokenContext,
) -> ToolRound {
    let allowed: Vec<String> = offered(catalog, agent, role)
        .into_iter()
        .map(|t| t.name)
        .collect();
    let mut round = ToolRound {
        calls: calls.to_vec(),
        ..ToolRound::default()
    };
    for call in calls {
        let outcome = if allowed.contains(&call.tool_name) {
            execute(engine, &call.tool_name, &call.arguments, tokens)
        } else {
            Outcome::Failed(format!("Tool {} is not available.", call.tool_name))
        };
        let mut result = ToolResult {
            call_id: call.call_id.clone(),
            tool_name: call.tool_name.clone(),
            output: None,
            error: None,
        };
        let model = match outcome {
            Outcome::Done { user, model } => {
                result.output = Some(user);
                withheld_if_instructions(engine, model.to_string())
            }
            Outcome::Failed(error) => {
                let for_model = json!({ "error": error }).to_string();
                result.error = Some(error);
                for_model
            }
        };
        round.results.push(result);
        round.for_model.push(ToolMessage {
            call_id: call.call_id.clone(),
            content: Sensitive::new(model),
        });
    }
    tracing::info!(calls = calls.len(), "tools ran");
    round
}
