//! The protection engine. Pure, synchronous, no AWS types.
pub mod guardrails;
