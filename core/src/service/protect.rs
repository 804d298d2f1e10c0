//! What the chat and turn use cases share around the protection engine: a conversation's
//! token context (tenant key + issued tokens) and the optional remote scans.
use crate::domain::sensitive::Sensitive;
use crate::domain::tenant::tenant_of;
use crate::ports::{Classifier, Direction, Guardrail, RemoteScan};
use crate::protection::{IssuedTokens, ProtectionEngine, TokenContext};
use crate::service::App;
use uuid::Uuid;

#[derive(Debug, thiserror::Error)]
pub enum ContextError {
    #[error("key provider: {0}")]
    Keys(#[from] crate::ports::KeyError),
    #[error("store: {0}")]
    Store(#[from] crate::ports::StoreError),
}

impl From<ContextError> for crate::service::ServiceError {
    fn from(e: ContextError) -> Self {
        crate::service::ServiceError::Unavailable(e.to_string())
    }
}

/// The token context of a conversation; `fresh` skips loading (a new conversation).
pub async fn token_context(
    app: &App,
    owner_id: i64,
    conversation_id: Uuid,
    fresh: bool,
) -> Result<TokenContext, ContextError> {
    let key = app.keys.tenant_key(&tenant_of(owner_id)).await?;
    let issued = if fresh {
        IssuedTokens::new()
    } else {
        app.store.load_tokens(conversation_id).await?
    };
    Ok(TokenContext::new(
        &conversation_id.to_string(),
        &key,
        issued,
    ))
}

/// Persist the tokens issued since the context was created.
pub async fn save_new_tokens(
    app: &App,
    conversation_id: Uuid,
    ctx: &TokenContext,
) -> Result<(), ContextError> {
    if !ctx.new_tokens().is_empty() {
        app.store
            .add_tokens(conversation_id, ctx.new_tokens())
            .await?;
    }
    Ok(())
}

/// Ask the configured remote Protegrity services (none by default) about `text`.
pub async fn remote_scan(
    app: &App,
    engine: &ProtectionEngine,
    text: &str,
    direction: Direction,
) -> RemoteScan {
    if app.classifier.is_none() && app.guardrail.is_none() {
        return RemoteScan::default();
    }
    let threshold = match direction {
        Direction::Input => engine.config().input_classification_threshold,
        Direction::Output => engine.config().output_classification_threshold,
    };
    gather_remote_scan(
        app.classifier.as_deref(),
        app.guardrail.as_deref(),
        &Sensitive::new(text.to_owned()),
        direction,
        threshold,
    )
    .await
}

/// Runs the configured remote services concurrently for one text. `failure` names every
/// configured service that was unreachable, answered non-2xx or answered malformed data; the
/// pipeline decides to fail closed from it. Unconfigured services leave their field `None`.
pub async fn gather_remote_scan(
    classifier: Option<&dyn Classifier>,
    guardrail: Option<&dyn Guardrail>,
    text: &Sensitive<String>,
    direction: Direction,
    threshold: f64,
) -> RemoteScan {
    let classify = async {
        match classifier {
            Some(c) => Some(c.classify(text, threshold).await),
            None => None,
        }
    };
    let score = async {
        match guardrail {
            Some(g) => Some(g.score(text, direction).await),
            None => None,
        }
    };
    let (classified, scored) = tokio::join!(classify, score);

    let mut scan = RemoteScan::default();
    let mut failures = Vec::new();
    match classified {
        Some(Ok(findings)) => scan.findings = Some(findings),
        Some(Err(e)) => failures.push(format!("classifier: {e}")),
        None => {}
    }
    match scored {
        Some(Ok(score)) => scan.guardrail_score = Some(score),
        Some(Err(e)) => failures.push(format!("guardrail: {e}")),
        None => {}
    }
    if !failures.is_empty() {
        tracing::warn!(failures = %failures.join("; "), "remote protection service failed");
        scan.failure = Some(failures.join("; "));
    }
    scan
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapters::memory::{FixedClassifier, FixedGuardrail};
    use crate::ports::RemoteFinding;

    fn ssn() -> RemoteFinding {
        RemoteFinding {
            entity_type: "SSN".into(),
            score: 0.95,
            start: 7,
            end: 18,
        }
    }

    #[tokio::test]
    async fn gathers_both_services_and_names_the_one_that_failed() {
        let text = Sensitive::from("My SSN 123-45-6789");
        let classifier = FixedClassifier {
            findings: vec![ssn()],
            unreachable: false,
        };
        let guardrail = FixedGuardrail {
            score: 0.2,
            unreachable: false,
        };
        let scan = gather_remote_scan(
            Some(&classifier),
            Some(&guardrail),
            &text,
            Direction::Input,
            0.6,
        )
        .await;
        assert_eq!(scan.failure, None);
        assert_eq!(scan.guardrail_score, Some(0.2));
        assert_eq!(scan.findings, Some(vec![ssn()]));

        // Nothing configured: nothing to fail.
        let scan = gather_remote_scan(None, None, &text, Direction::Input, 0.6).await;
        assert!(scan.findings.is_none() && scan.guardrail_score.is_none());
        assert!(scan.failure.is_none());

        // One service down: its failure is reported, the other's answer kept.
        let down = FixedGuardrail {
            score: 0.0,
            unreachable: true,
        };
        let scan = gather_remote_scan(
            Some(&classifier),
            Some(&down),
            &text,
            Direction::Output,
            0.6,
        )
        .await;
        assert_eq!(scan.findings, Some(vec![ssn()]));
        assert!(scan.guardrail_score.is_none());
        let failure = scan.failure.unwrap_or_default();
        assert!(failure.starts_with("guardrail:"), "{failure}");
        assert!(!failure.contains("123-45"), "{failure}");
    }
}
