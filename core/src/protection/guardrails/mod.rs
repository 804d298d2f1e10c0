//! Guardrail rules.
