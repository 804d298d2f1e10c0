//! Use cases: one public function per HTTP function or workflow task. They take typed input
//! and the [`App`] context and return typed output or a [`ServiceError`] (workflow tasks: their
//! own typed errors, whose names the state machines match).
pub mod admin;
pub mod app;
pub mod auth;
pub mod catalog;
pub mod chat;
pub mod conversations;
pub mod error;
pub mod protect;
pub mod retention;
#[cfg(test)]
pub(crate) mod testing;
pub mod tools;
pub mod turn;
pub mod views;

pub use app::App;
pub use error::ServiceError;
