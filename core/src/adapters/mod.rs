//! Implementations of the ports against real services.
pub mod dynamo;
pub mod keys;
pub mod llm;
pub mod protegrity;
pub mod sfn;
