pub mod chat_support;
