//! The whole emulator driven by the real AWS SDK clients, and the binary's process behaviour.

mod common;

use aws_sdk_dynamodb::types::AttributeValue;
use common::{ok, statemachines_dir, temp_dir, FakeLambda};
use pai_local_aws::{Config, Emulator, StartError};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

fn config(db_path: &Path, lambda_url: &str) -> Config {
    Config {
        host: "127.0.0.1".into(),
        dynamodb_port: 0,
        stepfunctions_port: 0,
        db_path: db_path.to_owned(),
        table: "pai-local".into(),
        state_machines: statemachines_dir(),
        lambda_url: lambda_url.into(),
    }
}

fn http() -> aws_sdk_sfn::config::SharedHttpClient {
    aws_smithy_http_client::Builder::new().build_http()
}

fn sfn_client(endpoint: &str) -> aws_sdk_sfn::Client {
    use aws_sdk_sfn::config::{BehaviorVersion, Credentials, Region};
    let config = aws_sdk_sfn::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "test"))
        .endpoint_url(endpoint)
        .http_client(http())
        .build();
    aws_sdk_sfn::Client::from_conf(config)
}

fn dynamodb_client(endpoint: &str) -> aws_sdk_dynamodb::Client {
    use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "test"))
        .endpoint_url(endpoint)
        .http_client(http())
        .build();
    aws_sdk_dynamodb::Client::from_conf(config)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn step_functions_through_the_aws_sdk() {
    let fake = FakeLambda::start(|function, payload, _| match function {
        "turn-call-model" => {
            ok(json!({"text": "hi", "tool_calls": [], "provider_index": payload["provider_index"]}))
        }
        "turn-scan-output" => ok(json!({"text": "hi"})),
        "turn-record" => ok(json!({"recorded": true})),
        other => (404, format!("no function {other}")),
    })
    .await;
    let dir = temp_dir("sfn-sdk");
    let emulator = Emulator::start(&config(&dir.join("pai.sqlite"), &fake.url))
        .await
        .unwrap();
    let client = sfn_client(&emulator.stepfunctions_endpoint());
    let arn = "arn:aws:states:us-east-1:123456789012:stateMachine:chat-turn";
    let input = json!({"turn": {"message_id": "m1"}, "tools": {"calls": []}}).to_string();

    let started = client
        .start_execution()
        .state_machine_arn(arn)
        .name("turn-1")
        .input(&input)
        .send()
        .await
        .unwrap();
    assert_eq!(
        started.execution_arn(),
        "arn:aws:states:us-east-1:123456789012:execution:chat-turn:turn-1"
    );
    let again = client
        .start_execution()
        .state_machine_arn(arn)
        .name("turn-1")
        .input(&input)
        .send()
        .await
        .unwrap_err();
    let service_error = again.into_service_error();
    assert!(
        service_error.is_execution_already_exists(),
        "{service_error:?}"
    );
    assert_eq!(
        aws_sdk_sfn::error::ProvideErrorMetadata::code(&service_error),
        Some("ExecutionAlreadyExists")
    );

    let mut status = None;
    for _ in 0..200 {
        let described = client
            .describe_execution()
            .execution_arn(started.execution_arn())
            .send()
            .await
            .unwrap();
        if described.status().as_str() != "RUNNING" {
            assert_eq!(described.name(), Some("turn-1"));
            assert_eq!(described.input(), Some(input.as_str()));
            assert!(described.stop_date().is_some());
            let output: Value = serde_json::from_str(described.output().unwrap()).unwrap();
            assert_eq!(output["recorded"], json!({"recorded": true}));
            status = Some(described.status().as_str().to_owned());
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(status.as_deref(), Some("SUCCEEDED"));

    let missing = client
        .start_execution()
        .state_machine_arn("arn:aws:states:us-east-1:123456789012:stateMachine:nope")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(missing.is_state_machine_does_not_exist(), "{missing:?}");
    let bad_input = client
        .start_execution()
        .state_machine_arn(arn)
        .input("{")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(bad_input.is_invalid_execution_input(), "{bad_input:?}");

    let machines = client.list_state_machines().send().await.unwrap();
    assert_eq!(machines.state_machines().len(), 2);
    let executions = client
        .list_executions()
        .state_machine_arn(arn)
        .status_filter(aws_sdk_sfn::types::ExecutionStatus::Succeeded)
        .send()
        .await
        .unwrap();
    assert_eq!(executions.executions().len(), 1);
    let described = client
        .describe_state_machine()
        .state_machine_arn(arn)
        .send()
        .await
        .unwrap();
    assert_eq!(described.name(), "chat-turn");
    assert_eq!(described.r#type().as_str(), "EXPRESS");
    emulator.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dynamodb_table_persistence_and_exclusive_file() {
    let dir = temp_dir("ddb-sdk");
    let db_path = dir.join("data").join("pai.sqlite");
    let emulator = Emulator::start(&config(&db_path, "http://127.0.0.1:9"))
        .await
        .unwrap();
    let client = dynamodb_client(&emulator.dynamodb_endpoint());
    let table = client
        .describe_table()
        .table_name("pai-local")
        .send()
        .await
        .unwrap();
    let table = table.table().unwrap();
    let keys: Vec<(String, String)> = table
        .key_schema()
        .iter()
        .map(|k| {
            (
                k.attribute_name().to_owned(),
                k.key_type().as_str().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        keys,
        [("pk".into(), "HASH".into()), ("sk".into(), "RANGE".into())]
    );
    let gsi = &table.global_secondary_indexes()[0];
    assert_eq!(gsi.index_name(), Some("gsi1"));
    let gsi_keys: Vec<&str> = gsi
        .key_schema()
        .iter()
        .map(|k| k.attribute_name())
        .collect();
    assert_eq!(gsi_keys, ["gsi1pk", "gsi1sk"]);
    assert_eq!(
        gsi.projection()
            .and_then(|p| p.projection_type())
            .map(|t| t.as_str()),
        Some("ALL")
    );
    assert_eq!(
        table
            .billing_mode_summary()
            .and_then(|b| b.billing_mode())
            .map(|m| m.as_str()),
        Some("PAY_PER_REQUEST")
    );
    let ttl = client
        .describe_time_to_live()
        .table_name("pai-local")
        .send()
        .await
        .unwrap();
    let ttl = ttl.time_to_live_description().unwrap();
    assert_eq!(ttl.attribute_name(), Some("expires_at"));
    assert_eq!(
        ttl.time_to_live_status().map(|s| s.as_str()),
        Some("ENABLED")
    );

    client
        .put_item()
        .table_name("pai-local")
        .item("pk", AttributeValue::S("USER#1".into()))
        .item("sk", AttributeValue::S("PROFILE".into()))
        .item("gsi1pk", AttributeValue::S("NAME#alice".into()))
        .item("gsi1sk", AttributeValue::S("USER#1".into()))
        .item("name", AttributeValue::S("alice".into()))
        .send()
        .await
        .unwrap();

    // A second emulator on the same file is refused, in process and as a process.
    match Emulator::start(&config(&db_path, "http://127.0.0.1:9")).await {
        Err(StartError::Database(error)) => {
            assert!(error.to_string().contains("pai.sqlite"), "{error}")
        }
        Err(other) => panic!("unexpected error: {other}"),
        Ok(_) => panic!("a second emulator on the same file must be refused"),
    }
    let output = binary(&db_path, None).output().unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("pai.sqlite") && stderr.contains("in use"),
        "{stderr}"
    );
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");

    emulator.shutdown().await.unwrap();

    // Restart on the same file: the table and the item are still there.
    let emulator = Emulator::start(&config(&db_path, "http://127.0.0.1:9"))
        .await
        .unwrap();
    let client = dynamodb_client(&emulator.dynamodb_endpoint());
    let item = client
        .get_item()
        .table_name("pai-local")
        .key("pk", AttributeValue::S("USER#1".into()))
        .key("sk", AttributeValue::S("PROFILE".into()))
        .send()
        .await
        .unwrap();
    assert_eq!(
        item.item().and_then(|i| i.get("name")),
        Some(&AttributeValue::S("alice".into()))
    );
    let by_name = client
        .query()
        .table_name("pai-local")
        .index_name("gsi1")
        .key_condition_expression("gsi1pk = :n")
        .expression_attribute_values(":n", AttributeValue::S("NAME#alice".into()))
        .send()
        .await
        .unwrap();
    assert_eq!(by_name.count(), 1);
    emulator.shutdown().await.unwrap();
}

fn binary(db_path: &Path, ready: Option<&PathBuf>) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_pai-local-aws"));
    command
        .args([
            "--host",
            "127.0.0.1",
            "--dynamodb-port",
            "0",
            "--stepfunctions-port",
            "0",
        ])
        .arg("--db-path")
        .arg(db_path)
        .args(["--table", "pai-local", "--lambda-url", "http://127.0.0.1:9"])
        .arg("--state-machines")
        .arg(statemachines_dir())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if let Some(ready) = ready {
        command.arg("--ready-file").arg(ready);
    }
    command
}

#[test]
fn binary_writes_the_ready_file_and_stops_on_sigterm() {
    let dir = temp_dir("binary");
    let ready = dir.join("emulator.ready");
    let child = binary(&dir.join("pai.sqlite"), Some(&ready))
        .spawn()
        .unwrap();
    let mut waited = 0;
    while !ready.exists() && waited < 200 {
        std::thread::sleep(Duration::from_millis(25));
        waited += 1;
    }
    let text = std::fs::read_to_string(&ready).expect("the ready file appears");
    assert!(text.contains("dynamodb=http://127.0.0.1:"), "{text}");
    assert!(text.contains("stepfunctions=http://127.0.0.1:"), "{text}");
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(!ready.exists(), "the ready file is removed on a clean stop");
    assert!(
        stderr.contains("ready") && stderr.contains("stopped"),
        "{stderr}"
    );
}

#[test]
fn binary_refuses_a_bad_state_machine_directory() {
    let dir = temp_dir("bad-asl");
    let machines = dir.join("machines");
    std::fs::create_dir_all(&machines).unwrap();
    std::fs::write(
        machines.join("bad.asl.json"),
        r#"{"StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[],"End":true}}}"#,
    )
    .unwrap();
    let ready = dir.join("ready");
    let output = Command::new(env!("CARGO_BIN_EXE_pai-local-aws"))
        .arg("--db-path")
        .arg(dir.join("pai.sqlite"))
        .arg("--state-machines")
        .arg(&machines)
        .arg("--ready-file")
        .arg(&ready)
        .args(["--dynamodb-port", "0", "--stepfunctions-port", "0"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("bad.asl.json") && stderr.contains("Parallel"),
        "{stderr}"
    );
    assert!(!ready.exists());
    assert!(
        !dir.join("pai.sqlite").exists(),
        "nothing is opened before the machines load"
    );
}
