//! The project's real state machines (infra/statemachines) against a fake Lambda Invoke API.
// Test support: a failed set-up step should fail the test at once, with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{lambda_error, ok, statemachines_dir, FakeLambda, InstantSleeper};
use pai_local_aws::stepfunctions::interpreter::Runtime;
use pai_local_aws::stepfunctions::lambda::LambdaClient;
use pai_local_aws::stepfunctions::{load_dir, state_machine_arn, Service};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;

struct Harness {
    service: Arc<Service>,
    sleeper: Arc<InstantSleeper>,
}

fn harness(fake: &FakeLambda) -> Harness {
    let machines = load_dir(&statemachines_dir(), "pai-local").unwrap();
    let sleeper = Arc::new(InstantSleeper::default());
    let runtime = Runtime {
        invoker: Arc::new(LambdaClient::new(&fake.url).unwrap()),
        sleeper: sleeper.clone(),
    };
    Harness {
        service: Service::new(machines, runtime),
        sleeper,
    }
}

/// Starts `machine` and waits for its end; returns DescribeExecution's answer.
async fn execute(service: &Arc<Service>, machine: &str, name: &str, input: Value) -> Value {
    let started = service
        .call(
            "StartExecution",
            &json!({"stateMachineArn": state_machine_arn(machine), "name": name, "input": input.to_string()}),
        )
        .unwrap();
    let arn = started["executionArn"].as_str().unwrap().to_owned();
    assert_eq!(
        arn,
        format!("arn:aws:states:us-east-1:123456789012:execution:{machine}:{name}")
    );
    for _ in 0..500 {
        let described = service
            .call("DescribeExecution", &json!({"executionArn": arn}))
            .unwrap();
        if described["status"] != "RUNNING" {
            return described;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("execution {name} did not finish");
}

fn output(described: &Value) -> Value {
    assert_eq!(described["status"], "SUCCEEDED", "{described}");
    serde_json::from_str(described["output"].as_str().unwrap()).unwrap()
}

fn turn() -> Value {
    json!({
        "conversation_id": "6f1c3e0e-0000-4000-8000-000000000001",
        "message_id": "6f1c3e0e-0000-4000-8000-000000000002",
        "user_id": 7,
        "model_id": "echo",
        "agent_id": null,
        "mode": "protect"
    })
}

fn empty_tools() -> Value {
    json!({"calls": [], "results": [], "for_model": []})
}

/// The input `chat-send` starts the machine with.
fn chat_input() -> Value {
    json!({"turn": turn(), "tools": empty_tools()})
}

fn reply(index: u64, tool_calls: Value) -> Value {
    json!({"text": format!("answer {index}"), "tool_calls": tool_calls, "usage": {"input_tokens": 1}, "model_id": "echo", "provider_index": index})
}

#[tokio::test]
async fn chat_turn_happy_path() {
    let fake = FakeLambda::start(|function, payload, _| match function {
        "turn-call-model" => ok(reply(
            payload["provider_index"].as_u64().unwrap(),
            json!([]),
        )),
        "turn-scan-output" => ok(json!({"text": "scanned"})),
        "turn-record" => ok(json!({"recorded": true})),
        other => (404, format!("no function {other}")),
    })
    .await;
    let h = harness(&fake);
    let described = execute(&h.service, "chat-turn", "turn-happy", chat_input()).await;
    let out = output(&described);
    assert_eq!(
        fake.functions(),
        ["turn-call-model", "turn-scan-output", "turn-record"]
    );
    let calls = fake.calls();
    assert_eq!(calls[0].1, json!({"turn": turn(), "provider_index": 0}));
    assert_eq!(
        calls[1].1,
        json!({"turn": turn(), "reply": reply(0, json!([]))})
    );
    assert_eq!(
        calls[2].1,
        json!({"turn": turn(), "reply": reply(0, json!([])), "output": {"text": "scanned"}, "tools": empty_tools()})
    );
    assert_eq!(out["recorded"], json!({"recorded": true}));
    assert!(out.get("error").is_none());
    assert!(h.sleeper.retry_delays().is_empty());
}

#[tokio::test]
async fn chat_turn_throttled_retries_three_times_then_falls_back() {
    let fake = FakeLambda::start(|function, payload, _| match function {
        "turn-call-model" if payload["provider_index"] == 0 => lambda_error("ProviderThrottled"),
        "turn-call-model" => ok(reply(1, json!([]))),
        "turn-scan-output" => ok(json!({"text": "scanned"})),
        "turn-record" => ok(json!({"recorded": true})),
        other => (404, format!("no function {other}")),
    })
    .await;
    let h = harness(&fake);
    let out = output(&execute(&h.service, "chat-turn", "turn-throttled", chat_input()).await);
    let calls = fake.calls();
    let sequence: Vec<(String, Value)> = calls
        .iter()
        .map(|(f, p)| {
            (
                f.clone(),
                p.get("provider_index").cloned().unwrap_or(Value::Null),
            )
        })
        .collect();
    assert_eq!(
        sequence,
        vec![
            ("turn-call-model".into(), json!(0)),
            ("turn-call-model".into(), json!(0)),
            ("turn-call-model".into(), json!(0)),
            ("turn-call-model".into(), json!(0)),
            ("turn-call-model".into(), json!(1)),
            ("turn-scan-output".into(), Value::Null),
            ("turn-record".into(), Value::Null),
        ]
    );
    assert_eq!(calls[4].1, json!({"turn": turn(), "provider_index": 1}));
    assert_eq!(h.sleeper.retry_delays(), vec![1.0, 2.0, 4.0]);
    // The caught error stays in the state ($.error) as {"Error", "Cause"}.
    assert_eq!(out["error"]["Error"], "ProviderThrottled");
    let cause: Value = serde_json::from_str(out["error"]["Cause"].as_str().unwrap()).unwrap();
    assert_eq!(cause["errorType"], "ProviderThrottled");
    assert_eq!(out["reply"]["provider_index"], 1);
}

#[tokio::test]
async fn chat_turn_no_more_providers_records_the_failure() {
    let fake = FakeLambda::start(|function, _, _| match function {
        "turn-call-model" => lambda_error("NoMoreProviders"),
        "turn-fail" => ok(json!({"recorded": true})),
        other => (404, format!("no function {other}")),
    })
    .await;
    let h = harness(&fake);
    let out = output(&execute(&h.service, "chat-turn", "turn-nomore", chat_input()).await);
    assert_eq!(fake.functions(), ["turn-call-model", "turn-fail"]);
    let fail_payload = &fake.calls()[1].1;
    assert_eq!(fail_payload["turn"], turn());
    assert_eq!(fail_payload["error"]["Error"], "NoMoreProviders");
    assert_eq!(
        fail_payload["error"]["Cause"],
        json!({"errorType": "NoMoreProviders", "errorMessage": "test"}).to_string()
    );
    assert_eq!(fail_payload.as_object().unwrap().len(), 2);
    assert_eq!(out["recorded"], json!({"recorded": true}));
}

#[tokio::test]
async fn chat_turn_runs_tools_then_final_answer() {
    let tool_call = json!([{"id": "call-1", "name": "lookup", "arguments": "{}"}]);
    let round = json!({"calls": tool_call.clone(), "results": [{"ok": 1}], "for_model": [{"role": "tool"}]});
    let (tc, rd) = (tool_call.clone(), round.clone());
    let fake = FakeLambda::start(move |function, payload, nth| match (function, nth) {
        ("turn-call-model", 0) => ok(reply(0, tc.clone())),
        ("turn-call-model", _) => {
            assert_eq!(payload["tools"], rd);
            ok(reply(0, json!([])))
        }
        ("turn-run-tools", _) => ok(rd.clone()),
        ("turn-scan-output", _) => ok(json!({"text": "scanned"})),
        ("turn-record", _) => ok(json!({"recorded": true})),
        (other, _) => (404, format!("no function {other}")),
    })
    .await;
    let h = harness(&fake);
    let out = output(&execute(&h.service, "chat-turn", "turn-tools", chat_input()).await);
    assert_eq!(
        fake.functions(),
        [
            "turn-call-model",
            "turn-run-tools",
            "turn-call-model",
            "turn-scan-output",
            "turn-record"
        ]
    );
    let calls = fake.calls();
    assert_eq!(
        calls[1].1,
        json!({"turn": turn(), "reply": reply(0, tool_call.clone())})
    );
    assert_eq!(
        calls[2].1,
        json!({"turn": turn(), "provider_index": 0, "tools": round.clone()})
    );
    assert_eq!(
        calls[3].1,
        json!({"turn": turn(), "reply": reply(0, json!([]))})
    );
    assert_eq!(calls[4].1["tools"], round);
    assert_eq!(out["tools"], round);
}

#[tokio::test]
async fn chat_turn_service_errors_retry_twice_and_unreachable_lambda_is_sdk_client_exception() {
    let fake = FakeLambda::start(|function, payload, _| match function {
        "turn-call-model" if payload["provider_index"] == 0 => (502, "Bad gateway".into()),
        "turn-call-model" => lambda_error("NoMoreProviders"),
        "turn-fail" => ok(json!({"recorded": true})),
        other => (404, format!("no function {other}")),
    })
    .await;
    let h = harness(&fake);
    let out = output(&execute(&h.service, "chat-turn", "turn-502", chat_input()).await);
    assert_eq!(
        fake.functions(),
        [
            "turn-call-model",
            "turn-call-model",
            "turn-call-model",
            "turn-call-model",
            "turn-fail"
        ]
    );
    assert_eq!(h.sleeper.retry_delays(), vec![1.0, 2.0]);
    assert_eq!(out["error"]["Error"], "NoMoreProviders");

    // Nothing listens on this port: every Task fails with Lambda.SdkClientException; the
    // RecordFailure task retries 3 times and then the execution fails.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let machines = load_dir(&statemachines_dir(), "pai-local").unwrap();
    let service = Service::new(
        machines,
        Runtime {
            invoker: Arc::new(LambdaClient::new(&dead).unwrap()),
            sleeper: Arc::new(InstantSleeper::default()),
        },
    );
    let described = execute(&service, "chat-turn", "turn-dead", chat_input()).await;
    assert_eq!(described["status"], "FAILED");
    assert_eq!(described["error"], "Lambda.SdkClientException");
}

#[tokio::test]
async fn conversation_purge_loops_over_two_batches() {
    let fake = FakeLambda::start(|function, payload, nth| match (function, nth) {
        ("conversation-purge-plan", 0) => ok(json!({
            "conversation_id": payload["conversation_id"],
            "expires_at": 1_900_000_000,
            "pages": [{"start_after": null}, {"start_after": "k1"}],
            "next": "k2"
        })),
        ("conversation-purge-plan", _) => ok(json!({
            "conversation_id": payload["conversation_id"],
            "expires_at": 1_900_000_000,
            "pages": [{"start_after": "k2"}],
            "next": null
        })),
        ("conversation-purge-mark", _) => ok(json!({"marked": 100})),
        (other, _) => (404, format!("no function {other}")),
    })
    .await;
    let h = harness(&fake);
    let described = execute(
        &h.service,
        "conversation-purge",
        "purge-1",
        json!({"conversation_id": "conv-1"}),
    )
    .await;
    let out = output(&described);
    let calls = fake.calls();
    assert_eq!(
        fake.functions(),
        [
            "conversation-purge-plan",
            "conversation-purge-mark",
            "conversation-purge-mark",
            "conversation-purge-plan",
            "conversation-purge-mark"
        ]
    );
    // Start: the expiry is computed from the execution's start time.
    let first_plan = &calls[0].1;
    assert_eq!(first_plan["conversation_id"], "conv-1");
    let requested_at = first_plan["requested_at"].as_str().unwrap();
    let start = chrono::DateTime::parse_from_rfc3339(requested_at).unwrap();
    let start_date = described["startDate"].as_f64().unwrap();
    assert!((start.timestamp_millis() as f64 / 1000.0 - start_date).abs() < 0.002);
    assert!(
        requested_at.ends_with('Z') && requested_at.len() == 24,
        "{requested_at}"
    );
    assert_eq!(first_plan.as_object().unwrap().len(), 2);
    let mut first_marks: Vec<Value> = vec![calls[1].1.clone(), calls[2].1.clone()];
    first_marks.sort_by_key(|m| m["start_after"].to_string());
    assert_eq!(
        first_marks,
        vec![
            json!({"conversation_id": "conv-1", "expires_at": 1_900_000_000, "start_after": "k1"}),
            json!({"conversation_id": "conv-1", "expires_at": 1_900_000_000, "start_after": null}),
        ]
    );
    assert_eq!(
        calls[3].1,
        json!({"conversation_id": "conv-1", "expires_at": 1_900_000_000, "after": "k2"})
    );
    assert_eq!(
        calls[4].1,
        json!({"conversation_id": "conv-1", "expires_at": 1_900_000_000, "start_after": "k2"})
    );
    // Map's ResultPath null keeps the plan's output as the state.
    assert_eq!(out["next"], Value::Null);
    assert_eq!(out["pages"], json!([{"start_after": "k2"}]));
}

#[tokio::test]
async fn api_errors() {
    let fake = FakeLambda::start(|_, _, _| ok(json!({}))).await;
    let h = harness(&fake);
    let start = |body: Value| h.service.call("StartExecution", &body).unwrap_err().code;
    assert_eq!(
        start(json!({"stateMachineArn": state_machine_arn("nope")})),
        "StateMachineDoesNotExist"
    );
    assert_eq!(
        start(json!({"stateMachineArn": state_machine_arn("chat-turn"), "input": "{not json"})),
        "InvalidExecutionInput"
    );
    assert_eq!(
        start(json!({"stateMachineArn": state_machine_arn("chat-turn"), "name": "has space"})),
        "InvalidName"
    );
    let missing = h
        .service
        .call(
            "DescribeExecution",
            &json!({"executionArn": "arn:aws:states:us-east-1:123456789012:execution:chat-turn:none"}),
        )
        .unwrap_err();
    assert_eq!(missing.code, "ExecutionDoesNotExist");
    assert_eq!(
        h.service
            .call("CreateStateMachine", &json!({}))
            .unwrap_err()
            .code,
        "UnknownOperationException"
    );
    let machines = h.service.call("ListStateMachines", &json!({})).unwrap();
    let names: Vec<&str> = machines["stateMachines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["chat-turn", "conversation-purge"]);
    let described = h
        .service
        .call(
            "DescribeStateMachine",
            &json!({"stateMachineArn": state_machine_arn("chat-turn")}),
        )
        .unwrap();
    assert!(described["definition"]
        .as_str()
        .unwrap()
        .contains("arn:aws:lambda:us-east-1:123456789012:function:turn-call-model"));
}

fn tiny_service(definition: Value, cap: usize) -> Arc<Service> {
    use pai_local_aws::stepfunctions::interpreter::TokioSleeper;
    use pai_local_aws::stepfunctions::load_machine;
    let machine = load_machine("tiny", "tiny.asl.json", &definition.to_string(), "t").unwrap();
    Service::with_cap(
        vec![machine],
        Runtime {
            invoker: Arc::new(LambdaClient::new("http://127.0.0.1:9").unwrap()),
            sleeper: Arc::new(TokioSleeper),
        },
        cap,
    )
}

#[tokio::test]
async fn stop_execution_aborts_a_running_one() {
    let service = tiny_service(
        json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 100, "End": true}}}),
        10,
    );
    let arn = state_machine_arn("tiny");
    let started = service
        .call(
            "StartExecution",
            &json!({"stateMachineArn": arn, "name": "long"}),
        )
        .unwrap();
    let execution = started["executionArn"].clone();
    let running = service
        .call(
            "ListExecutions",
            &json!({"stateMachineArn": arn, "statusFilter": "RUNNING"}),
        )
        .unwrap();
    assert_eq!(running["executions"].as_array().unwrap().len(), 1);
    service
        .call(
            "StopExecution",
            &json!({"executionArn": execution, "error": "Stopped", "cause": "by test"}),
        )
        .unwrap();
    let described = service
        .call("DescribeExecution", &json!({"executionArn": execution}))
        .unwrap();
    assert_eq!(described["status"], "ABORTED");
    assert_eq!(described["error"], "Stopped");
    assert_eq!(described["cause"], "by test");
    assert!(described["stopDate"].as_f64().unwrap() >= described["startDate"].as_f64().unwrap());
    tokio::time::sleep(Duration::from_millis(20)).await;
    let described = service
        .call("DescribeExecution", &json!({"executionArn": execution}))
        .unwrap();
    assert_eq!(
        described["status"], "ABORTED",
        "the aborted run must not finish later"
    );
}

#[tokio::test]
async fn finished_executions_are_capped_but_names_stay_taken() {
    let service = tiny_service(
        json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": 1, "End": true}}}),
        2,
    );
    for name in ["e1", "e2", "e3"] {
        let described = execute(&service, "tiny", name, json!({})).await;
        assert_eq!(described["status"], "SUCCEEDED");
        assert_eq!(described["output"], "1");
    }
    let first = "arn:aws:states:us-east-1:123456789012:execution:tiny:e1";
    let error = service
        .call("DescribeExecution", &json!({"executionArn": first}))
        .unwrap_err();
    assert_eq!(error.code, "ExecutionDoesNotExist");
    let again = service
        .call(
            "StartExecution",
            &json!({"stateMachineArn": state_machine_arn("tiny"), "name": "e1"}),
        )
        .unwrap_err();
    assert_eq!(again.code, "ExecutionAlreadyExists");
    let listed = service
        .call(
            "ListExecutions",
            &json!({"stateMachineArn": state_machine_arn("tiny"), "maxResults": 1}),
        )
        .unwrap();
    assert_eq!(listed["executions"][0]["name"], "e3", "newest first");
    assert_eq!(listed["nextToken"], "1");
}
