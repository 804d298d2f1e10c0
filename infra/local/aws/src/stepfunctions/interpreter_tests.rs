use super::*;
use crate::stepfunctions::asl::parse_definition;
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

type Handler = dyn Fn(&str, &Value, usize) -> Result<Value, StatesError> + Send + Sync;

/// A scripted Invoker: `handler(function, payload, nth call of that function)`.
struct Fake {
    handler: Box<Handler>,
    calls: Mutex<Vec<(String, Value)>>,
    delay: Duration,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
}

impl Fake {
    fn new(
        handler: impl Fn(&str, &Value, usize) -> Result<Value, StatesError> + Send + Sync + 'static,
    ) -> Arc<Fake> {
        Self::with_delay(Duration::ZERO, handler)
    }

    fn with_delay(
        delay: Duration,
        handler: impl Fn(&str, &Value, usize) -> Result<Value, StatesError> + Send + Sync + 'static,
    ) -> Arc<Fake> {
        Arc::new(Fake {
            handler: Box::new(handler),
            calls: Mutex::new(Vec::new()),
            delay,
            in_flight: AtomicUsize::new(0),
            max_in_flight: AtomicUsize::new(0),
        })
    }

    fn calls(&self) -> Vec<(String, Value)> {
        self.calls.lock().unwrap().clone()
    }

    fn functions(&self) -> Vec<String> {
        self.calls().into_iter().map(|(f, _)| f).collect()
    }
}

impl Invoker for Fake {
    fn invoke<'a>(
        &'a self,
        function: &'a str,
        payload: &'a Value,
    ) -> BoxFuture<'a, Result<Value, StatesError>> {
        Box::pin(async move {
            let nth = {
                let mut calls = self.calls.lock().unwrap();
                let nth = calls.iter().filter(|(f, _)| f == function).count();
                calls.push((function.to_owned(), payload.clone()));
                nth
            };
            let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            self.max_in_flight.fetch_max(now, Ordering::SeqCst);
            if !self.delay.is_zero() {
                tokio::time::sleep(self.delay).await;
            }
            self.in_flight.fetch_sub(1, Ordering::SeqCst);
            (self.handler)(function, payload, nth)
        })
    }
}

/// Records retry/wait delays and returns at once; timeouts run at `timeout_scale` of real
/// time, or never fire when it is None.
struct Recorder {
    timeout_scale: Option<f64>,
    log: Mutex<Vec<(Duration, SleepKind)>>,
}

impl Recorder {
    fn new(timeout_scale: Option<f64>) -> Arc<Recorder> {
        Arc::new(Recorder {
            timeout_scale,
            log: Mutex::new(Vec::new()),
        })
    }

    fn delays(&self, kind: SleepKind) -> Vec<f64> {
        self.log
            .lock()
            .unwrap()
            .iter()
            .filter(|(_, k)| *k == kind)
            .map(|(d, _)| d.as_secs_f64())
            .collect()
    }
}

impl Sleeper for Recorder {
    fn sleep(&self, duration: Duration, kind: SleepKind) -> BoxFuture<'static, ()> {
        self.log.lock().unwrap().push((duration, kind));
        match (kind, self.timeout_scale) {
            (SleepKind::Timeout, None) => Box::pin(std::future::pending()),
            (SleepKind::Timeout, Some(scale)) => {
                Box::pin(tokio::time::sleep(duration.mul_f64(scale)))
            }
            _ => Box::pin(tokio::task::yield_now()),
        }
    }
}

fn info(input: Value) -> ExecutionInfo {
    ExecutionInfo {
        id: "arn:aws:states:us-east-1:123456789012:execution:m:exec-1".into(),
        name: "exec-1".into(),
        start_time: "2026-01-02T03:04:05.678Z".into(),
        input,
        machine_id: "arn:aws:states:us-east-1:123456789012:stateMachine:m".into(),
        machine_name: "m".into(),
    }
}

