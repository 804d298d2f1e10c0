//! Use cases, one per function.
