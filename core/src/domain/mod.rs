//! Plain domain types and rules, no I/O.
pub mod catalog;
pub mod sensitive;