async fn run_with(
    definition: Value,
    input: Value,
    fake: &Arc<Fake>,
    sleeper: &Arc<Recorder>,
) -> Outcome {
    let definition = parse_definition("test", &definition.to_string()).unwrap();
    let runtime = Runtime {
        invoker: fake.clone(),
        sleeper: sleeper.clone(),
    };
    run_execution(&definition, &info(input), &runtime).await
}

async fn run(definition: Value, input: Value, fake: &Arc<Fake>) -> Outcome {
    run_with(definition, input, fake, &Recorder::new(None)).await
}

fn fn_arn(name: &str) -> String {
    format!("arn:aws:lambda:us-east-1:123456789012:function:{name}")
}

fn error(name: &str) -> StatesError {
    StatesError::new(name, format!("{{\"errorType\":\"{name}\"}}"))
}

fn succeeded(outcome: Outcome) -> Value {
    match outcome {
        Outcome::Succeeded(value) => value,
        other => panic!("expected success, got {other:?}"),
    }
}

fn failed(outcome: Outcome) -> StatesError {
    match outcome {
        Outcome::Failed(error) => error,
        other => panic!("expected failure, got {other:?}"),
    }
}

#[tokio::test]
async fn pass_paths_combine_like_aws() {
    let definition = json!({
        "StartAt": "A",
        "States": {
            "A": {
                "Type": "Pass",
                "InputPath": "$.data",
                "Parameters": {"x.$": "$.x", "lit": [1, {"y.$": "$.y"}], "exec.$": "$$.Execution.Name"},
                "ResultPath": "$.out.params",
                "Next": "B"
            },
            "B": {"Type": "Pass", "Result": {"r": 1}, "ResultPath": "$.result", "OutputPath": "$.out", "Next": "C"},
            "C": {"Type": "Pass", "ResultPath": null, "Next": "D"},
            "D": {"Type": "Pass", "InputPath": null, "ResultPath": "$.empty", "End": true}
        }
    });
    let fake = Fake::new(|_, _, _| Ok(Value::Null));
    let output = succeeded(
        run(
            definition,
            json!({"data": {"x": 1, "y": 2}, "other": true}),
            &fake,
        )
        .await,
    );
    // D: InputPath null → {} as effective input, placed at $.empty of the raw input.
    assert_eq!(
        output,
        json!({"params": {"x": 1, "lit": [1, {"y": 2}], "exec": "exec-1"}, "empty": {}})
    );
}

#[tokio::test]
async fn task_paths_payload_and_result() {
    let definition = json!({
        "StartAt": "T",
        "States": {
            "T": {
                "Type": "Task",
                "Resource": fn_arn("f"),
                "InputPath": "$.req",
                "Parameters": {"id.$": "$.id", "fixed": "v", "state.$": "$$.State.Name"},
                "ResultSelector": {"answer.$": "$.body.answer"},
                "ResultPath": "$.res.sel",
                "OutputPath": "$.res",
                "End": true
            }
        }
    });
    let fake = Fake::new(|_, _, _| Ok(json!({"body": {"answer": 42, "noise": 1}})));
    let output = succeeded(run(definition, json!({"req": {"id": "a"}, "keep": 1}), &fake).await);
    assert_eq!(output, json!({"sel": {"answer": 42}}));
    assert_eq!(
        fake.calls(),
        vec![("f".into(), json!({"id": "a", "fixed": "v", "state": "T"}))]
    );
}

#[tokio::test]
async fn result_path_defaults_replace_and_null_discards() {
    let definition = json!({
        "StartAt": "Replace",
        "States": {
            "Replace": {"Type": "Task", "Resource": fn_arn("f"), "Next": "Discard"},
            "Discard": {"Type": "Task", "Resource": fn_arn("g"), "ResultPath": null, "End": true}
        }
    });
    let fake = Fake::new(|f, _, _| Ok(json!({"from": f})));
    let output = succeeded(run(definition, json!({"in": 1}), &fake).await);
    assert_eq!(output, json!({"from": "f"}));
    assert_eq!(fake.calls()[1].1, json!({"from": "f"}));
}

