//! Runs a parsed definition with the JSONPath-mode semantics of AWS Step Functions:
//! InputPath → Parameters → task → ResultSelector → ResultPath (into the raw state input) →
//! OutputPath, Retry/Catch, Choice rules, inline Map, and the machine-level timeout.

use super::asl::{
    Catcher, Choice, Comparison, Condition, Definition, Jitter, MapState, Pass, ResultPath,
    Retrier, Scope, Select, State, Task, Template, Transition, Wait,
};
use futures_util::stream::{self, StreamExt};
use rand::Rng;
use serde_json::{json, Map, Value};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A named Step Functions error (`Error` / `Cause` of a failure or a Catch's error output).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{error}")]
pub struct StatesError {
    pub error: String,
    pub cause: Option<String>,
}

impl StatesError {
    pub fn new(error: impl Into<String>, cause: impl Into<String>) -> Self {
        StatesError {
            error: error.into(),
            cause: Some(cause.into()),
        }
    }

    pub fn runtime(cause: impl Into<String>) -> Self {
        StatesError::new("States.Runtime", cause)
    }

    /// Runtime errors fail the execution: no Retry or Catch sees them (AWS behaviour).
    pub fn is_terminal(&self) -> bool {
        matches!(
            self.error.as_str(),
            "States.Runtime" | "States.DataLimitExceeded"
        )
    }

    /// The error output a Catch passes on.
    pub fn to_output(&self) -> Value {
        let mut out = Map::new();
        out.insert("Error".into(), Value::String(self.error.clone()));
        if let Some(cause) = &self.cause {
            out.insert("Cause".into(), Value::String(cause.clone()));
        }
        Value::Object(out)
    }
}

/// Calls a Task's function.
pub trait Invoker: Send + Sync {
    fn invoke<'a>(
        &'a self,
        function: &'a str,
        payload: &'a Value,
    ) -> BoxFuture<'a, Result<Value, StatesError>>;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SleepKind {
    /// A delay between retries.
    Retry,
    /// A Wait state.
    Wait,
    /// A task or execution timeout racing the work.
    Timeout,
}

/// Every wait of the interpreter goes through this, so tests can run in (scaled) no time.
pub trait Sleeper: Send + Sync {
    fn sleep(&self, duration: Duration, kind: SleepKind) -> BoxFuture<'static, ()>;
}

pub struct TokioSleeper;

impl Sleeper for TokioSleeper {
    fn sleep(&self, duration: Duration, _kind: SleepKind) -> BoxFuture<'static, ()> {
        Box::pin(tokio::time::sleep(duration))
    }
}

#[derive(Clone)]
pub struct Runtime {
    pub invoker: Arc<dyn Invoker>,
    pub sleeper: Arc<dyn Sleeper>,
}

/// What the context object (`$$`) tells about the execution.
#[derive(Debug, Clone)]
pub struct ExecutionInfo {
    pub id: String,
    pub name: String,
    pub start_time: String,
    pub input: Value,
    pub machine_id: String,
    pub machine_name: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Succeeded(Value),
    Failed(StatesError),
    TimedOut(StatesError),
}

/// ISO-8601 UTC with milliseconds, as `$$.Execution.StartTime`.
pub fn timestamp(at: chrono::DateTime<chrono::Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

pub async fn run_execution(
    definition: &Definition,
    info: &ExecutionInfo,
    runtime: &Runtime,
) -> Outcome {
    let run = Run { info, runtime };
    let work = run.scope(&definition.scope, info.input.clone());
    let result = match definition.timeout_seconds {
        None => work.await,
        Some(seconds) => {
            let timeout = runtime
                .sleeper
                .sleep(Duration::from_secs(seconds), SleepKind::Timeout);
            tokio::select! {
                result = work => result,
                () = timeout => {
                    return Outcome::TimedOut(StatesError::new(
                        "States.Timeout",
                        format!("The execution timed out after {seconds} seconds."),
                    ))
                }
            }
        }
    };
    match result {
        Ok(output) => Outcome::Succeeded(output),
        Err(error) => Outcome::Failed(error),
    }
}

struct Run<'a> {
    info: &'a ExecutionInfo,
    runtime: &'a Runtime,
}

/// Where a state sends its output.
enum Step<'s> {
    Next(&'s str, Value),
    End(Value),
}

