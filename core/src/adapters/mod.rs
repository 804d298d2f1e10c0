//! Implementations of the ports: against real services (DynamoDB, Step Functions, KMS and
//! Secrets Manager, LLM providers, Protegrity REST), and in process memory (`memory`).
pub mod dynamo;
pub mod keys;
pub mod llm;
pub mod memory;
pub mod protegrity;
pub mod secrets;
pub mod sfn;
