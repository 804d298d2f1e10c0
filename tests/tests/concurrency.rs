//! Requests of one user at the same moment that do not really conflict all succeed, with exact
//! counts; a chat sent as soon as the previous turn reads `completed` is accepted.
use pai_integration::chat_support::{marker, messages, Stack, User};
use serde_json::{json, Value};
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

fn list_count(stack: &Stack, user: &User) -> u64 {
    let list = stack
        .get(user, "/api/conversations/?page_size=100")
        .expect(200, "GET /api/conversations/");
    list["count"].as_u64().unwrap_or_else(|| panic!("{list}"))
}

#[test]
fn fifty_creates_and_twenty_chats_of_one_user_at_once_all_succeed_with_exact_counts() {
    let stack = Stack::from_env();
    let user = stack.new_user("STANDARD");
    let marker = marker();

    let created = all_at_once(50, |i| {
        stack.post(
            &user,
            "/api/conversations/",
            &json!({"title": format!("c{i} {marker}"), "model_id": "echo"}),
        )
    });
    let failed: Vec<String> = created
        .iter()
        .filter(|a| a.status.as_u16() != 201)
        .map(|a| format!("{} {}", a.status, a.body))
        .collect();
    assert!(failed.is_empty(), "creates failed: {failed:?}");
    assert_eq!(list_count(&stack, &user), 50);

    let sent = all_at_once(20, |i| {
        stack.chat(
            &user,
            &json!({"message": format!("chat {i} {marker}"), "model_id": "echo"}),
        )
    });
    let mut ids = Vec::new();
    for answer in sent {
        let body = answer.expect(200, "POST /api/chat/");
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
        stack.wait_completed(&user, id);
        let detail = stack.conversation(&user, id);
        assert_eq!(messages(&detail).len(), 2, "{detail}");
    }
    assert_eq!(list_count(&stack, &user), 70);
}

#[test]
fn a_chat_sent_right_after_the_previous_reply_is_accepted() {
    let stack = Stack::from_env();
    let user = stack.new_user("STANDARD");
    let marker = marker();
    let mut conversation: Option<String> = None;
    for turn in 0..15 {
        let mut body = json!({"message": format!("turn {turn} {marker}"), "model_id": "echo"});
        if let Some(id) = &conversation {
            body["conversation_id"] = json!(id);
        }
        let sent: Value = stack
            .chat(&user, &body)
            .expect(200, &format!("turn {turn} right after the previous reply"));
        let id = sent["conversation_id"].as_str().expect("id").to_owned();
        if sent["status"] == "pending" {
            stack.wait_completed(&user, &id);
        }
        conversation = Some(id);
    }
    let detail = stack.conversation(&user, conversation.as_deref().unwrap_or_default());
    assert_eq!(messages(&detail).len(), 30, "{detail}");
}
