//! The Step Functions API (AWS JSON 1.0 protocol) over the state machines of a directory.

pub mod asl;
pub mod interpreter;
pub mod jsonpath;
pub mod lambda;

use asl::{Definition, LoadError, ACCOUNT, REGION};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;
use futures_util::FutureExt;
use interpreter::{ExecutionInfo, Outcome, Runtime};
use rand::Rng;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::panic::AssertUnwindSafe;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;
use tokio::task::AbortHandle;

pub const DEFAULT_EXECUTION_CAP: usize = 10_000;
const CONTENT_TYPE: &str = "application/x-amz-json-1.0";
const TARGET_PREFIX: &str = "AWSStepFunctions.";
const ROLE_ARN: &str = "arn:aws:iam::123456789012:role/pai-local-state-machine";
/// AWS's limit on execution input and output.
const MAX_PAYLOAD_BYTES: usize = 256 * 1024;

pub fn state_machine_arn(name: &str) -> String {
    format!("arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{name}")
}

pub fn execution_arn(machine: &str, name: &str) -> String {
    format!("arn:aws:states:{REGION}:{ACCOUNT}:execution:{machine}:{name}")
}

/// A loaded state machine.
#[derive(Debug)]
pub struct Machine {
    pub name: String,
    pub arn: String,
    /// The definition after substitution, as DescribeStateMachine returns it.
    pub definition_text: String,
    pub definition: Definition,
    pub created: f64,
}

#[derive(Debug, thiserror::Error)]
pub enum MachinesError {
    #[error("cannot read the state machines directory {path}: {error}")]
    Directory { path: String, error: std::io::Error },
    #[error("cannot read {path}: {error}")]
    File { path: String, error: std::io::Error },
    #[error("no *.asl.json state machine in {0}")]
    Empty(String),
    #[error(transparent)]
    Load(#[from] LoadError),
}

/// Builds one machine from the text of `<name>.asl.json`.
pub fn load_machine(
    name: &str,
    source_name: &str,
    text: &str,
    table: &str,
) -> Result<Machine, LoadError> {
    let text = asl::substitute(text, table).map_err(|message| LoadError::Invalid {
        source_name: source_name.to_owned(),
        message,
    })?;
    let definition = asl::parse_definition(source_name, &text)?;
    Ok(Machine {
        name: name.to_owned(),
        arn: state_machine_arn(name),
        definition_text: text,
        definition,
        created: epoch_seconds(chrono::Utc::now()),
    })
}

/// Loads every `*.asl.json` of `dir` (machine name = file name without `.asl.json`).
pub fn load_dir(dir: &Path, table: &str) -> Result<Vec<Machine>, MachinesError> {
    let entries = std::fs::read_dir(dir).map_err(|error| MachinesError::Directory {
        path: dir.display().to_string(),
        error,
    })?;
    let mut files = BTreeMap::new();
    for entry in entries {
        let entry = entry.map_err(|error| MachinesError::Directory {
            path: dir.display().to_string(),
            error,
        })?;
        let file_name = entry.file_name().to_string_lossy().into_owned();
        if let Some(name) = file_name.strip_suffix(".asl.json") {
            files.insert(name.to_owned(), (file_name.clone(), entry.path()));
        }
    }
    if files.is_empty() {
        return Err(MachinesError::Empty(dir.display().to_string()));
    }
    let mut machines = Vec::with_capacity(files.len());
    for (name, (file_name, path)) in files {
        let text = std::fs::read_to_string(&path).map_err(|error| MachinesError::File {
            path: path.display().to_string(),
            error,
        })?;
        machines.push(load_machine(&name, &file_name, &text, table)?);
    }
    Ok(machines)
}

fn epoch_seconds(at: chrono::DateTime<chrono::Utc>) -> f64 {
    at.timestamp_millis() as f64 / 1000.0
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Running,
    Succeeded,
    Failed,
    TimedOut,
    Aborted,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Running => "RUNNING",
            Status::Succeeded => "SUCCEEDED",
            Status::Failed => "FAILED",
            Status::TimedOut => "TIMED_OUT",
            Status::Aborted => "ABORTED",
        }
    }
}

