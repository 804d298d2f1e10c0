//! placeholder
pub mod retention;
