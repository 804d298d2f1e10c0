//! Harness for the integration tests: they drive the running local stack over HTTP, exactly as the
//! console does, and create their own users through the `pai-admin` CLI so every run is independent.
//!
//! - [`http`]: requests and the responses they get; [`assertions`]: what those must look like.
//! - [`users`]: demo and fresh users, logging in, the admin CLI.
//! - [`chat`]: chat turns (send, poll, [`User::run_turn`]) and conversation messages.
//! - [`fake_llm`]: what the fake LLM recorded; [`specimens`]: sensitive values for prompts.
//!
//! Settings (environment; `make test` sets them for its own stack): `PAI_BASE_URL` (the API,
//! default `http://127.0.0.1:8000`), `PAI_ADMIN` (the admin CLI), `FAKE_LLM_URL` (the fake LLM
//! the stack's providers point at).
//!
//! Everything is also at the crate root: `use pai_integration::*;`.

pub mod assertions;
pub mod chat;
pub mod fake_llm;
pub mod http;
pub mod specimens;
pub mod users;

pub use assertions::*;
pub use chat::*;
pub use fake_llm::*;
pub use http::*;
pub use specimens::*;
pub use users::*;

pub use serde_json;
