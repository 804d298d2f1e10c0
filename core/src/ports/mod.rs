//! Ports: every async trait the services depend on, in one place. Adapters implement them
//! (DynamoDB, Step Functions, KMS, LLM providers, Protegrity REST, and `adapters::memory` for
//! tests and single-process tools). Ports depend on `domain` and `protection` only.
pub mod keys;
pub mod llm;
pub mod remote;
pub mod retention;
pub mod store;
pub mod workflow;

pub use keys::{KeyError, KeyProvider, SecretSource, WrappedKeyStore};
pub use llm::{
    ChatMessage, ChatRole, Completion, CompletionRequest, LlmError, LlmProvider, LlmProviders,
    ToolCall, ToolSpec, Usage,
};
pub use remote::{Classifier, Direction, Guardrail, RemoteError};
pub use retention::{ConversationState, KeyPage, MarkOutcome, RetentionStore};
pub use store::{
    CatalogStore, ConversationPage, ConversationStore, Store, StoreError, TokenStore, UserStore,
};
pub use workflow::{Workflow, WorkflowError};

// Plain data that crosses ports, defined where it belongs and re-exported for the adapters.
pub use crate::domain::tenant::TenantKey;
pub use crate::protection::remote::{RemoteFinding, RemoteScan};
