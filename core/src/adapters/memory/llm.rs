//! LLM providers in process: a fixed set of clients, and a model that answers from a script.
use crate::domain::catalog::Provider;
use crate::domain::sensitive::Sensitive;
use crate::ports::{Completion, CompletionRequest, LlmError, LlmProvider, LlmProviders, Usage};
use async_trait::async_trait;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

/// The clients of a deployment, given up front (e.g. the offline echo model).
#[derive(Default)]
pub struct FixedProviders {
    providers: HashMap<Provider, Arc<dyn LlmProvider>>,
}

impl FixedProviders {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with(mut self, provider: Provider, client: Arc<dyn LlmProvider>) -> Self {
        self.providers.insert(provider, client);
        self
    }
}

impl LlmProviders for FixedProviders {
    fn provider_for(&self, provider: Provider) -> Result<Arc<dyn LlmProvider>, LlmError> {
        self.providers.get(&provider).cloned().ok_or_else(|| {
            LlmError::NotConfigured(format!("{} is not an enabled provider", provider.as_str()))
        })
    }
}

/// A model that gives the scripted answers in order, then `default_text`, and keeps every
/// request it was sent (to check what a model may see).
pub struct ScriptedModel {
    script: Mutex<VecDeque<Result<Completion, LlmError>>>,
    requests: Mutex<Vec<CompletionRequest>>,
    default_text: String,
    tools: bool,
}

impl ScriptedModel {
    pub fn new(default_text: impl Into<String>) -> Self {
        ScriptedModel {
            script: Mutex::new(VecDeque::new()),
            requests: Mutex::new(Vec::new()),
            default_text: default_text.into(),
            tools: true,
        }
    }

    /// Whether the model takes tools (function calling).
    pub fn with_tools(mut self, tools: bool) -> Self {
        self.tools = tools;
        self
    }

    /// The next answer is `completion`.
    pub fn then_reply(&self, completion: Completion) -> &Self {
        lock(&self.script).push_back(Ok(completion));
        self
    }

    /// The next answer is the error `error`.
    pub fn then_fail(&self, error: LlmError) -> &Self {
        lock(&self.script).push_back(Err(error));
        self
    }

    /// Every request sent so far, oldest first.
    pub fn requests(&self) -> Vec<CompletionRequest> {
        lock(&self.requests).clone()
    }

    /// A text answer.
    pub fn text(text: impl Into<String>) -> Completion {
        Completion {
            text: Sensitive::new(text.into()),
            tool_calls: Vec::new(),
            usage: Usage {
                input_tokens: 1,
                output_tokens: 1,
            },
            model: "scripted".into(),
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A poisoned lock only means a test thread panicked; the data is intact.
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

#[async_trait]
impl LlmProvider for ScriptedModel {
    fn supports_tools(&self) -> bool {
        self.tools
    }

    async fn complete(&self, request: &CompletionRequest) -> Result<Completion, LlmError> {
        lock(&self.requests).push(request.clone());
        let next = lock(&self.script).pop_front();
        next.unwrap_or_else(|| Ok(Self::text(self.default_text.clone())))
    }
}
