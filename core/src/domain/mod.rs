//! Plain domain types and rules, no I/O.
pub mod catalog;
pub mod conversation;
pub mod page;
pub mod protection_report;
pub mod role;
pub mod sensitive;
pub mod tenant;
pub mod time;
pub mod tokens;
pub mod user;