fn follow(transition: &Transition, output: Value) -> Step<'_> {
    match transition {
        Transition::Next(next) => Step::Next(next, output),
        Transition::End => Step::End(output),
    }
}

/// The bits of the context object that change per state.
struct StateCtx<'a> {
    name: &'a str,
    entered: String,
    retry_count: u32,
}

impl<'a> Run<'a> {
    fn scope<'s>(
        &'s self,
        scope: &'a Scope,
        input: Value,
    ) -> BoxFuture<'s, Result<Value, StatesError>>
    where
        'a: 's,
    {
        Box::pin(async move {
            let mut name = scope.start_at.as_str();
            let mut input = input;
            loop {
                let state = scope
                    .states
                    .get(name)
                    .ok_or_else(|| StatesError::runtime(format!("no state named '{name}'")))?;
                match self.state(name, state, input).await? {
                    Step::Next(next, output) => {
                        name = next;
                        input = output;
                    }
                    Step::End(output) => return Ok(output),
                }
            }
        })
    }

    async fn state(
        &self,
        name: &'a str,
        state: &'a State,
        input: Value,
    ) -> Result<Step<'a>, StatesError> {
        let ctx = StateCtx {
            name,
            entered: timestamp(chrono::Utc::now()),
            retry_count: 0,
        };
        match state {
            State::Task(task) => self.task(ctx, task, input).await,
            State::Pass(pass) => self.pass(&ctx, pass, input),
            State::Choice(choice) => choice_state(choice, input),
            State::Map(map) => self.map(ctx, map, input).await,
            State::Wait(wait) => self.wait(wait, input).await,
            State::Succeed(io) => {
                let effective = select(&io.input_path, input, "InputPath")?;
                Ok(Step::End(select(&io.output_path, effective, "OutputPath")?))
            }
            State::Fail(fail) => Err(StatesError {
                error: fail.error.clone().unwrap_or_default(),
                cause: fail.cause.clone(),
            }),
        }
    }

    fn context(&self, ctx: &StateCtx<'_>, item: Option<(usize, &Value)>) -> Value {
        let mut context = json!({
            "Execution": {
                "Id": self.info.id,
                "Name": self.info.name,
                "StartTime": self.info.start_time,
                "Input": self.info.input,
            },
            "StateMachine": {
                "Id": self.info.machine_id,
                "Name": self.info.machine_name,
            },
            "State": {
                "Name": ctx.name,
                "EnteredTime": ctx.entered,
                "RetryCount": ctx.retry_count,
            },
        });
        if let (Some((index, value)), Value::Object(map)) = (item, &mut context) {
            map.insert(
                "Map".into(),
                json!({"Item": {"Index": index, "Value": value}}),
            );
        }
        context
    }

    fn apply_template(
        &self,
        template: &Template,
        input: &Value,
        ctx: &StateCtx<'_>,
        item: Option<(usize, &Value)>,
        field: &str,
    ) -> Result<Value, StatesError> {
        let context = template.uses_context().then(|| self.context(ctx, item));
        evaluate(template, input, context.as_ref(), field)
    }

    fn pass(
        &self,
        ctx: &StateCtx<'_>,
        pass: &'a Pass,
        input: Value,
    ) -> Result<Step<'a>, StatesError> {
        let effective = select(&pass.io.input_path, input.clone(), "InputPath")?;
        let result = match (&pass.result, &pass.parameters) {
            (Some(result), _) => result.clone(),
            (None, Some(parameters)) => {
                self.apply_template(parameters, &effective, ctx, None, "Parameters")?
            }
            (None, None) => effective,
        };
        let combined = apply_result_path(&pass.result_path, input, result)?;
        let output = select(&pass.io.output_path, combined, "OutputPath")?;
        Ok(follow(&pass.transition, output))
    }

    async fn wait(&self, wait: &'a Wait, input: Value) -> Result<Step<'a>, StatesError> {
        let effective = select(&wait.io.input_path, input, "InputPath")?;
        self.runtime
            .sleeper
            .sleep(Duration::from_secs(wait.seconds), SleepKind::Wait)
            .await;
        let output = select(&wait.io.output_path, effective, "OutputPath")?;
        Ok(follow(&wait.transition, output))
    }

    async fn task(
        &self,
        mut ctx: StateCtx<'_>,
        task: &'a Task,
        input: Value,
    ) -> Result<Step<'a>, StatesError> {
        let effective = select(&task.io.input_path, input.clone(), "InputPath")?;
        let mut retries = RetryState::new(&task.retry);
        loop {
            let payload = match &task.parameters {
                Some(parameters) => {
                    self.apply_template(parameters, &effective, &ctx, None, "Parameters")?
                }
                None => effective.clone(),
            };
            let attempt = self
                .invoke_with_timeout(task, &payload)
                .await
                .map(|result| {
                    self.finish(
                        &task.result_selector,
                        &task.result_path,
                        &task.io.output_path,
                        &ctx,
                        input.clone(),
                        result,
                    )
                });
            if let Some(step) = self
                .after_attempt(
                    &mut ctx,
                    &mut retries,
                    &task.catch,
                    &task.transition,
                    &input,
                    attempt,
                )
                .await
            {
                return step;
            }
        }
    }

    /// What follows one attempt of a Task or Map state. `attempt` is `Err` when the work
    /// itself failed (retried per `Retry`, then caught), `Ok(Err)` when its result could not
    /// be placed (not worth retrying the work for: caught at once). Terminal errors end the
    /// execution. `None`: the retry pause has passed, run the work again.
    async fn after_attempt(
        &self,
        ctx: &mut StateCtx<'_>,
        retries: &mut RetryState<'_>,
        catchers: &'a [Catcher],
        transition: &'a Transition,
        input: &Value,
        attempt: Result<Result<Value, StatesError>, StatesError>,
    ) -> Option<Result<Step<'a>, StatesError>> {
        let error = match attempt {
            Ok(Ok(output)) => return Some(Ok(follow(transition, output))),
            Ok(Err(error)) if error.is_terminal() => return Some(Err(error)),
            Ok(Err(error)) => return Some(catch(catchers, input.clone(), error)),
            Err(error) => error,
        };
        if error.is_terminal() {
            return Some(Err(error));
        }
        match retries.next_delay(&error) {
            Some(delay) => {
                self.runtime.sleeper.sleep(delay, SleepKind::Retry).await;
                ctx.retry_count += 1;
                None
            }
            None => Some(catch(catchers, input.clone(), error)),
        }
    }

    async fn invoke_with_timeout(
        &self,
        task: &Task,
        payload: &Value,
    ) -> Result<Value, StatesError> {
        let invoke = self.runtime.invoker.invoke(&task.function, payload);
        let timeout = self.runtime.sleeper.sleep(
            Duration::from_secs(task.timeout_seconds),
            SleepKind::Timeout,
        );
        tokio::select! {
            result = invoke => result,
            () = timeout => {
                tracing::info!(function = %task.function, timeout_s = task.timeout_seconds, "task timed out");
                Err(StatesError::new(
                    "States.Timeout",
                    format!("Task timed out after {} seconds.", task.timeout_seconds),
                ))
            }
        }
    }

    /// ResultSelector → ResultPath (into the raw state input) → OutputPath.
    fn finish(
        &self,
        selector: &Option<Template>,
        result_path: &ResultPath,
        output_path: &Select,
        ctx: &StateCtx<'_>,
        raw_input: Value,
        result: Value,
    ) -> Result<Value, StatesError> {
        let result = match selector {
            Some(selector) => {
                self.apply_template(selector, &result, ctx, None, "ResultSelector")?
            }
            None => result,
        };
        let combined = apply_result_path(result_path, raw_input, result)?;
        select(output_path, combined, "OutputPath")
    }

    async fn map(
        &self,
        mut ctx: StateCtx<'_>,
        map: &'a MapState,
        input: Value,
    ) -> Result<Step<'a>, StatesError> {
        let effective = select(&map.io.input_path, input.clone(), "InputPath")?;
        let items = match map.items_path.get(&effective) {
            Some(Value::Array(items)) => items.clone(),
            Some(_) => {
                return Err(StatesError::runtime(format!(
                    "Map: ItemsPath '{}' did not resolve to an array",
                    map.items_path
                )))
            }
            None => {
                return Err(StatesError::runtime(format!(
                    "Map: ItemsPath '{}' could not be found in the input",
                    map.items_path
                )))
            }
        };
        let mut retries = RetryState::new(&map.retry);
        loop {
            let attempt = self
                .map_items(&ctx, map, &effective, &items)
                .await
                .map(|results| {
                    self.finish(
                        &map.result_selector,
                        &map.result_path,
                        &map.io.output_path,
                        &ctx,
                        input.clone(),
                        Value::Array(results),
                    )
                });
            if let Some(step) = self
                .after_attempt(
                    &mut ctx,
                    &mut retries,
                    &map.catch,
                    &map.transition,
                    &input,
                    attempt,
                )
                .await
            {
                return step;
            }
        }
    }

    /// Runs every item through the processor, at most `MaxConcurrency` at a time; the first
    /// failing iteration fails the Map (the others are dropped, i.e. aborted).
    async fn map_items(
        &self,
        ctx: &StateCtx<'_>,
        map: &'a MapState,
        effective: &Value,
        items: &[Value],
    ) -> Result<Vec<Value>, StatesError> {
        let mut inputs = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            inputs.push(match &map.item_selector {
                Some(selector) => self.apply_template(
                    selector,
                    effective,
                    ctx,
                    Some((index, item)),
                    "ItemSelector",
                )?,
                None => item.clone(),
            });
        }
        let limit = if map.max_concurrency == 0 {
            inputs.len().max(1)
        } else {
            map.max_concurrency
        };
        let processor: &Scope = &map.processor;
        let mut running = stream::iter(inputs.into_iter().enumerate().map(|(index, input)| {
            let work = self.scope(processor, input);
            async move { (index, work.await) }
        }))
        .buffer_unordered(limit);
        let mut results: Vec<Value> = vec![Value::Null; items.len()];
        while let Some((index, result)) = running.next().await {
            let value = result?;
            if let Some(slot) = results.get_mut(index) {
                *slot = value;
            }
        }
        Ok(results)
    }
}