struct Record {
    arn: String,
    machine_arn: String,
    machine_name: String,
    name: String,
    status: Status,
    started: Instant,
    start_date: f64,
    stop_date: Option<f64>,
    input: String,
    output: Option<String>,
    error: Option<String>,
    cause: Option<String>,
    abort: Option<AbortHandle>,
    seq: u64,
}

#[derive(Default)]
struct Store {
    executions: HashMap<String, Record>,
    /// Execution ARNs in start order, for eviction.
    order: VecDeque<String>,
    /// ARNs of evicted executions: their names stay taken.
    evicted: HashSet<String>,
    seq: u64,
}

impl Store {
    fn evict(&mut self, cap: usize) {
        let mut kept_running = Vec::new();
        while self.executions.len() > cap {
            let Some(arn) = self.order.pop_front() else {
                break;
            };
            let running = self
                .executions
                .get(&arn)
                .is_some_and(|r| r.status == Status::Running);
            if running {
                kept_running.push(arn);
            } else {
                self.executions.remove(&arn);
                self.evicted.insert(arn);
            }
        }
        for arn in kept_running.into_iter().rev() {
            self.order.push_front(arn);
        }
    }
}

/// An API error: HTTP 400 with `{"__type": code, "message": ...}`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct ApiError {
    pub code: &'static str,
    pub message: String,
}

impl ApiError {
    fn new(code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            code,
            message: message.into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({"__type": self.code, "message": self.message}).to_string();
        let mut response = (StatusCode::BAD_REQUEST, body).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
        headers.insert("x-amzn-errortype", HeaderValue::from_static(self.code));
        response
    }
}

