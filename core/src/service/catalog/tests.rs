use super::*;
use crate::domain::role::Role;
use crate::service::testing::fixture;

#[tokio::test]
async fn each_role_sees_the_models_agents_and_tools_it_may_use() {
    let f = fixture().await;
    let standard = f.user("sam", Role::Standard).await;
    let pro = f.user("pat", Role::Protegrity).await;

    let ids = |list: &ModelList| list.models.iter().map(|m| m.id.clone()).collect::<Vec<_>>();
    let standard_models = ids(&list_models(&f.app, &standard).await.unwrap());
    // Only models of enabled providers (no Azure or Bedrock here), and no Protegrity-only ones.
    assert_eq!(
        standard_models,
        ["openai-gpt-4o-mini", "anthropic-claude-haiku", "echo"]
    );
    let pro_models = ids(&list_models(&f.app, &pro).await.unwrap());
    assert!(pro_models.contains(&"openai-gpt-4o".to_owned()));
    assert!(pro_models.len() > standard_models.len());

    let agents = list_agents(&f.app, &standard).await.unwrap();
    assert_eq!(agents.agents.len(), 1);
    assert_eq!(agents.agents[0].id, "general-assistant");
    assert_eq!(
        agents.agents[0].default_llm.as_deref(),
        Some("openai-gpt-4o-mini")
    );
    assert_eq!(list_agents(&f.app, &pro).await.unwrap().agents.len(), 2);

    let standard_tools = list_tools(&f.app, &standard).await.unwrap().tools.len();
    let pro_tools = list_tools(&f.app, &pro).await.unwrap().tools.len();
    assert_eq!((standard_tools, pro_tools), (3, 5));
}
