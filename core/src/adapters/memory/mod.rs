//! In-process implementations of every port: the store, the workflow starter, keys and
//! secrets, LLM providers and the remote Protegrity services. They keep the contracts of the
//! real adapters (conditional writes answer `Conflict`, repeated starts `AlreadyStarted`), so
//! the services can be tested in milliseconds, and each can be switched to "unavailable" to show
//! what an outage does.
pub mod keys;
pub mod llm;
pub mod remote;
pub mod store;
pub mod workflow;

pub use keys::{FixedSecret, MemoryWrappedKeyStore};
pub use llm::{FixedProviders, ScriptedModel};
pub use remote::{FixedClassifier, FixedGuardrail};
pub use store::MemoryStore;
pub use workflow::{MemoryWorkflow, StartedExecution, StateMachine};

use std::sync::atomic::{AtomicBool, Ordering};

/// An outage switch shared by the memory adapters.
#[derive(Debug, Default)]
pub(crate) struct Outage(AtomicBool);

impl Outage {
    pub(crate) fn set(&self, down: bool) {
        self.0.store(down, Ordering::SeqCst);
    }
    pub(crate) fn is_down(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}