/// The Step Functions service: machines, executions, and the runtime tasks call through.
pub struct Service {
    machines: HashMap<String, Arc<Machine>>,
    runtime: Runtime,
    store: Mutex<Store>,
    cap: usize,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StartExecutionRequest {
    state_machine_arn: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    input: Option<String>,
    #[serde(default)]
    #[allow(dead_code)]
    trace_header: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ExecutionArnRequest {
    execution_arn: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StopExecutionRequest {
    execution_arn: String,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    cause: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StateMachineArnRequest {
    state_machine_arn: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListExecutionsRequest {
    state_machine_arn: String,
    #[serde(default)]
    status_filter: Option<String>,
    #[serde(default)]
    max_results: Option<usize>,
    #[serde(default)]
    next_token: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct ListStateMachinesRequest {
    #[serde(default)]
    max_results: Option<usize>,
    #[serde(default)]
    next_token: Option<String>,
}

fn parse<T: for<'de> Deserialize<'de>>(body: &Value) -> Result<T, ApiError> {
    serde_json::from_value(body.clone())
        .map_err(|e| ApiError::new("ValidationException", e.to_string()))
}

fn page<T>(
    items: Vec<T>,
    max_results: Option<usize>,
    next_token: Option<&str>,
) -> Result<(Vec<T>, Option<String>), ApiError> {
    let start = match next_token {
        Some(token) => token
            .parse::<usize>()
            .map_err(|_| ApiError::new("InvalidToken", "Invalid Token"))?,
        None => 0,
    };
    let size = match max_results {
        None | Some(0) => 100,
        Some(n) => n.min(1000),
    };
    let total = items.len();
    let page: Vec<T> = items.into_iter().skip(start).take(size).collect();
    let next = (start + size < total).then(|| (start + size).to_string());
    Ok((page, next))
}

fn valid_name(name: &str) -> bool {
    let length = name.chars().count();
    (1..=80).contains(&length)
        && !name.chars().any(|c| {
            c.is_whitespace()
                || c.is_control()
                || matches!(
                    c,
                    '<' | '>'
                        | '{'
                        | '}'
                        | '['
                        | ']'
                        | '?'
                        | '*'
                        | '"'
                        | '#'
                        | '%'
                        | '\\'
                        | '^'
                        | '|'
                        | '~'
                        | '`'
                        | '$'
                        | '&'
                        | ','
                        | ';'
                        | ':'
                        | '/'
                )
        })
}

fn random_name() -> String {
    let bytes: [u8; 16] = rand::thread_rng().gen();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

impl Service {
    pub fn new(machines: Vec<Machine>, runtime: Runtime) -> Arc<Self> {
        Self::with_cap(machines, runtime, DEFAULT_EXECUTION_CAP)
    }

    pub fn with_cap(machines: Vec<Machine>, runtime: Runtime, cap: usize) -> Arc<Self> {
        Arc::new(Service {
            machines: machines
                .into_iter()
                .map(|m| (m.arn.clone(), Arc::new(m)))
                .collect(),
            runtime,
            store: Mutex::new(Store::default()),
            cap: cap.max(1),
        })
    }

    pub fn machine_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.machines.values().map(|m| m.name.clone()).collect();
        names.sort();
        names
    }

    fn store(&self) -> MutexGuard<'_, Store> {
        // A panic while holding the lock leaves plain data behind; keep serving.
        self.store
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn machine(&self, arn: &str) -> Result<&Arc<Machine>, ApiError> {
        if !arn.starts_with("arn:aws:states:") {
            return Err(ApiError::new("InvalidArn", format!("Invalid Arn: '{arn}'")));
        }
        self.machines.get(arn).ok_or_else(|| {
            ApiError::new(
                "StateMachineDoesNotExist",
                format!("State Machine Does Not Exist: '{arn}'"),
            )
        })
    }

    /// Runs one API operation.
    pub fn call(self: &Arc<Self>, operation: &str, body: &Value) -> Result<Value, ApiError> {
        match operation {
            "StartExecution" => self.start_execution(parse(body)?),
            "DescribeExecution" => self.describe_execution(parse(body)?),
            "StopExecution" => self.stop_execution(parse(body)?),
            "ListExecutions" => self.list_executions(parse(body)?),
            "ListStateMachines" => self.list_state_machines(parse(body)?),
            "DescribeStateMachine" => self.describe_state_machine(parse(body)?),
            other => Err(ApiError::new(
                "UnknownOperationException",
                format!("Operation {other} is not supported by this emulator"),
            )),
        }
    }

    fn start_execution(
        self: &Arc<Self>,
        request: StartExecutionRequest,
    ) -> Result<Value, ApiError> {
        let machine = Arc::clone(self.machine(&request.state_machine_arn)?);
        let name = request.name.unwrap_or_else(random_name);
        if !valid_name(&name) {
            return Err(ApiError::new(
                "InvalidName",
                format!("Invalid Name: '{name}'"),
            ));
        }
        let input_text = request.input.unwrap_or_else(|| "{}".to_owned());
        if input_text.len() > MAX_PAYLOAD_BYTES {
            return Err(ApiError::new(
                "InvalidExecutionInput",
                "Invalid State Machine Execution Input: the input exceeds 262144 bytes",
            ));
        }
        let input: Value = serde_json::from_str(&input_text).map_err(|e| {
            ApiError::new(
                "InvalidExecutionInput",
                format!("Invalid State Machine Execution Input: '{e}'"),
            )
        })?;
        let arn = execution_arn(&machine.name, &name);
        let now = chrono::Utc::now();
        let start_date = epoch_seconds(now);
        let info = ExecutionInfo {
            id: arn.clone(),
            name: name.clone(),
            start_time: interpreter::timestamp(now),
            input,
            machine_id: machine.arn.clone(),
            machine_name: machine.name.clone(),
        };
        let mut store = self.store();
        if store.executions.contains_key(&arn) || store.evicted.contains(&arn) {
            return Err(ApiError::new(
                "ExecutionAlreadyExists",
                format!("Execution Already Exists: '{arn}'"),
            ));
        }
        store.seq += 1;
        let seq = store.seq;
        let machine_name = machine.name.clone();
        let service = Arc::clone(self);
        let execution = arn.clone();
        let handle = tokio::spawn(async move {
            let run = interpreter::run_execution(&machine.definition, &info, &service.runtime);
            // A bug in the interpreter must not leave the execution RUNNING forever.
            let outcome = AssertUnwindSafe(run)
                .catch_unwind()
                .await
                .unwrap_or_else(|_| {
                    Outcome::Failed(interpreter::StatesError::runtime(
                        "internal error in the local Step Functions interpreter",
                    ))
                });
            service.finish(&execution, outcome);
        });
        store.executions.insert(
            arn.clone(),
            Record {
                arn: arn.clone(),
                machine_arn: request.state_machine_arn,
                machine_name,
                name,
                status: Status::Running,
                started: Instant::now(),
                start_date,
                stop_date: None,
                input: input_text,
                output: None,
                error: None,
                cause: None,
                abort: Some(handle.abort_handle()),
                seq,
            },
        );
        store.order.push_back(arn.clone());
        let cap = self.cap;
        store.evict(cap);
        Ok(json!({"executionArn": arn, "startDate": start_date}))
    }

    fn finish(&self, arn: &str, outcome: Outcome) {
        let mut store = self.store();
        let Some(record) = store.executions.get_mut(arn) else {
            return;
        };
        if record.status != Status::Running {
            return; // stopped meanwhile
        }
        let (status, output, error) = match outcome {
            Outcome::Succeeded(output) => {
                let text = output.to_string();
                if text.len() > MAX_PAYLOAD_BYTES {
                    (
                        Status::Failed,
                        None,
                        Some(interpreter::StatesError::new(
                            "States.DataLimitExceeded",
                            "The state/task returned a result with a size exceeding the maximum number of bytes service limit.",
                        )),
                    )
                } else {
                    (Status::Succeeded, Some(text), None)
                }
            }
            Outcome::Failed(error) => (Status::Failed, None, Some(error)),
            Outcome::TimedOut(error) => (Status::TimedOut, None, Some(error)),
        };
        record.status = status;
        record.output = output;
        if let Some(error) = error {
            record.error = Some(error.error);
            record.cause = error.cause;
        }
        record.stop_date = Some(epoch_seconds(chrono::Utc::now()));
        record.abort = None;
        log_end(record);
    }

    fn record<'s>(store: &'s mut Store, arn: &str) -> Result<&'s mut Record, ApiError> {
        if !arn.starts_with("arn:aws:states:") {
            return Err(ApiError::new("InvalidArn", format!("Invalid Arn: '{arn}'")));
        }
        store.executions.get_mut(arn).ok_or_else(|| {
            ApiError::new(
                "ExecutionDoesNotExist",
                format!("Execution Does Not Exist: '{arn}'"),
            )
        })
    }

    fn describe_execution(&self, request: ExecutionArnRequest) -> Result<Value, ApiError> {
        let mut store = self.store();
        let record = Self::record(&mut store, &request.execution_arn)?;
        let mut out = Map::new();
        out.insert("executionArn".into(), json!(record.arn));
        out.insert("stateMachineArn".into(), json!(record.machine_arn));
        out.insert("name".into(), json!(record.name));
        out.insert("status".into(), json!(record.status.as_str()));
        out.insert("startDate".into(), json!(record.start_date));
        out.insert("input".into(), json!(record.input));
        out.insert("inputDetails".into(), json!({"included": true}));
        if let Some(stop) = record.stop_date {
            out.insert("stopDate".into(), json!(stop));
        }
        if let Some(output) = &record.output {
            out.insert("output".into(), json!(output));
            out.insert("outputDetails".into(), json!({"included": true}));
        }
        if let Some(error) = &record.error {
            out.insert("error".into(), json!(error));
        }
        if let Some(cause) = &record.cause {
            out.insert("cause".into(), json!(cause));
        }
        Ok(Value::Object(out))
    }

    fn stop_execution(&self, request: StopExecutionRequest) -> Result<Value, ApiError> {
        let mut store = self.store();
        let record = Self::record(&mut store, &request.execution_arn)?;
        if record.status == Status::Running {
            if let Some(abort) = record.abort.take() {
                abort.abort();
            }
            record.status = Status::Aborted;
            record.error = request.error;
            record.cause = request.cause;
            record.stop_date = Some(epoch_seconds(chrono::Utc::now()));
            log_end(record);
        }
        let stop = record.stop_date.unwrap_or(record.start_date);
        Ok(json!({"stopDate": stop}))
    }

    fn list_executions(&self, request: ListExecutionsRequest) -> Result<Value, ApiError> {
        self.machine(&request.state_machine_arn)?;
        let filter = match request.status_filter.as_deref() {
            None => None,
            Some(s) => Some(
                [
                    Status::Running,
                    Status::Succeeded,
                    Status::Failed,
                    Status::TimedOut,
                    Status::Aborted,
                ]
                .into_iter()
                .find(|status| status.as_str() == s)
                .ok_or_else(|| {
                    ApiError::new("ValidationException", format!("Invalid statusFilter '{s}'"))
                })?,
            ),
        };
        let store = self.store();
        let mut records: Vec<&Record> = store
            .executions
            .values()
            .filter(|r| r.machine_arn == request.state_machine_arn)
            .filter(|r| filter.is_none_or(|f| r.status == f))
            .collect();
        records.sort_by_key(|r| std::cmp::Reverse(r.seq));
        let (records, next) = page(records, request.max_results, request.next_token.as_deref())?;
        let executions: Vec<Value> = records
            .into_iter()
            .map(|r| {
                let mut item = json!({
                    "executionArn": r.arn,
                    "stateMachineArn": r.machine_arn,
                    "name": r.name,
                    "status": r.status.as_str(),
                    "startDate": r.start_date,
                });
                if let (Some(stop), Value::Object(map)) = (r.stop_date, &mut item) {
                    map.insert("stopDate".into(), json!(stop));
                }
                item
            })
            .collect();
        let mut out = json!({"executions": executions});
        if let (Some(next), Value::Object(map)) = (next, &mut out) {
            map.insert("nextToken".into(), json!(next));
        }
        Ok(out)
    }

    fn list_state_machines(&self, request: ListStateMachinesRequest) -> Result<Value, ApiError> {
        let mut machines: Vec<&Arc<Machine>> = self.machines.values().collect();
        machines.sort_by(|a, b| a.name.cmp(&b.name));
        let (machines, next) = page(machines, request.max_results, request.next_token.as_deref())?;
        let items: Vec<Value> = machines
            .into_iter()
            .map(|m| {
                json!({
                    "stateMachineArn": m.arn,
                    "name": m.name,
                    "type": "EXPRESS",
                    "creationDate": m.created,
                })
            })
            .collect();
        let mut out = json!({"stateMachines": items});
        if let (Some(next), Value::Object(map)) = (next, &mut out) {
            map.insert("nextToken".into(), json!(next));
        }
        Ok(out)
    }

    fn describe_state_machine(&self, request: StateMachineArnRequest) -> Result<Value, ApiError> {
        let machine = self.machine(&request.state_machine_arn)?;
        Ok(json!({
            "stateMachineArn": machine.arn,
            "name": machine.name,
            "status": "ACTIVE",
            "definition": machine.definition_text,
            "roleArn": ROLE_ARN,
            "type": "EXPRESS",
            "creationDate": machine.created,
            "description": machine.definition.comment.clone().unwrap_or_default(),
        }))
    }

    /// Aborts every running execution (at shutdown).
    pub fn abort_all(&self) {
        let mut store = self.store();
        for record in store.executions.values_mut() {
            if let Some(abort) = record.abort.take() {
                abort.abort();
            }
        }
    }
}

/// One line per finished execution. Never the input or output: they hold user messages.
fn log_end(record: &Record) {
    tracing::info!(
        machine = %record.machine_name,
        name = %record.name,
        status = record.status.as_str(),
        error = record.error.as_deref().unwrap_or(""),
        ms = record.started.elapsed().as_millis() as u64,
        "execution"
    );
}

/// The HTTP router of the Step Functions port.
pub fn router(service: Arc<Service>) -> Router {
    Router::new()
        .route("/", any(handle))
        .fallback(not_found)
        .with_state(service)
}

async fn not_found() -> Response {
    ApiError::new("UnknownOperationException", "Unknown path").into_response()
}

async fn handle(
    State(service): State<Arc<Service>>,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if method == Method::GET {
        return (StatusCode::OK, "healthy: states.us-east-1.amazonaws.com").into_response();
    }
    if method != Method::POST {
        return ApiError::new("UnknownOperationException", "Only POST is supported")
            .into_response();
    }
    let Some(operation) = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .and_then(|t| t.strip_prefix(TARGET_PREFIX))
    else {
        return ApiError::new(
            "UnknownOperationException",
            "Missing or unknown X-Amz-Target header",
        )
        .into_response();
    };
    let request: Value = if body.is_empty() {
        Value::Object(Map::new())
    } else {
        match serde_json::from_slice(&body) {
            Ok(value) => value,
            Err(e) => {
                return ApiError::new("SerializationException", format!("Invalid JSON body: {e}"))
                    .into_response()
            }
        }
    };
    match service.call(operation, &request) {
        Ok(value) => {
            let mut response = (StatusCode::OK, value.to_string()).into_response();
            response
                .headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
            response
        }
        Err(error) => error.into_response(),
    }
}
