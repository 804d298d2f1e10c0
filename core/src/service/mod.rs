//! Use cases, one per function.
pub mod retention;
