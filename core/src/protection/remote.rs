//! What the optional remote Protegrity services said about one text: plain data the pure
//! pipeline takes as input (the services themselves are ports, called before it runs).
use serde::{Deserialize, Serialize};

/// One finding of a remote classifier, character offsets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RemoteFinding {
    pub entity_type: String,
    pub score: f64,
    pub start: usize,
    pub end: usize,
}

/// Results of the optional remote Protegrity services for one text, gathered (async) before the
/// pure pipeline runs. `failure` set means a configured service could not answer: the pipeline
/// fails closed (blocks, `outcome:"error"`) unless fail-open is configured.
#[derive(Debug, Clone, Default)]
pub struct RemoteScan {
    pub findings: Option<Vec<RemoteFinding>>,
    pub guardrail_score: Option<f64>,
    pub failure: Option<String>,
}