#[tokio::test]
async fn result_path_into_a_scalar_is_a_catchable_match_failure() {
    let definition = json!({
        "StartAt": "T",
        "States": {
            "T": {
                "Type": "Task", "Resource": fn_arn("f"), "ResultPath": "$.s.x",
                "Catch": [{"ErrorEquals": ["States.ResultPathMatchFailure"], "ResultPath": "$.err", "Next": "Done"}],
                "End": true
            },
            "Done": {"Type": "Succeed"}
        }
    });
    let fake = Fake::new(|_, _, _| Ok(json!(1)));
    let output = succeeded(run(definition, json!({"s": "text"}), &fake).await);
    assert_eq!(output["err"]["Error"], "States.ResultPathMatchFailure");
}

#[tokio::test]
async fn missing_parameter_path_fails_the_execution_uncaught() {
    let definition = json!({
        "StartAt": "T",
        "States": {
            "T": {
                "Type": "Task", "Resource": fn_arn("f"),
                "Parameters": {"turn.$": "$.turn"},
                "Retry": [{"ErrorEquals": ["States.ALL"]}],
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}],
                "End": true
            },
            "Caught": {"Type": "Succeed"}
        }
    });
    let fake = Fake::new(|_, _, _| Ok(json!({})));
    let error = failed(run(definition, json!({"other": 1}), &fake).await);
    assert_eq!(error.error, "States.Runtime");
    assert!(error.cause.unwrap().contains("$.turn"));
    assert!(fake.calls().is_empty());
}

#[tokio::test]
async fn missing_input_path_and_output_path_fail() {
    let fake = Fake::new(|_, _, _| Ok(json!({})));
    let definition = json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "InputPath": "$.nope", "End": true}}});
    assert_eq!(
        failed(run(definition, json!({}), &fake).await).error,
        "States.Runtime"
    );
    let definition = json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "OutputPath": "$.nope", "End": true}}});
    assert_eq!(
        failed(run(definition, json!({}), &fake).await).error,
        "States.Runtime"
    );
}

#[test]
fn choice_rules() {
    use crate::stepfunctions::asl::State;
    let definition = parse_definition(
        "t",
        &json!({
            "StartAt": "C",
            "States": {
                "C": {
                    "Type": "Choice",
                    "Choices": [
                        {"Variable": "$.a[0]", "IsPresent": true, "Next": "X"},
                        {"Variable": "$.n", "IsNull": false, "Next": "X"},
                        {"Variable": "$.s", "StringEquals": "yes", "Next": "X"},
                        {"Variable": "$.b", "BooleanEquals": true, "Next": "X"},
                        {"Variable": "$.n", "NumericEquals": 3, "Next": "X"},
                        {"And": [
                            {"Variable": "$.n", "NumericGreaterThan": 1},
                            {"Variable": "$.n", "NumericLessThanEquals": 5}
                        ], "Next": "X"},
                        {"Or": [
                            {"Variable": "$.n", "NumericLessThan": 0},
                            {"Variable": "$.n", "NumericGreaterThanEquals": 10}
                        ], "Next": "X"},
                        {"Not": {"Variable": "$.s", "StringEquals": "yes"}, "Next": "X"}
                    ],
                    "Default": "X"
                },
                "X": {"Type": "Succeed"}
            }
        })
        .to_string(),
    )
    .unwrap();
    let State::Choice(choice) = &definition.scope.states["C"] else {
        panic!("not a choice")
    };
    let rule = |i: usize, input: Value| evaluate_condition(&choice.choices[i].0, &input);
    assert!(rule(0, json!({"a": [1]})).unwrap());
    assert!(!rule(0, json!({"a": []})).unwrap());
    assert!(
        !rule(0, json!({})).unwrap(),
        "IsPresent tests without failing"
    );
    assert!(rule(1, json!({"n": 0})).unwrap());
    assert!(!rule(1, json!({"n": null})).unwrap());
    assert_eq!(rule(1, json!({})).unwrap_err().error, "States.Runtime");
    assert!(rule(2, json!({"s": "yes"})).unwrap());
    assert!(!rule(2, json!({"s": 1})).unwrap(), "type mismatch is false");
    assert!(rule(3, json!({"b": true})).unwrap());
    assert!(!rule(3, json!({"b": "true"})).unwrap());
    assert!(rule(4, json!({"n": 3.0})).unwrap());
    assert!(rule(5, json!({"n": 5})).unwrap());
    assert!(!rule(5, json!({"n": 1})).unwrap());
    assert!(rule(6, json!({"n": -1})).unwrap());
    assert!(rule(6, json!({"n": 10})).unwrap());
    assert!(!rule(6, json!({"n": 9})).unwrap());
    assert!(rule(7, json!({"s": "no"})).unwrap());
    assert!(!rule(7, json!({"s": "yes"})).unwrap());
}