fn choice_state(choice: &Choice, input: Value) -> Result<Step<'_>, StatesError> {
    let effective = select(&choice.io.input_path, input, "InputPath")?;
    let mut target = None;
    for (condition, next) in &choice.choices {
        if evaluate_condition(condition, &effective)? {
            target = Some(next.as_str());
            break;
        }
    }
    let target = match (target, &choice.default) {
        (Some(next), _) => next,
        (None, Some(default)) => default.as_str(),
        (None, None) => {
            return Err(StatesError::new(
                "States.NoChoiceMatched",
                "No Choice rule matched and there is no Default.",
            ))
        }
    };
    let output = select(&choice.io.output_path, effective, "OutputPath")?;
    Ok(Step::Next(target, output))
}

/// Evaluates a Choice rule. A missing Variable is a runtime error except for `IsPresent`.
pub fn evaluate_condition(condition: &Condition, input: &Value) -> Result<bool, StatesError> {
    match condition {
        Condition::And(all) => {
            for c in all {
                if !evaluate_condition(c, input)? {
                    return Ok(false);
                }
            }
            Ok(true)
        }
        Condition::Or(any) => {
            for c in any {
                if evaluate_condition(c, input)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        Condition::Not(inner) => Ok(!evaluate_condition(inner, input)?),
        Condition::Test { variable, op } => {
            let value = variable.get(input);
            if let Comparison::IsPresent(expected) = op {
                return Ok(value.is_some() == *expected);
            }
            let Some(value) = value else {
                return Err(StatesError::runtime(format!(
                    "Invalid path '{variable}': The choice state's condition path references an invalid value."
                )));
            };
            let number = || value.as_f64();
            Ok(match op {
                Comparison::IsPresent(_) => true,
                Comparison::IsNull(expected) => value.is_null() == *expected,
                Comparison::StringEquals(s) => value.as_str() == Some(s.as_str()),
                Comparison::BooleanEquals(b) => value.as_bool() == Some(*b),
                Comparison::NumericEquals(n) => number() == Some(*n),
                Comparison::NumericGreaterThan(n) => number().is_some_and(|v| v > *n),
                Comparison::NumericGreaterThanEquals(n) => number().is_some_and(|v| v >= *n),
                Comparison::NumericLessThan(n) => number().is_some_and(|v| v < *n),
                Comparison::NumericLessThanEquals(n) => number().is_some_and(|v| v <= *n),
            })
        }
    }
}

/// Evaluates a payload template against `input` (`$`) and `context` (`$$`).
pub fn evaluate(
    template: &Template,
    input: &Value,
    context: Option<&Value>,
    field: &str,
) -> Result<Value, StatesError> {
    match template {
        Template::Literal(value) => Ok(value.clone()),
        Template::Array(items) => items
            .iter()
            .map(|item| evaluate(item, input, context, field))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array),
        Template::Object(fields) => {
            let mut out = Map::with_capacity(fields.len());
            for (key, value) in fields {
                out.insert(key.clone(), evaluate(value, input, context, field)?);
            }
            Ok(Value::Object(out))
        }
        Template::Path(path) => {
            let (document, what) = match path.root {
                super::jsonpath::Root::Input => (Some(input), "input"),
                super::jsonpath::Root::Context => (context, "context object"),
            };
            document.and_then(|d| path.get(d)).cloned().ok_or_else(|| {
                StatesError::runtime(format!(
                    "The JSONPath '{path}' specified in {field} could not be found in the {what}."
                ))
            })
        }
    }
}

/// InputPath / OutputPath / ItemsPath-style selection; a missing path is a runtime error.
pub fn select(selection: &Select, value: Value, field: &str) -> Result<Value, StatesError> {
    match selection {
        Select::Null => Ok(Value::Object(Map::new())),
        Select::Path(path) if path.is_root() => Ok(value),
        Select::Path(path) => path.get(&value).cloned().ok_or_else(|| {
            StatesError::runtime(format!(
                "Invalid path '{path}' in {field}: the path could not be found in the input."
            ))
        }),
    }
}

pub fn apply_result_path(
    result_path: &ResultPath,
    raw_input: Value,
    result: Value,
) -> Result<Value, StatesError> {
    match result_path {
        ResultPath::Discard => Ok(raw_input),
        ResultPath::Set(path) => {
            let mut target = raw_input;
            path.set(&mut target, result).map_err(|e| {
                StatesError::new(
                    "States.ResultPathMatchFailure",
                    format!("Unable to apply ResultPath '{path}': {}", e.reason),
                )
            })?;
            Ok(target)
        }
    }
}

fn matches_error(names: &[String], error: &StatesError) -> bool {
    !error.is_terminal()
        && names.iter().any(|name| {
            name == &error.error
                || name == "States.ALL"
                || (name == "States.TaskFailed" && error.error != "States.Timeout")
        })
}

fn catch<'s>(
    catchers: &'s [Catcher],
    raw_input: Value,
    error: StatesError,
) -> Result<Step<'s>, StatesError> {
    let Some(catcher) = catchers
        .iter()
        .find(|c| matches_error(&c.error_equals, &error))
    else {
        return Err(error);
    };
    let output = apply_result_path(&catcher.result_path, raw_input, error.to_output())?;
    Ok(Step::Next(&catcher.next, output))
}

