//! Protegrity AI backend core: domain types, the protection engine, ports (traits) and their adapters.
//!
//! Hexagonal layout: `domain` and `protection` are pure; `ports` are the async traits the services
//! need; `adapters` implement them (DynamoDB, Step Functions, LLM providers, keys, Protegrity REST);
//! `service` holds one use case per HTTP function or workflow task; `api` is what every HTTP
//! function shares (auth, JSON parsing, error envelope, pagination, headers).
pub mod adapters;
pub mod api;
pub mod config;
pub mod domain;
pub mod ports;
pub mod protection;
pub mod service;