#[tokio::test]
async fn choice_routes_default_and_no_match() {
    let machine = |default: bool| {
        let mut choice = json!({
            "Type": "Choice",
            "OutputPath": "$.v",
            "Choices": [{"Variable": "$.v", "StringEquals": "a", "Next": "A"}]
        });
        if default {
            choice["Default"] = json!("B");
        }
        json!({"StartAt": "C", "States": {
            "C": choice,
            "A": {"Type": "Pass", "Result": "went-a", "End": true},
            "B": {"Type": "Pass", "Result": "went-b", "End": true}
        }})
    };
    let fake = Fake::new(|_, _, _| Ok(json!({})));
    assert_eq!(
        succeeded(run(machine(true), json!({"v": "a"}), &fake).await),
        json!("went-a")
    );
    assert_eq!(
        succeeded(run(machine(true), json!({"v": "z"}), &fake).await),
        json!("went-b")
    );
    let error = failed(run(machine(false), json!({"v": "z"}), &fake).await);
    assert_eq!(error.error, "States.NoChoiceMatched");
}

fn retry_machine(retry: Value) -> Value {
    json!({
        "StartAt": "T",
        "States": {
            "T": {
                "Type": "Task", "Resource": fn_arn("f"),
                "Parameters": {"retry.$": "$$.State.RetryCount"},
                "Retry": retry,
                "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Caught"}],
                "End": true
            },
            "Caught": {"Type": "Pass", "End": true}
        }
    })
}

#[tokio::test]
async fn retry_counts_and_backs_off() {
    let fake = Fake::new(|_, _, nth| {
        if nth < 3 {
            Err(error("ProviderThrottled"))
        } else {
            Ok(json!("ok"))
        }
    });
    let sleeper = Recorder::new(None);
    let definition = retry_machine(json!([
        {"ErrorEquals": ["ProviderThrottled"], "IntervalSeconds": 1, "MaxAttempts": 3, "BackoffRate": 2.0}
    ]));
    let output = succeeded(run_with(definition, json!({}), &fake, &sleeper).await);
    assert_eq!(output, json!("ok"));
    assert_eq!(sleeper.delays(SleepKind::Retry), vec![1.0, 2.0, 4.0]);
    let retry_counts: Vec<Value> = fake
        .calls()
        .into_iter()
        .map(|(_, p)| p["retry"].clone())
        .collect();
    assert_eq!(retry_counts, vec![json!(0), json!(1), json!(2), json!(3)]);
}

