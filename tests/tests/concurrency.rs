//! Requests of one user at the same moment that do not really conflict all succeed, with exact
//! counts; a chat sent as soon as the previous turn reads `completed` is accepted.
use pai_integration::*;
use serde_json::json;
use std::sync::Barrier;

/// Runs `count` copies of `work` on threads released together; returns their results in order.
fn all_at_once<T: Send>(count: usize, work: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let barrier = Barrier::new(count);
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..count)
            .map(|i| {
                let (barrier, work) = (&barrier, &work);
                scope.spawn(move || {
                    barrier.wait();
                    work(i)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("worker thread"))
            .collect()
    })
}

fn list_count(user: &User) -> u64 {
    let list = user
        .get("/api/conversations/?page_size=100")
        .expect_json(200);
    list["count"].as_u64().unwrap_or_else(|| panic!("{list}"))
}

#[test]
fn fifty_creates_and_twenty_chats_of_one_user_at_once_all_succeed_with_exact_counts() {
    let user = new_user("STANDARD");
    let marker = marker();

    let created = all_at_once(50, |i| {
        user.post(
            "/api/conversations/",
            json!({"title": format!("c{i} {marker}"), "model_id": "echo"}),
        )
    });
    let failed: Vec<String> = created
        .iter()
        .filter(|a| a.status != 201)
        .map(|a| format!("{} {}", a.status, a.text))
        .collect();
    assert!(failed.is_empty(), "creates failed: {failed:?}");
    assert_eq!(list_count(&user), 50);

    let sent = all_at_once(20, |i| {
        user.chat(json!({"message": format!("chat {i} {marker}"), "model_id": "echo"}))
    });
    let mut ids = Vec::new();
    for answer in sent {
        let body = answer.expect_json(200);
        assert!(
            body["status"] == "completed" || body["status"] == "pending",
            "{body}"
        );
        ids.push(body["conversation_id"].as_str().expect("id").to_owned());
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 20, "every chat started its own conversation");
    for id in &ids {
        user.wait_completed(id);
        let detail = user.conversation(id);
        assert_eq!(messages(&detail).len(), 2, "{detail}");
    }
    assert_eq!(list_count(&user), 70);
}

#[test]
fn a_chat_sent_right_after_the_previous_reply_is_accepted() {
    let user = new_user("STANDARD");
    let marker = marker();
    let mut conversation: Option<String> = None;
    for turn in 0..15 {
        let mut body = json!({"message": format!("turn {turn} {marker}"), "model_id": "echo"});
        if let Some(id) = &conversation {
            body["conversation_id"] = json!(id);
        }
        let answer = user.chat(body);
        assert_eq!(
            answer.status, 200,
            "turn {turn} right after the previous reply:\n{answer}"
        );
        let id = conversation_id(&answer.body);
        // The next turn goes out as soon as this one reads completed: at once when it was
        // answered inline.
        if answer.body["status"] == "pending" {
            user.wait_completed(&id);
        }
        conversation = Some(id);
    }
    let detail = user.conversation(conversation.as_deref().unwrap_or_default());
    assert_eq!(messages(&detail).len(), 30, "{detail}");
}
