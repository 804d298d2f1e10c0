//! The parsed, validated Amazon States Language definition (JSONPath query language).
//!
//! Parsing is strict: every object is read with `deny_unknown_fields`, so a state type or a
//! field this emulator does not implement is a load error instead of being silently ignored.

use super::jsonpath::{Path, PathError, Root};
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap};

pub const REGION: &str = "us-east-1";
pub const ACCOUNT: &str = "123456789012";

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{source_name}: not valid JSON: {error}")]
    Json {
        source_name: String,
        error: serde_json::Error,
    },
    #[error("{source_name}: {message}")]
    Invalid {
        source_name: String,
        message: String,
    },
}

/// A whole state machine, ready to run.
#[derive(Debug)]
pub struct Definition {
    pub comment: Option<String>,
    pub timeout_seconds: Option<u64>,
    pub scope: Scope,
}

/// `StartAt` + `States`: the top level, or a Map's item processor.
#[derive(Debug)]
pub struct Scope {
    pub start_at: String,
    pub states: HashMap<String, State>,
}

#[derive(Debug)]
pub enum State {
    Task(Task),
    Pass(Pass),
    Choice(Choice),
    Map(MapState),
    Wait(Wait),
    Succeed(Io),
    Fail(Fail),
}

/// InputPath/OutputPath: default `$`, `null` means `{}`.
#[derive(Debug, Clone)]
pub enum Select {
    Path(Path),
    Null,
}

impl Default for Select {
    fn default() -> Self {
        Select::Path(root_path())
    }
}

/// ResultPath: default `$` (replace), `null` (discard the result, keep the input), or a path.
#[derive(Debug, Clone)]
pub enum ResultPath {
    Discard,
    Set(Path),
}

impl Default for ResultPath {
    fn default() -> Self {
        ResultPath::Set(root_path())
    }
}

#[derive(Debug, Clone, Default)]
pub struct Io {
    pub input_path: Select,
    pub output_path: Select,
}

#[derive(Debug, Clone)]
pub enum Transition {
    Next(String),
    End,
}

/// A Parameters / ItemSelector / ResultSelector template.
#[derive(Debug, Clone)]
pub enum Template {
    Literal(Value),
    Object(Vec<(String, Template)>),
    Array(Vec<Template>),
    Path(Path),
}