#[tokio::test]
async fn exhausted_retrier_goes_to_catch_without_falling_through() {
    let fake = Fake::new(|_, _, _| Err(error("ProviderThrottled")));
    let sleeper = Recorder::new(None);
    let definition = retry_machine(json!([
        {"ErrorEquals": ["ProviderThrottled"], "IntervalSeconds": 3, "MaxAttempts": 2, "BackoffRate": 1.5},
        {"ErrorEquals": ["States.ALL"], "MaxAttempts": 5}
    ]));
    let output = succeeded(run_with(definition, json!({"keep": 1}), &fake, &sleeper).await);
    assert_eq!(
        fake.calls().len(),
        3,
        "1 try + 2 retries, the States.ALL retrier is not used"
    );
    assert_eq!(sleeper.delays(SleepKind::Retry), vec![3.0, 4.5]);
    assert_eq!(output["keep"], 1);
    assert_eq!(output["error"]["Error"], "ProviderThrottled");
    assert_eq!(
        output["error"]["Cause"],
        "{\"errorType\":\"ProviderThrottled\"}"
    );
}

#[tokio::test]
async fn retry_defaults_max_delay_jitter_and_zero_attempts() {
    // Defaults: interval 1, 3 attempts, backoff 2; capped at MaxDelaySeconds 3.
    let fake = Fake::new(|_, _, _| Err(error("E")));
    let sleeper = Recorder::new(None);
    let definition = retry_machine(json!([{"ErrorEquals": ["E"], "MaxDelaySeconds": 3}]));
    succeeded(run_with(definition, json!({}), &fake, &sleeper).await);
    assert_eq!(sleeper.delays(SleepKind::Retry), vec![1.0, 2.0, 3.0]);

    let fake = Fake::new(|_, _, _| Err(error("E")));
    let sleeper = Recorder::new(None);
    let definition = retry_machine(json!([{"ErrorEquals": ["E"], "MaxAttempts": 0}]));
    succeeded(run_with(definition, json!({}), &fake, &sleeper).await);
    assert_eq!(fake.calls().len(), 1);
    assert!(sleeper.delays(SleepKind::Retry).is_empty());

    let fake = Fake::new(|_, _, _| Err(error("E")));
    let sleeper = Recorder::new(None);
    let definition = retry_machine(json!([
        {"ErrorEquals": ["E"], "IntervalSeconds": 2, "MaxAttempts": 6, "BackoffRate": 2, "JitterStrategy": "FULL"}
    ]));
    succeeded(run_with(definition, json!({}), &fake, &sleeper).await);
    let delays = sleeper.delays(SleepKind::Retry);
    assert_eq!(delays.len(), 6);
    for (i, delay) in delays.iter().enumerate() {
        let nominal = 2.0 * 2f64.powi(i as i32);
        assert!(
            *delay >= 0.0 && *delay <= nominal,
            "delay {i} = {delay} > {nominal}"
        );
    }
    assert!(
        delays.iter().sum::<f64>() < 126.0,
        "full jitter lowers the total"
    );
}

#[tokio::test]
async fn task_failed_matches_everything_but_timeout() {
    let definition = |error_name: &str| {
        json!({
            "StartAt": "T",
            "States": {
                "T": {
                    "Type": "Task", "Resource": fn_arn("f"), "TimeoutSeconds": 1,
                    "Catch": [
                        {"ErrorEquals": ["States.TaskFailed"], "ResultPath": "$.e", "Next": "TaskFailed"},
                        {"ErrorEquals": [error_name], "ResultPath": "$.e", "Next": "Other"}
                    ],
                    "End": true
                },
                "TaskFailed": {"Type": "Pass", "Result": "task-failed", "End": true},
                "Other": {"Type": "Pass", "OutputPath": "$.e", "End": true}
            }
        })
    };
    let fake = Fake::new(|_, _, _| Err(error("Boom")));
    let output = succeeded(run(definition("States.ALL"), json!({}), &fake).await);
    assert_eq!(output, json!("task-failed"));

    // A slow function with TimeoutSeconds 1 at 1/100 of real time: 10 ms against 300 ms.
    let slow = Fake::with_delay(Duration::from_millis(300), |_, _, _| Ok(json!("late")));
    let sleeper = Recorder::new(Some(0.01));
    let output =
        succeeded(run_with(definition("States.Timeout"), json!({}), &slow, &sleeper).await);
    assert_eq!(output["Error"], "States.Timeout");
}

