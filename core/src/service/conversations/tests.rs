use super::*;
use crate::adapters::memory::StateMachine;
use crate::api::pagination::PageRequest;
use crate::domain::role::Role;
use crate::service::testing::{code, fixture, kind};

fn page(page: u32, page_size: u32) -> PageRequest {
    PageRequest { page, page_size }
}

fn url(n: u32) -> String {
    format!("http://test/api/conversations/?page={n}")
}

#[tokio::test]
async fn create_defaults_the_title_and_validates_it() {
    let f = fixture().await;
    let alice = f.user("alice", Role::Standard).await;
    let c = create(&f.app, &alice, None, "openai-gpt-4o-mini")
        .await
        .unwrap();
    assert_eq!(c.title, "New chat");
    assert!(c.messages.is_empty());

    let titled = create(&f.app, &alice, Some("  Taxes  ".into()), "echo")
        .await
        .unwrap();
    assert_eq!(titled.title, "Taxes");
    for bad in ["   ", &"x".repeat(256)] {
        let e = create(&f.app, &alice, Some(bad.to_owned()), "echo")
            .await
            .unwrap_err();
        assert_eq!(code(&e), "title");
    }
    let listed = list(&f.app, &alice, page(1, 50), url).await.unwrap();
    assert_eq!(listed.count, 2);
}

#[tokio::test]
async fn models_are_checked_against_role_and_catalog() {
    let f = fixture().await;
    let standard = f.user("sam", Role::Standard).await;
    let pro = f.user("pat", Role::Protegrity).await;
    let e = create(&f.app, &standard, None, "openai-gpt-4o")
        .await
        .unwrap_err();
    assert_eq!(code(&e), "forbidden_model");
    assert_eq!(kind(&e), "forbidden");
    assert!(create(&f.app, &pro, None, "openai-gpt-4o").await.is_ok());

    // A model of a provider this deployment does not enable is as unknown as a typo.
    for unknown in ["no-such-model", "bedrock-claude-haiku"] {
        let e = create(&f.app, &standard, None, unknown).await.unwrap_err();
        let ServiceError::Fields(fields) = &e else {
            panic!("expected a field error, got {e:?}");
        };
        let message = &fields["model_id"][0];
        assert!(
            message.starts_with("Invalid model_id. Available models: "),
            "{message}"
        );
        assert!(message.contains("openai-gpt-4o-mini") && !message.contains("openai-gpt-4o,"));
    }
}

#[tokio::test]
async fn other_users_deleted_and_malformed_ids_read_as_not_found() {
    let f = fixture().await;
    let alice = f.user("alice", Role::Standard).await;
    let mallory = f.user("mallory", Role::Protegrity).await;
    let c = create(&f.app, &alice, None, "echo").await.unwrap();
    let id = c.id.to_string();

    for who in [&mallory] {
        assert_eq!(
            code(&get(&f.app, who, &id).await.unwrap_err()),
            "conversation_not_found"
        );
        let e = update(&f.app, who, &id, Some("mine".into()), None)
            .await
            .unwrap_err();
        assert_eq!(code(&e), "conversation_not_found");
        assert_eq!(
            code(&delete(&f.app, who, &id).await.unwrap_err()),
            "conversation_not_found"
        );
        let e = create_message(&f.app, who, &id, MessageRole::User, "hi".into(), false)
            .await
            .unwrap_err();
        assert_eq!(code(&e), "conversation_not_found");
    }
    for bad in ["", "not-a-uuid", &Uuid::now_v7().to_string()] {
        assert_eq!(
            code(&get(&f.app, &alice, bad).await.unwrap_err()),
            "conversation_not_found"
        );
    }
    // Mallory's attempts changed nothing.
    assert_eq!(get(&f.app, &alice, &id).await.unwrap().title, "New chat");

    delete(&f.app, &alice, &id).await.unwrap();
    assert_eq!(
        code(&get(&f.app, &alice, &id).await.unwrap_err()),
        "conversation_not_found"
    );
    assert_eq!(
        code(&delete(&f.app, &alice, &id).await.unwrap_err()),
        "conversation_not_found"
    );
    assert_eq!(
        list(&f.app, &alice, page(1, 50), url).await.unwrap().count,
        0
    );
}

#[tokio::test]
async fn pages_link_to_their_neighbours_and_stop_at_the_last() {
    let f = fixture().await;
    let alice = f.user("alice", Role::Standard).await;
    let bob = f.user("bob", Role::Standard).await;
    let mut ids = Vec::new();
    for n in 0..5 {
        let c = create(&f.app, &alice, Some(format!("c{n}")), "echo")
            .await
            .unwrap();
        ids.push(c.id);
    }
    create(&f.app, &bob, None, "echo").await.unwrap();

    let first = list(&f.app, &alice, page(1, 2), url).await.unwrap();
    assert_eq!(first.count, 5);
    assert_eq!(first.previous, None);
    assert_eq!(first.next.as_deref(), Some(url(2).as_str()));
    // Newest first.
    let titles: Vec<&str> = first.results.iter().map(|c| c.title.as_str()).collect();
    assert_eq!(titles, ["c4", "c3"]);
    let last = list(&f.app, &alice, page(3, 2), url).await.unwrap();
    assert_eq!(last.results.len(), 1);
    assert_eq!(last.next, None);
    assert_eq!(last.previous.as_deref(), Some(url(2).as_str()));
    let past = list(&f.app, &alice, page(4, 2), url).await.unwrap_err();
    assert_eq!(
        (code(&past).as_str(), kind(&past)),
        ("Invalid page.", "not_found")
    );
    // An empty list still has its first page.
    let carol = f.user("carol", Role::Standard).await;
    assert_eq!(
        list(&f.app, &carol, page(1, 2), url).await.unwrap().count,
        0
    );
}

