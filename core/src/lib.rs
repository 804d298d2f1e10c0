//! Protegrity AI backend core: domain types, the protection engine, ports (traits) and their adapters.
//!
//! Hexagonal layout, dependencies pointing one way: `domain` ← `protection` (pure) ← `ports`
//! (the async traits the services need) ← `adapters` (DynamoDB, Step Functions, LLM providers,
//! keys, Protegrity REST, in-memory) and `service` (one use case per HTTP function or workflow
//! task) ← `api` (what every HTTP function shares: auth, JSON parsing, error envelope,
//! pagination, headers) and `bootstrap` (builds a function's `App` from the environment).
pub mod adapters;
pub mod api;
pub mod bootstrap;
pub mod config;
pub mod domain;
pub mod ports;
pub mod protection;
pub mod service;