#[tokio::test]
async fn catch_routes_to_the_first_match_with_error_output() {
    let definition = json!({
        "StartAt": "T",
        "States": {
            "T": {
                "Type": "Task", "Resource": fn_arn("f"),
                "Catch": [
                    {"ErrorEquals": ["NoMoreProviders", "TurnNotFound"], "ResultPath": "$.error", "Next": "Fail"},
                    {"ErrorEquals": ["States.ALL"], "Next": "Other"}
                ],
                "End": true
            },
            "Fail": {"Type": "Pass", "End": true},
            "Other": {"Type": "Pass", "Result": "other", "ResultPath": "$.went", "End": true}
        }
    });
    let fake = Fake::new(|_, _, _| Err(error("TurnNotFound")));
    let output = succeeded(run(definition.clone(), json!({"turn": {"id": 1}}), &fake).await);
    assert_eq!(
        fake.functions(),
        vec!["f".to_string()],
        "a Catch without Retry calls once"
    );
    assert_eq!(
        output,
        json!({"turn": {"id": 1}, "error": {"Error": "TurnNotFound", "Cause": "{\"errorType\":\"TurnNotFound\"}"}})
    );
    let fake = Fake::new(|_, _, _| Err(error("Else")));
    let output = succeeded(run(definition, json!({"turn": 1}), &fake).await);
    // Default catcher ResultPath `$`: the error output replaces the input.
    assert_eq!(
        output,
        json!({"Error": "Else", "Cause": "{\"errorType\":\"Else\"}", "went": "other"})
    );
}

#[tokio::test]
async fn fail_state_reports_error_and_cause() {
    let definition =
        json!({"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Bad", "Cause": "why"}}});
    let fake = Fake::new(|_, _, _| Ok(json!({})));
    let error = failed(run(definition, json!({}), &fake).await);
    assert_eq!(error, StatesError::new("Bad", "why"));
}

fn map_machine(max_concurrency: u64) -> Value {
    json!({
        "StartAt": "M",
        "States": {
            "M": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "MaxConcurrency": max_concurrency,
                "ItemSelector": {"shared.$": "$.shared", "value.$": "$$.Map.Item.Value", "index.$": "$$.Map.Item.Index"},
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "INLINE"},
                    "StartAt": "Work",
                    "States": {"Work": {"Type": "Task", "Resource": fn_arn("work"), "End": true}}
                },
                "ResultPath": "$.results",
                "Catch": [{"ErrorEquals": ["ItemFailed"], "ResultPath": "$.error", "Next": "Caught"}],
                "End": true
            },
            "Caught": {"Type": "Pass", "End": true}
        }
    })
}

#[tokio::test]
async fn map_respects_max_concurrency_and_keeps_order() {
    for (limit, expected_peak) in [(2, 2), (0, 6)] {
        let fake = Fake::with_delay(Duration::from_millis(30), |_, payload, _| {
            Ok(json!(payload["index"].as_u64().unwrap() * 10))
        });
        let input = json!({"items": ["a", "b", "c", "d", "e", "f"], "shared": "s"});
        let output = succeeded(run(map_machine(limit), input, &fake).await);
        assert_eq!(output["results"], json!([0, 10, 20, 30, 40, 50]));
        assert_eq!(
            fake.max_in_flight.load(Ordering::SeqCst),
            expected_peak,
            "limit {limit}"
        );
        let mut payloads: Vec<Value> = fake.calls().into_iter().map(|(_, p)| p).collect();
        payloads.sort_by_key(|p| p["index"].as_u64());
        assert_eq!(
            payloads[1],
            json!({"shared": "s", "value": "b", "index": 1})
        );
    }
}