impl Template {
    pub fn uses_context(&self) -> bool {
        match self {
            Template::Literal(_) => false,
            Template::Object(fields) => fields.iter().any(|(_, t)| t.uses_context()),
            Template::Array(items) => items.iter().any(Template::uses_context),
            Template::Path(path) => path.root == Root::Context,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Jitter {
    None,
    Full,
}

#[derive(Debug, Clone)]
pub struct Retrier {
    pub error_equals: Vec<String>,
    pub interval_seconds: u64,
    pub max_attempts: u32,
    pub backoff_rate: f64,
    pub max_delay_seconds: Option<u64>,
    pub jitter: Jitter,
}

#[derive(Debug, Clone)]
pub struct Catcher {
    pub error_equals: Vec<String>,
    pub result_path: ResultPath,
    pub next: String,
}

#[derive(Debug)]
pub struct Task {
    pub io: Io,
    /// The Lambda function's bare name (cargo lambda watch knows functions by that name).
    pub function: String,
    pub resource: String,
    pub parameters: Option<Template>,
    pub result_selector: Option<Template>,
    pub result_path: ResultPath,
    pub timeout_seconds: u64,
    pub retry: Vec<Retrier>,
    pub catch: Vec<Catcher>,
    pub transition: Transition,
}

#[derive(Debug)]
pub struct Pass {
    pub io: Io,
    pub parameters: Option<Template>,
    pub result: Option<Value>,
    pub result_path: ResultPath,
    pub transition: Transition,
}

#[derive(Debug)]
pub struct Choice {
    pub io: Io,
    pub choices: Vec<(Condition, String)>,
    pub default: Option<String>,
}

#[derive(Debug, Clone)]
pub enum Condition {
    And(Vec<Condition>),
    Or(Vec<Condition>),
    Not(Box<Condition>),
    Test { variable: Path, op: Comparison },
}

#[derive(Debug, Clone)]
pub enum Comparison {
    IsPresent(bool),
    IsNull(bool),
    StringEquals(String),
    BooleanEquals(bool),
    NumericEquals(f64),
    NumericGreaterThan(f64),
    NumericGreaterThanEquals(f64),
    NumericLessThan(f64),
    NumericLessThanEquals(f64),
}

#[derive(Debug)]
pub struct MapState {
    pub io: Io,
    pub items_path: Path,
    pub item_selector: Option<Template>,
    pub processor: Box<Scope>,
    /// 0 = unbounded.
    pub max_concurrency: usize,
    pub result_selector: Option<Template>,
    pub result_path: ResultPath,
    pub retry: Vec<Retrier>,
    pub catch: Vec<Catcher>,
    pub transition: Transition,
}

#[derive(Debug)]
pub struct Wait {
    pub io: Io,
    pub seconds: u64,
    pub transition: Transition,
}

#[derive(Debug)]
pub struct Fail {
    pub error: Option<String>,
    pub cause: Option<String>,
}

fn root_path() -> Path {
    Path::input_root()
}

// ---------------------------------------------------------------------------------------------
// Raw serde shapes
// ---------------------------------------------------------------------------------------------

/// Distinguishes an absent field (`None`) from an explicit `null` (`Some(None)`).
fn double_option<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct RawMachine {
    #[serde(default)]
    comment: Option<String>,
    start_at: String,
    states: BTreeMap<String, Value>,
    #[serde(default)]
    timeout_seconds: Option<u64>,
    #[serde(default)]
    version: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct RawTask {
    #[serde(default)]
    comment: Option<String>,
    resource: String,
    #[serde(default, deserialize_with = "double_option")]
    input_path: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    output_path: Option<Option<String>>,
    #[serde(default)]
    parameters: Option<Value>,
    #[serde(default)]
    result_selector: Option<Value>,
    #[serde(default, deserialize_with = "double_option")]
    result_path: Option<Option<String>>,
    #[serde(default)]
    timeout_seconds: Option<u64>,
    #[serde(default)]
    retry: Vec<RawRetrier>,
    #[serde(default)]
    catch: Vec<RawCatcher>,
    #[serde(default)]
    next: Option<String>,
    #[serde(default)]
    end: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct RawPass {
    #[serde(default)]
    comment: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    input_path: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    output_path: Option<Option<String>>,
    #[serde(default)]
    parameters: Option<Value>,
    #[serde(default, deserialize_with = "double_option")]
    result: Option<Option<Value>>,
    #[serde(default, deserialize_with = "double_option")]
    result_path: Option<Option<String>>,
    #[serde(default)]
    next: Option<String>,
    #[serde(default)]
    end: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct RawChoice {
    #[serde(default)]
    comment: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    input_path: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    output_path: Option<Option<String>>,
    choices: Vec<RawRule>,
    #[serde(default)]
    default: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct RawRule {
    #[serde(default)]
    comment: Option<String>,
    #[serde(default)]
    next: Option<String>,
    #[serde(default)]
    variable: Option<String>,
    #[serde(default)]
    and: Option<Vec<RawRule>>,
    #[serde(default)]
    or: Option<Vec<RawRule>>,
    #[serde(default)]
    not: Option<Box<RawRule>>,
    #[serde(default)]
    is_present: Option<bool>,
    #[serde(default)]
    is_null: Option<bool>,
    #[serde(default)]
    string_equals: Option<String>,
    #[serde(default)]
    boolean_equals: Option<bool>,
    #[serde(default)]
    numeric_equals: Option<f64>,
    #[serde(default)]
    numeric_greater_than: Option<f64>,
    #[serde(default)]
    numeric_greater_than_equals: Option<f64>,
    #[serde(default)]
    numeric_less_than: Option<f64>,
    #[serde(default)]
    numeric_less_than_equals: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct RawMap {
    #[serde(default)]
    comment: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    input_path: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    output_path: Option<Option<String>>,
    #[serde(default)]
    items_path: Option<String>,
    #[serde(default)]
    item_selector: Option<Value>,
    #[serde(default)]
    parameters: Option<Value>,
    #[serde(default)]
    item_processor: Option<RawProcessor>,
    #[serde(default)]
    iterator: Option<RawProcessor>,
    #[serde(default)]
    max_concurrency: Option<u64>,
    #[serde(default)]
    result_selector: Option<Value>,
    #[serde(default, deserialize_with = "double_option")]
    result_path: Option<Option<String>>,
    #[serde(default)]
    retry: Vec<RawRetrier>,
    #[serde(default)]
    catch: Vec<RawCatcher>,
    #[serde(default)]
    next: Option<String>,
    #[serde(default)]
    end: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct RawProcessor {
    #[serde(default)]
    comment: Option<String>,
    #[serde(default)]
    processor_config: Option<RawProcessorConfig>,
    start_at: String,
    states: BTreeMap<String, Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct RawProcessorConfig {
    #[serde(default)]
    mode: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct RawWait {
    #[serde(default)]
    comment: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    input_path: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    output_path: Option<Option<String>>,
    seconds: u64,
    #[serde(default)]
    next: Option<String>,
    #[serde(default)]
    end: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct RawSucceed {
    #[serde(default)]
    comment: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    input_path: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    output_path: Option<Option<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct RawFail {
    #[serde(default)]
    comment: Option<String>,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    cause: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct RawRetrier {
    #[serde(default)]
    comment: Option<String>,
    error_equals: Vec<String>,
    #[serde(default)]
    interval_seconds: Option<u64>,
    #[serde(default)]
    max_attempts: Option<u32>,
    #[serde(default)]
    backoff_rate: Option<f64>,
    #[serde(default)]
    max_delay_seconds: Option<u64>,
    #[serde(default)]
    jitter_strategy: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct RawCatcher {
    #[serde(default)]
    comment: Option<String>,
    error_equals: Vec<String>,
    #[serde(default, deserialize_with = "double_option")]
    result_path: Option<Option<String>>,
    next: String,
}

// ---------------------------------------------------------------------------------------------
// Loading
// ---------------------------------------------------------------------------------------------

/// Replaces SAM's `${...}` definition substitutions the way SAM does (`DefinitionSubstitutions` in infra/template.yaml):
/// `${<Name>FunctionArn}` / `${<Name>Arn}` become the ARN of the function `<name>` in kebab
/// case, `${TableName}` the table; any other placeholder is an error.
pub fn substitute(text: &str, table: &str) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let key_len = after
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(after.len());
        let key = &after[..key_len];
        if key.is_empty() || !after[key_len..].starts_with('}') {
            // Not a `${Name}` placeholder: copied as it is (as the Python regex does).
            out.push_str("${");
            rest = after;
            continue;
        }
        out.push_str(&placeholder_value(key, table)?);
        rest = &after[key_len + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

fn placeholder_value(key: &str, table: &str) -> Result<String, String> {
    if key == "TableName" {
        return Ok(table.to_owned());
    }
    if let Some(stem) = key.strip_suffix("Arn") {
        let stem = match stem.strip_suffix("Function") {
            Some(shorter) if !shorter.is_empty() => shorter,
            _ => stem,
        };
        if !stem.is_empty() {
            return Ok(function_arn(&kebab(stem)));
        }
    }
    Err(format!("no local value for the substitution ${{{key}}}"))
}

pub fn function_arn(name: &str) -> String {
    format!("arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}")
}

/// `TurnCallModel` → `turn-call-model`.
pub fn kebab(camel: &str) -> String {
    let mut out = String::with_capacity(camel.len() + 4);
    let mut previous: Option<char> = None;
    for c in camel.chars() {
        if c.is_ascii_uppercase()
            && previous.is_some_and(|p| p.is_ascii_lowercase() || p.is_ascii_digit())
        {
            out.push('-');
        }
        out.push(c.to_ascii_lowercase());
        previous = Some(c);
    }
    out
}

/// Parses and validates a definition (after substitution).
pub fn parse_definition(source_name: &str, text: &str) -> Result<Definition, LoadError> {
    let value: Value = serde_json::from_str(text).map_err(|error| LoadError::Json {
        source_name: source_name.to_owned(),
        error,
    })?;
    let invalid = |message: String| LoadError::Invalid {
        source_name: source_name.to_owned(),
        message,
    };
    let raw: RawMachine =
        serde_json::from_value(value).map_err(|e| invalid(format!("top level: {e}")))?;
    let _ = (&raw.comment, &raw.version);
    if let Some(version) = &raw.version {
        if version != "1.0" {
            return Err(invalid(format!("unsupported Version '{version}'")));
        }
    }
    if raw.timeout_seconds == Some(0) {
        return Err(invalid("TimeoutSeconds must be positive".into()));
    }
    let scope = compile_scope(raw.start_at, raw.states, "").map_err(invalid)?;
    Ok(Definition {
        comment: raw.comment,
        timeout_seconds: raw.timeout_seconds,
        scope,
    })
}

fn compile_scope(
    start_at: String,
    raw_states: BTreeMap<String, Value>,
    location: &str,
) -> Result<Scope, String> {
    if raw_states.is_empty() {
        return Err(format!("{location}States must not be empty"));
    }
    let names: Vec<String> = raw_states.keys().cloned().collect();
    let mut states = HashMap::with_capacity(raw_states.len());
    for (name, value) in raw_states {
        if name.is_empty() || name.chars().count() > 80 {
            return Err(format!(
                "{location}state name '{name}' must be 1 to 80 characters"
            ));
        }
        let state = compile_state(&name, value)
            .map_err(|message| format!("{location}state '{name}': {message}"))?;
        states.insert(name, state);
    }
    let scope = Scope { start_at, states };
    check_targets(&scope, &names, location)?;
    Ok(scope)
}

fn check_targets(scope: &Scope, names: &[String], location: &str) -> Result<(), String> {
    let exists = |target: &str| names.iter().any(|n| n == target);
    if !exists(&scope.start_at) {
        return Err(format!(
            "{location}StartAt '{}' is not a state",
            scope.start_at
        ));
    }
    for (name, state) in &scope.states {
        let mut targets: Vec<&str> = Vec::new();
        let transition = match state {
            State::Task(t) => Some(&t.transition),
            State::Pass(p) => Some(&p.transition),
            State::Map(m) => Some(&m.transition),
            State::Wait(w) => Some(&w.transition),
            State::Choice(_) | State::Succeed(_) | State::Fail(_) => None,
        };
        if let Some(Transition::Next(next)) = transition {
            targets.push(next);
        }
        let catchers = match state {
            State::Task(t) => t.catch.as_slice(),
            State::Map(m) => m.catch.as_slice(),
            _ => &[],
        };
        targets.extend(catchers.iter().map(|c| c.next.as_str()));
        if let State::Choice(choice) = state {
            targets.extend(choice.choices.iter().map(|(_, next)| next.as_str()));
            targets.extend(choice.default.as_deref());
        }
        for target in targets {
            if !exists(target) {
                return Err(format!(
                    "{location}state '{name}': transition to '{target}', which is not a state in the same scope"
                ));
            }
        }
    }
    Ok(())
}

fn take_type(value: Value) -> Result<(String, Value), String> {
    let Value::Object(mut map) = value else {
        return Err("a state must be a JSON object".into());
    };
    let kind = match map.remove("Type") {
        Some(Value::String(kind)) => kind,
        Some(_) => return Err("Type must be a string".into()),
        None => return Err("missing Type".into()),
    };
    Ok((kind, Value::Object(map)))
}

fn de<T: for<'de> Deserialize<'de>>(kind: &str, value: Value) -> Result<T, String> {
    serde_json::from_value(value).map_err(|e| format!("{kind} state: {e}"))
}

fn compile_state(name: &str, value: Value) -> Result<State, String> {
    let (kind, value) = take_type(value)?;
    match kind.as_str() {
        "Task" => {
            let raw: RawTask = de(&kind, value)?;
            let _ = &raw.comment;
            let function = lambda_function_name(&raw.resource)?;
            let timeout_seconds = raw.timeout_seconds.unwrap_or(60);
            if timeout_seconds == 0 {
                return Err("TimeoutSeconds must be positive".into());
            }
            Ok(State::Task(Task {
                io: io(raw.input_path, raw.output_path)?,
                function,
                resource: raw.resource,
                parameters: raw.parameters.map(|p| template(&p, "Parameters")).transpose()?,
                result_selector: raw
                    .result_selector
                    .map(|p| template(&p, "ResultSelector"))
                    .transpose()?,
                result_path: result_path(raw.result_path)?,
                timeout_seconds,
                retry: retriers(raw.retry)?,
                catch: catchers(raw.catch)?,
                transition: transition(raw.next, raw.end)?,
            }))
        }
        "Pass" => {
            let raw: RawPass = de(&kind, value)?;
            let _ = &raw.comment;
            Ok(State::Pass(Pass {
                io: io(raw.input_path, raw.output_path)?,
                parameters: raw.parameters.map(|p| template(&p, "Parameters")).transpose()?,
                result: raw.result.map(|r| r.unwrap_or(Value::Null)),
                result_path: result_path(raw.result_path)?,
                transition: transition(raw.next, raw.end)?,
            }))
        }
        "Choice" => {
            let raw: RawChoice = de(&kind, value)?;
            let _ = &raw.comment;
            if raw.choices.is_empty() {
                return Err("Choices must not be empty".into());
            }
            let mut choices = Vec::with_capacity(raw.choices.len());
            for (index, rule) in raw.choices.into_iter().enumerate() {
                let next = rule
                    .next
                    .clone()
                    .ok_or_else(|| format!("Choices[{index}]: missing Next"))?;
                let condition =
                    condition(rule, true).map_err(|e| format!("Choices[{index}]: {e}"))?;
                choices.push((condition, next));
            }
            Ok(State::Choice(Choice {
                io: io(raw.input_path, raw.output_path)?,
                choices,
                default: raw.default,
            }))
        }
        "Map" => {
            let raw: RawMap = de(&kind, value)?;
            let _ = &raw.comment;
            let processor = match (raw.item_processor, raw.iterator) {
                (Some(p), None) | (None, Some(p)) => p,
                (Some(_), Some(_)) => {
                    return Err("ItemProcessor and Iterator are mutually exclusive".into())
                }
                (None, None) => return Err("missing ItemProcessor".into()),
            };
            let _ = &processor.comment;
            if let Some(config) = &processor.processor_config {
                match config.mode.as_deref() {
                    None | Some("INLINE") => {}
                    Some(mode) => {
                        return Err(format!(
                            "ProcessorConfig.Mode '{mode}' is not implemented (only INLINE)"
                        ))
                    }
                }
            }
            let selector = match (raw.item_selector, raw.parameters) {
                (Some(s), None) => Some(template(&s, "ItemSelector")?),
                (None, Some(p)) => Some(template(&p, "Parameters")?),
                (Some(_), Some(_)) => {
                    return Err("ItemSelector and Parameters are mutually exclusive".into())
                }
                (None, None) => None,
            };
            let items_path = match raw.items_path {
                Some(text) => input_path(&text, "ItemsPath")?,
                None => root_path(),
            };
            let max_concurrency = usize::try_from(raw.max_concurrency.unwrap_or(0))
                .map_err(|_| "MaxConcurrency is too large".to_string())?;
            let processor = compile_scope(
                processor.start_at,
                processor.states,
                &format!("{name} ItemProcessor: "),
            )?;
            Ok(State::Map(MapState {
                io: io(raw.input_path, raw.output_path)?,
                items_path,
                item_selector: selector,
                processor: Box::new(processor),
                max_concurrency,
                result_selector: raw
                    .result_selector
                    .map(|p| template(&p, "ResultSelector"))
                    .transpose()?,
                result_path: result_path(raw.result_path)?,
                retry: retriers(raw.retry)?,
                catch: catchers(raw.catch)?,
                transition: transition(raw.next, raw.end)?,
            }))
        }
        "Wait" => {
            let raw: RawWait = de(&kind, value)?;
            let _ = &raw.comment;
            Ok(State::Wait(Wait {
                io: io(raw.input_path, raw.output_path)?,
                seconds: raw.seconds,
                transition: transition(raw.next, raw.end)?,
            }))
        }
        "Succeed" => {
            let raw: RawSucceed = de(&kind, value)?;
            let _ = &raw.comment;
            Ok(State::Succeed(io(raw.input_path, raw.output_path)?))
        }
        "Fail" => {
            let raw: RawFail = de(&kind, value)?;
            let _ = &raw.comment;
            Ok(State::Fail(Fail {
                error: raw.error,
                cause: raw.cause,
            }))
        }
        other => Err(format!(
            "state Type '{other}' is not implemented (supported: Task, Pass, Choice, Map, Wait, Succeed, Fail)"
        )),
    }
}

/// `arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]` → `<name>`.
fn lambda_function_name(resource: &str) -> Result<String, String> {
    let unsupported = || {
        format!(
            "Resource '{resource}' is not implemented: only Lambda function ARNs \
             (arn:aws:lambda:<region>:<account>:function:<name>) are supported"
        )
    };
    let rest = resource
        .strip_prefix("arn:aws:lambda:")
        .ok_or_else(unsupported)?;
    let (_, name) = rest.split_once(":function:").ok_or_else(unsupported)?;
    let name = name.split(':').next().unwrap_or_default();
    if name.is_empty() {
        return Err(unsupported());
    }
    Ok(name.to_owned())
}

fn transition(next: Option<String>, end: Option<bool>) -> Result<Transition, String> {
    match (next, end.unwrap_or(false)) {
        (Some(next), false) => Ok(Transition::Next(next)),
        (None, true) => Ok(Transition::End),
        (Some(_), true) => Err("Next and End are mutually exclusive".into()),
        (None, false) => Err("needs Next or \"End\": true".into()),
    }
}

fn input_path(text: &str, field: &str) -> Result<Path, String> {
    if text.starts_with("States.") {
        return Err(format!(
            "{field}: intrinsic functions are not implemented ('{text}')"
        ));
    }
    let path = Path::parse(text).map_err(|e: PathError| format!("{field}: {e}"))?;
    if path.root == Root::Context {
        return Err(format!(
            "{field}: a context path ('$$...') is not allowed here"
        ));
    }
    Ok(path)
}

fn io(input: Option<Option<String>>, output: Option<Option<String>>) -> Result<Io, String> {
    let select = |value: Option<Option<String>>, field: &str| -> Result<Select, String> {
        Ok(match value {
            None => Select::default(),
            Some(None) => Select::Null,
            Some(Some(text)) => Select::Path(input_path(&text, field)?),
        })
    };
    Ok(Io {
        input_path: select(input, "InputPath")?,
        output_path: select(output, "OutputPath")?,
    })
}

fn result_path(value: Option<Option<String>>) -> Result<ResultPath, String> {
    Ok(match value {
        None => ResultPath::default(),
        Some(None) => ResultPath::Discard,
        Some(Some(text)) => ResultPath::Set(input_path(&text, "ResultPath")?),
    })
}

fn template(value: &Value, field: &str) -> Result<Template, String> {
    match value {
        Value::Object(map) => template_object(map, field),
        Value::Array(items) => Ok(Template::Array(
            items
                .iter()
                .map(|item| template(item, field))
                .collect::<Result<_, _>>()?,
        )),
        other => Ok(Template::Literal(other.clone())),
    }
}

fn template_object(map: &Map<String, Value>, field: &str) -> Result<Template, String> {
    let mut fields = Vec::with_capacity(map.len());
    for (key, value) in map {
        if let Some(name) = key.strip_suffix(".$") {
            let Value::String(text) = value else {
                return Err(format!(
                    "{field}: the value of '{key}' must be a path string"
                ));
            };
            if text.starts_with("States.") {
                return Err(format!(
                    "{field}: '{key}': intrinsic functions are not implemented ('{text}')"
                ));
            }
            let path = Path::parse(text).map_err(|e| format!("{field}: '{key}': {e}"))?;
            fields.push((name.to_owned(), Template::Path(path)));
        } else {
            fields.push((key.clone(), template(value, field)?));
        }
    }
    Ok(Template::Object(fields))
}

fn check_error_names(names: &[String], is_last: bool, what: &str) -> Result<(), String> {
    if names.is_empty() {
        return Err(format!("{what}: ErrorEquals must not be empty"));
    }
    if names.iter().any(|n| n == "States.ALL") {
        if names.len() != 1 {
            return Err(format!(
                "{what}: States.ALL must appear alone in ErrorEquals"
            ));
        }
        if !is_last {
            return Err(format!("{what}: States.ALL must be in the last entry"));
        }
    }
    Ok(())
}

fn retriers(raw: Vec<RawRetrier>) -> Result<Vec<Retrier>, String> {
    let count = raw.len();
    raw.into_iter()
        .enumerate()
        .map(|(index, r)| {
            let what = format!("Retry[{index}]");
            let _ = &r.comment;
            check_error_names(&r.error_equals, index + 1 == count, &what)?;
            let interval_seconds = r.interval_seconds.unwrap_or(1);
            if interval_seconds == 0 {
                return Err(format!("{what}: IntervalSeconds must be positive"));
            }
            let backoff_rate = r.backoff_rate.unwrap_or(2.0);
            if backoff_rate < 1.0 {
                return Err(format!("{what}: BackoffRate must be at least 1.0"));
            }
            if r.max_delay_seconds == Some(0) {
                return Err(format!("{what}: MaxDelaySeconds must be positive"));
            }
            let jitter = match r.jitter_strategy.as_deref() {
                None | Some("NONE") => Jitter::None,
                Some("FULL") => Jitter::Full,
                Some(other) => {
                    return Err(format!(
                        "{what}: JitterStrategy '{other}' (expected FULL or NONE)"
                    ))
                }
            };
            Ok(Retrier {
                error_equals: r.error_equals,
                interval_seconds,
                max_attempts: r.max_attempts.unwrap_or(3),
                backoff_rate,
                max_delay_seconds: r.max_delay_seconds,
                jitter,
            })
        })
        .collect()
}

fn catchers(raw: Vec<RawCatcher>) -> Result<Vec<Catcher>, String> {
    let count = raw.len();
    raw.into_iter()
        .enumerate()
        .map(|(index, c)| {
            let what = format!("Catch[{index}]");
            let _ = &c.comment;
            check_error_names(&c.error_equals, index + 1 == count, &what)?;
            Ok(Catcher {
                error_equals: c.error_equals,
                result_path: result_path(c.result_path).map_err(|e| format!("{what}: {e}"))?,
                next: c.next,
            })
        })
        .collect()
}

fn condition(rule: RawRule, top_level: bool) -> Result<Condition, String> {
    if !top_level && rule.next.is_some() {
        return Err("Next is only allowed on a top-level choice rule".into());
    }
    let _ = &rule.comment;
    let mut operators: Vec<Condition> = Vec::new();
    let mut comparisons: Vec<Comparison> = Vec::new();
    if let Some(rules) = rule.and {
        operators.push(Condition::And(nested(rules, "And")?));
    }
    if let Some(rules) = rule.or {
        operators.push(Condition::Or(nested(rules, "Or")?));
    }
    if let Some(inner) = rule.not {
        operators.push(Condition::Not(Box::new(condition(*inner, false)?)));
    }
    if let Some(v) = rule.is_present {
        comparisons.push(Comparison::IsPresent(v));
    }
    if let Some(v) = rule.is_null {
        comparisons.push(Comparison::IsNull(v));
    }
    if let Some(v) = rule.string_equals {
        comparisons.push(Comparison::StringEquals(v));
    }
    if let Some(v) = rule.boolean_equals {
        comparisons.push(Comparison::BooleanEquals(v));
    }
    if let Some(v) = rule.numeric_equals {
        comparisons.push(Comparison::NumericEquals(v));
    }
    if let Some(v) = rule.numeric_greater_than {
        comparisons.push(Comparison::NumericGreaterThan(v));
    }
    if let Some(v) = rule.numeric_greater_than_equals {
        comparisons.push(Comparison::NumericGreaterThanEquals(v));
    }
    if let Some(v) = rule.numeric_less_than {
        comparisons.push(Comparison::NumericLessThan(v));
    }
    if let Some(v) = rule.numeric_less_than_equals {
        comparisons.push(Comparison::NumericLessThanEquals(v));
    }
    match (operators.len(), comparisons.len(), rule.variable) {
        (1, 0, None) => Ok(operators.remove(0)),
        (0, 1, Some(variable)) => Ok(Condition::Test {
            variable: input_path(&variable, "Variable")?,
            op: comparisons.remove(0),
        }),
        (0, 1, None) => Err("a comparison needs a Variable".into()),
        (1, 0, Some(_)) => Err("And/Or/Not must not have a Variable".into()),
        (0, 0, _) => Err("no supported comparison operator (supported: IsPresent, IsNull, StringEquals, BooleanEquals, NumericEquals, NumericGreaterThan(Equals), NumericLessThan(Equals), And, Or, Not)".into()),
        _ => Err("exactly one comparison operator per rule".into()),
    }
}

fn nested(rules: Vec<RawRule>, what: &str) -> Result<Vec<Condition>, String> {
    if rules.is_empty() {
        return Err(format!("{what} must not be empty"));
    }
    rules.into_iter().map(|r| condition(r, false)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn load(definition: Value) -> Result<Definition, String> {
        parse_definition("test.asl.json", &definition.to_string()).map_err(|e| e.to_string())
    }

    fn minimal(state: Value) -> Value {
        json!({"StartAt": "S", "States": {"S": state}})
    }

    #[test]
    fn substitution_matches_the_template_names() {
        let text = r#"{"a":"${TurnCallModelFunctionArn}","b":"${ConversationPurgeMarkArn}","c":"${TableName}","d":"${not-a-key}"}"#;
        let out = substitute(text, "pai-local").unwrap();
        let value: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(
            value["a"],
            "arn:aws:lambda:us-east-1:123456789012:function:turn-call-model"
        );
        assert_eq!(
            value["b"],
            "arn:aws:lambda:us-east-1:123456789012:function:conversation-purge-mark"
        );
        assert_eq!(value["c"], "pai-local");
        assert_eq!(value["d"], "${not-a-key}");
        assert_eq!(kebab("S3Bucket"), "s3-bucket");
    }

    #[test]
    fn unknown_placeholder_is_an_error() {
        let error = substitute(r#"{"a":"${QueueUrl}"}"#, "t").unwrap_err();
        assert!(error.contains("${QueueUrl}"), "{error}");
        assert!(substitute(r#"{"a":"${Arn}"}"#, "t").is_err());
    }

    #[test]
    fn rejects_unknown_state_types() {
        let error = load(minimal(
            json!({"Type": "Parallel", "Branches": [], "End": true}),
        ))
        .unwrap_err();
        assert!(error.contains("'Parallel' is not implemented"), "{error}");
    }

    #[test]
    fn rejects_unknown_fields() {
        let error = load(minimal(json!({
            "Type": "Task",
            "Resource": "arn:aws:lambda:us-east-1:1:function:f",
            "HeartbeatSeconds": 10,
            "End": true
        })))
        .unwrap_err();
        assert!(error.contains("HeartbeatSeconds"), "{error}");
        let error = load(json!({"StartAt": "S", "QueryLanguage": "JSONata", "States": {"S": {"Type": "Succeed"}}}))
            .unwrap_err();
        assert!(error.contains("QueryLanguage"), "{error}");
        let error = load(minimal(
            json!({"Type": "Pass", "Assign": {"x": 1}, "End": true}),
        ))
        .unwrap_err();
        assert!(error.contains("Assign"), "{error}");
        let error = load(minimal(json!({
            "Type": "Choice",
            "Choices": [{"Variable": "$.a", "StringMatches": "x*", "Next": "S"}]
        })))
        .unwrap_err();
        assert!(error.contains("StringMatches"), "{error}");
    }

    #[test]
    fn rejects_intrinsics_and_non_lambda_resources() {
        let error = load(minimal(json!({
            "Type": "Pass",
            "Parameters": {"x.$": "States.Format('{}', $.a)"},
            "End": true
        })))
        .unwrap_err();
        assert!(
            error.contains("intrinsic functions are not implemented"),
            "{error}"
        );
        let error = load(minimal(json!({
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "End": true
        })))
        .unwrap_err();
        assert!(error.contains("only Lambda function ARNs"), "{error}");
        let error = load(minimal(json!({
            "Type": "Map",
            "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED"}, "StartAt": "A", "States": {"A": {"Type": "Succeed"}}},
            "End": true
        })))
        .unwrap_err();
        assert!(error.contains("DISTRIBUTED"), "{error}");
    }

    #[test]
    fn validates_transitions_and_error_lists() {
        let error = load(minimal(json!({"Type": "Pass", "Next": "Nowhere"}))).unwrap_err();
        assert!(error.contains("'Nowhere'"), "{error}");
        let error = load(minimal(json!({"Type": "Pass"}))).unwrap_err();
        assert!(error.contains("Next or"), "{error}");
        let error =
            load(json!({"StartAt": "X", "States": {"S": {"Type": "Succeed"}}})).unwrap_err();
        assert!(error.contains("StartAt 'X'"), "{error}");
        let error = load(minimal(json!({
            "Type": "Task",
            "Resource": "arn:aws:lambda:us-east-1:1:function:f",
            "Retry": [{"ErrorEquals": ["States.ALL"]}, {"ErrorEquals": ["X"]}],
            "End": true
        })))
        .unwrap_err();
        assert!(error.contains("last"), "{error}");
        let error = load(minimal(json!({
            "Type": "Task",
            "Resource": "arn:aws:lambda:us-east-1:1:function:f",
            "Catch": [{"ErrorEquals": ["States.ALL", "X"], "Next": "S"}],
            "End": true
        })))
        .unwrap_err();
        assert!(error.contains("alone"), "{error}");
        let error = load(minimal(json!({
            "Type": "Task",
            "Resource": "arn:aws:lambda:us-east-1:1:function:f",
            "Retry": [{"ErrorEquals": ["X"], "JitterStrategy": "HALF"}],
            "End": true
        })))
        .unwrap_err();
        assert!(error.contains("HALF"), "{error}");
    }

    #[test]
    fn parses_defaults() {
        let definition = load(minimal(json!({
            "Type": "Task",
            "Resource": "arn:aws:lambda:us-east-1:1:function:my-fn:live",
            "Retry": [{"ErrorEquals": ["X"]}],
            "ResultPath": null,
            "End": true
        })))
        .unwrap();
        let State::Task(task) = &definition.scope.states["S"] else {
            panic!("not a task")
        };
        assert_eq!(task.function, "my-fn");
        assert_eq!(task.timeout_seconds, 60);
        assert!(matches!(task.result_path, ResultPath::Discard));
        let retrier = &task.retry[0];
        assert_eq!(retrier.interval_seconds, 1);
        assert_eq!(retrier.max_attempts, 3);
        assert_eq!(retrier.backoff_rate, 2.0);
        assert_eq!(retrier.jitter, Jitter::None);
    }

    #[test]
    fn loads_the_project_state_machines() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../statemachines");
        for name in ["chat-turn", "conversation-purge"] {
            let text = std::fs::read_to_string(dir.join(format!("{name}.asl.json"))).unwrap();
            let text = substitute(&text, "pai-local").unwrap();
            let definition = parse_definition(name, &text).unwrap();
            assert!(!definition.scope.states.is_empty());
        }
    }
}