/// Per-state-entry retry bookkeeping: the first retrier whose ErrorEquals matches decides;
/// once it is exhausted the error goes to Catch (later retriers are not consulted).
struct RetryState<'r> {
    retriers: &'r [Retrier],
    attempts: Vec<u32>,
}

impl<'r> RetryState<'r> {
    fn new(retriers: &'r [Retrier]) -> Self {
        RetryState {
            retriers,
            attempts: vec![0; retriers.len()],
        }
    }

    fn next_delay(&mut self, error: &StatesError) -> Option<Duration> {
        let index = self
            .retriers
            .iter()
            .position(|r| matches_error(&r.error_equals, error))?;
        let retrier = &self.retriers[index];
        let done = self.attempts.get_mut(index)?;
        if *done >= retrier.max_attempts {
            return None;
        }
        let exponent = i32::try_from(*done).unwrap_or(i32::MAX);
        *done += 1;
        let mut seconds = retrier.interval_seconds as f64 * retrier.backoff_rate.powi(exponent);
        if let Some(max) = retrier.max_delay_seconds {
            seconds = seconds.min(max as f64);
        }
        if retrier.jitter == Jitter::Full {
            seconds = rand::thread_rng().gen_range(0.0..=seconds);
        }
        // Far beyond any real wait; keeps Duration::from_secs_f64 from panicking.
        Some(Duration::from_secs_f64(seconds.clamp(0.0, 1.0e9)))
    }
}

#[cfg(test)]
#[path = "interpreter_tests.rs"]
mod tests;