#[tokio::test]
async fn failing_iteration_fails_the_map() {
    let fake = Fake::new(|_, payload, _| {
        if payload["value"] == "bad" {
            Err(error("ItemFailed"))
        } else {
            Ok(json!("fine"))
        }
    });
    let input = json!({"items": ["ok", "bad", "ok"], "shared": 1});
    let output = succeeded(run(map_machine(1), input, &fake).await);
    assert_eq!(output["error"]["Error"], "ItemFailed");
    assert!(output.get("results").is_none());
    // An uncaught iteration error fails the execution with that error.
    let fake = Fake::new(|_, _, _| Err(error("Unlisted")));
    let error = failed(run(map_machine(0), json!({"items": [1], "shared": 1}), &fake).await);
    assert_eq!(error.error, "Unlisted");
}

#[tokio::test]
async fn legacy_iterator_and_items_path_errors() {
    let definition = json!({
        "StartAt": "M",
        "States": {"M": {
            "Type": "Map",
            "Iterator": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}},
            "End": true
        }}
    });
    let fake = Fake::new(|_, _, _| Ok(json!({})));
    assert_eq!(
        succeeded(run(definition.clone(), json!([1, 2]), &fake).await),
        json!([1, 2])
    );
    let error = failed(run(definition, json!({"not": "array"}), &fake).await);
    assert_eq!(error.error, "States.Runtime");
}

#[tokio::test]
async fn machine_timeout_times_out() {
    let definition = json!({
        "StartAt": "T",
        "TimeoutSeconds": 1,
        "States": {"T": {"Type": "Task", "Resource": fn_arn("slow"), "TimeoutSeconds": 100, "End": true}}
    });
    let slow = Fake::with_delay(Duration::from_millis(300), |_, _, _| Ok(json!("late")));
    let sleeper = Recorder::new(Some(0.01));
    match run_with(definition, json!({}), &slow, &sleeper).await {
        Outcome::TimedOut(error) => assert_eq!(error.error, "States.Timeout"),
        other => panic!("expected a timeout, got {other:?}"),
    }
}

#[tokio::test]
async fn wait_state_uses_the_sleeper_and_context_has_execution_fields() {
    let definition = json!({
        "StartAt": "W",
        "States": {
            "W": {"Type": "Wait", "Seconds": 7, "Next": "P"},
            "P": {"Type": "Pass", "Parameters": {
                "id.$": "$$.Execution.Id", "start.$": "$$.Execution.StartTime",
                "input.$": "$$.Execution.Input", "machine.$": "$$.StateMachine.Name",
                "machine_id.$": "$$.StateMachine.Id", "state.$": "$$.State.Name",
                "entered.$": "$$.State.EnteredTime"
            }, "End": true}
        }
    });
    let fake = Fake::new(|_, _, _| Ok(json!({})));
    let sleeper = Recorder::new(None);
    let output = succeeded(run_with(definition, json!({"q": 1}), &fake, &sleeper).await);
    assert_eq!(sleeper.delays(SleepKind::Wait), vec![7.0]);
    assert_eq!(
        output["id"],
        "arn:aws:states:us-east-1:123456789012:execution:m:exec-1"
    );
    assert_eq!(output["start"], "2026-01-02T03:04:05.678Z");
    assert_eq!(output["input"], json!({"q": 1}));
    assert_eq!(output["machine"], "m");
    assert_eq!(output["state"], "P");
    let entered = output["entered"].as_str().unwrap();
    assert!(entered.ends_with('Z') && entered.len() == 24, "{entered}");
}

#[test]
fn timestamp_format() {
    let at = chrono::DateTime::parse_from_rfc3339("2026-05-06T07:08:09.1Z").unwrap();
    assert_eq!(
        timestamp(at.with_timezone(&chrono::Utc)),
        "2026-05-06T07:08:09.100Z"
    );
}