#[tokio::test]
async fn update_renames_and_changes_the_model() {
    let f = fixture().await;
    let alice = f.user("alice", Role::Standard).await;
    let c = create(&f.app, &alice, None, "echo").await.unwrap();
    let id = c.id.to_string();
    let updated = update(
        &f.app,
        &alice,
        &id,
        Some("Plans".into()),
        Some("anthropic-claude-haiku".into()),
    )
    .await
    .unwrap();
    assert_eq!(updated.title, "Plans");
    assert_eq!(updated.model_id, "anthropic-claude-haiku");
    assert_eq!(
        updated.primary_llm.as_deref(),
        Some("anthropic-claude-haiku")
    );
    let e = update(&f.app, &alice, &id, None, Some("openai-gpt-4o".into()))
        .await
        .unwrap_err();
    assert_eq!(code(&e), "forbidden_model");
    assert_eq!(
        get(&f.app, &alice, &id).await.unwrap().model_id,
        "anthropic-claude-haiku"
    );
}

#[tokio::test]
async fn delete_starts_the_purge_once_and_survives_a_workflow_outage() {
    let f = fixture().await;
    let alice = f.user("alice", Role::Standard).await;
    let a = create(&f.app, &alice, None, "echo").await.unwrap();
    delete(&f.app, &alice, &a.id.to_string()).await.unwrap();
    let started = f.workflow.started();
    assert_eq!(started.len(), 1);
    assert_eq!(started[0].machine, StateMachine::ConversationPurge);
    assert_eq!(started[0].name, format!("purge-{}", a.id));
    assert_eq!(started[0].input["conversation_id"], a.id.to_string());

    // The delete is complete without the purge: it is only the background clean-up.
    let b = create(&f.app, &alice, None, "echo").await.unwrap();
    f.workflow.set_unavailable(true);
    delete(&f.app, &alice, &b.id.to_string()).await.unwrap();
    assert_eq!(
        list(&f.app, &alice, page(1, 50), url).await.unwrap().count,
        0
    );
}

#[tokio::test]
async fn a_stored_message_is_redacted_before_any_model_may_see_it() {
    let f = fixture().await;
    let alice = f.user("alice", Role::Standard).await;
    let c = create(&f.app, &alice, None, "echo").await.unwrap();
    let id = c.id.to_string();
    let text = "Write to jane.doe@example.com about card 4111 1111 1111 1111";
    let view = create_message(&f.app, &alice, &id, MessageRole::User, text.into(), false)
        .await
        .unwrap();
    assert_eq!(view.content, text);
    let stored = f.app.store.list_messages(c.id).await.unwrap();
    let sanitized = stored[0].sanitized.as_ref().unwrap().expose();
    assert!(
        !sanitized.contains("jane.doe@example.com") && !sanitized.contains("4111"),
        "{sanitized}"
    );
    assert!(stored[0]
        .protegrity_data
        .as_ref()
        .unwrap()
        .input_processing
        .is_some());
    assert_eq!(get(&f.app, &alice, &id).await.unwrap().messages.len(), 1);

    // A message marked blocked is never sent as history.
    create_message(&f.app, &alice, &id, MessageRole::User, "hello".into(), true)
        .await
        .unwrap();
    let stored = f.app.store.list_messages(c.id).await.unwrap();
    assert!(stored[1].blocked && stored[1].sanitized.is_none());
}

#[tokio::test]
async fn a_store_outage_is_a_503_and_writes_nothing() {
    let f = fixture().await;
    let alice = f.user("alice", Role::Standard).await;
    f.store.set_unavailable(true);
    let e = create(&f.app, &alice, None, "echo").await.unwrap_err();
    assert_eq!(kind(&e), "unavailable");
    assert_eq!(
        code(&list(&f.app, &alice, page(1, 50), url).await.unwrap_err()),
        "service_unavailable"
    );
    f.store.set_unavailable(false);
    assert_eq!(
        list(&f.app, &alice, page(1, 50), url).await.unwrap().count,
        0
    );
}

#[tokio::test]
async fn a_message_over_the_length_limit_is_refused_and_nothing_is_stored() {
    let f = fixture().await;
    let alice = f.user("alice", Role::Standard).await;
    let c = create(&f.app, &alice, None, "echo").await.unwrap();
    let id = c.id.to_string();
    let too_long = "é".repeat(crate::service::chat::MAX_MESSAGE_CHARS + 1);
    let e = create_message(
        &f.app,
        &alice,
        &id,
        MessageRole::User,
        too_long.into(),
        false,
    )
    .await
    .unwrap_err();
    assert_eq!(crate::service::testing::kind(&e), "invalid");
    assert_eq!(crate::service::testing::code(&e), "content");
    assert!(f.app.store.list_messages(c.id).await.unwrap().is_empty());

    let at_limit = "é".repeat(crate::service::chat::MAX_MESSAGE_CHARS);
    create_message(
        &f.app,
        &alice,
        &id,
        MessageRole::User,
        at_limit.into(),
        false,
    )
    .await
    .unwrap();
    assert_eq!(f.app.store.list_messages(c.id).await.unwrap().len(), 1);
}
