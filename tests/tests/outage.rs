//! The AWS emulator down: every request that needs the table answers 503
//! `service_unavailable` (never another 5xx, never a hang), and once it is back nothing was
//! half-written and the data from before is still there (it lives in a file).
//!
//! Ignored by default because it stops the stack's emulator: `make test` runs it on its own,
//! after the other integration tests (`PAI_STACK_CTL` names the script that stops and starts
//! the emulator of the test stack).
use pai_integration::*;
use serde_json::json;
use std::process::Command;

fn stack_ctl(action: &str) {
    let script = std::env::var("PAI_STACK_CTL").expect("PAI_STACK_CTL (set by make test)");
    let status = Command::new(&script)
        .arg(action)
        .status()
        .unwrap_or_else(|e| panic!("{script} {action}: {e}"));
    assert!(status.success(), "{script} {action} failed: {status}");
}

#[track_caller]
fn assert_unavailable(answer: Resp, what: &str) {
    assert_eq!(
        (answer.status, answer.code()),
        (503, "service_unavailable"),
        "{what} with the emulator down:\n{answer}"
    );
}

fn count(user: &User) -> u64 {
    user.get("/api/conversations/").expect_json(200)["count"]
        .as_u64()
        .expect("count")
}

#[test]
#[ignore = "stops the emulator; make test runs it on its own"]
fn emulator_down_answers_503_and_writes_nothing() {
    let user = new_user("STANDARD");
    let marker = marker();
    // Created before the outage.
    let kept = user
        .post(
            "/api/conversations/",
            json!({"title": format!("kept {marker}"), "model_id": "echo"}),
        )
        .expect_json(201);
    let kept_id = kept["id"].as_str().expect("id").to_owned();
    assert_eq!(count(&user), 1);

    stack_ctl("emulator-stop");
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        assert_unavailable(
            post(
                "/api/auth/token/",
                &Auth::None,
                json!({"username": user.username, "password": user.password}),
            ),
            "login",
        );
        assert_unavailable(user.get("/api/conversations/"), "list");
        assert_unavailable(
            user.get(&format!("/api/conversations/{kept_id}/")),
            "detail",
        );
        assert_unavailable(
            user.post(
                "/api/conversations/",
                json!({"title": "lost", "model_id": "echo"}),
            ),
            "create",
        );
        assert_unavailable(
            user.chat(json!({"message": format!("hello {marker}"), "model_id": "echo"})),
            "chat",
        );
    }));
    stack_ctl("emulator-start");
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }

    // Back: the conversation from before is there, nothing from the outage is.
    assert_eq!(count(&user), 1, "a write of the outage was kept");
    let detail = user.conversation(&kept_id);
    assert_eq!(detail["title"], format!("kept {marker}"));
    user.run_turn(json!({"message": format!("after {marker}"), "model_id": "echo"}));
    assert_eq!(count(&user), 2);
}
