//! JSON request bodies: size limit, parse errors as 400 `JSON parse error - ...`, and typed
//! field access that collects field errors (`{"field":["Not a valid string."]}`).
use super::ApiError;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

pub const MAX_BODY_BYTES: usize = 1024 * 1024;

pub const REQUIRED: &str = "This field is required.";
pub const NOT_NULL: &str = "This field may not be null.";
pub const BLANK: &str = "This field may not be blank.";
pub const NOT_A_STRING: &str = "Not a valid string.";
pub const NOT_A_BOOLEAN: &str = "Must be a valid boolean.";
pub const NOT_AN_OBJECT: &str = "Must be a valid JSON object.";

/// A parsed JSON object body with field-error bookkeeping.
#[derive(Debug)]
pub struct JsonObject {
    fields: Map<String, Value>,
    errors: BTreeMap<String, Vec<String>>,
}

impl JsonObject {
    /// Parse the request body. An empty body is an empty object (so missing fields are
    /// reported per field, as the original did).
    pub fn parse(req: &Request) -> Result<Self, ApiError> {
        let bytes: &[u8] = match req.body() {
            Body::Empty => b"",
            Body::Text(t) => t.as_bytes(),
            Body::Binary(b) => b.as_slice(),
            _ => b"",
        };
        Self::from_bytes(bytes)
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ApiError> {
        if bytes.len() > MAX_BODY_BYTES {
            return Err(ApiError::detail(
                StatusCode::PAYLOAD_TOO_LARGE,
                "Request body too large.",
            ));
        }
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(JsonObject {
                fields: Map::new(),
                errors: BTreeMap::new(),
            });
        }
        let value: Value = serde_json::from_slice(bytes).map_err(|e| {
            ApiError::detail(StatusCode::BAD_REQUEST, format!("JSON parse error - {e}"))
        })?;
        match value {
            Value::Object(fields) => Ok(JsonObject {
                fields,
                errors: BTreeMap::new(),
            }),
            other => Err(ApiError::detail(
                StatusCode::BAD_REQUEST,
                format!(
                    "JSON parse error - expected a JSON object, got {}",
                    type_name(&other)
                ),
            )),
        }
    }

    fn error(&mut self, field: &str, message: &str) {
        self.errors
            .entry(field.to_owned())
            .or_default()
            .push(message.to_owned());
    }

    /// A string field that must be present (null counts as missing).
    pub fn required_str(&mut self, field: &str) -> Option<String> {
        match self.fields.get(field) {
            None | Some(Value::Null) => {
                self.error(field, REQUIRED);
                None
            }
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => {
                self.error(field, NOT_A_STRING);
                None
            }
        }
    }

    /// A required string that must not be blank.
    pub fn required_text(&mut self, field: &str) -> Option<String> {
        let value = self.required_str(field)?;
        if value.trim().is_empty() {
            self.error(field, BLANK);
            return None;
        }
        Some(value)
    }

    /// A string field that may be absent or null.
    pub fn optional_str(&mut self, field: &str) -> Option<String> {
        match self.fields.get(field) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => {
                self.error(field, NOT_A_STRING);
                None
            }
        }
    }

    /// A string field that may be absent but, when present, must not be null or blank (a
    /// PATCH that sends `null` is a mistake, not a no-op).
    pub fn optional_text(&mut self, field: &str) -> Option<String> {
        match self.fields.get(field) {
            None => None,
            Some(Value::Null) => {
                self.error(field, NOT_NULL);
                None
            }
            Some(Value::String(s)) if s.trim().is_empty() => {
                self.error(field, BLANK);
                None
            }
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => {
                self.error(field, NOT_A_STRING);
                None
            }
        }
    }

    pub fn optional_bool(&mut self, field: &str) -> Option<bool> {
        match self.fields.get(field) {
            None | Some(Value::Null) => None,
            Some(Value::Bool(b)) => Some(*b),
            Some(_) => {
                self.error(field, NOT_A_BOOLEAN);
                None
            }
        }
    }

    pub fn optional_object(&mut self, field: &str) -> Option<Map<String, Value>> {
        match self.fields.get(field) {
            None | Some(Value::Null) => None,
            Some(Value::Object(m)) => Some(m.clone()),
            Some(_) => {
                self.error(field, NOT_AN_OBJECT);
                None
            }
        }
    }

    /// Record a validation failure found by the caller.
    pub fn reject(&mut self, field: &str, message: impl Into<String>) {
        let message = message.into();
        self.error(field, &message);
    }

    /// `Err(400 field errors)` if any field failed.
    pub fn finish(self) -> Result<(), ApiError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Fields(self.errors))
        }
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parse_errors_are_400_details() {
        let e = JsonObject::from_bytes(b"{not json").unwrap_err();
        assert_eq!(e.status(), 400);
        assert!(e.body()["detail"]
            .as_str()
            .unwrap()
            .starts_with("JSON parse error - "));
        let e = JsonObject::from_bytes(b"[1,2]").unwrap_err();
        assert_eq!(e.status(), 400);
        let big = vec![b' '; MAX_BODY_BYTES + 1];
        assert_eq!(JsonObject::from_bytes(&big).unwrap_err().status(), 413);
    }

    #[test]
    fn field_errors_collect() {
        let mut body = JsonObject::from_bytes(br#"{"message": 5, "flag": "x"}"#).unwrap();
        assert_eq!(body.required_str("message"), None);
        assert_eq!(body.required_str("username"), None);
        assert_eq!(body.optional_bool("flag"), None);
        assert_eq!(body.optional_str("absent"), None);
        let err = body.finish().unwrap_err();
        assert_eq!(
            err.body(),
            json!({"message": [NOT_A_STRING], "username": [REQUIRED], "flag": [NOT_A_BOOLEAN]})
        );
    }

    #[test]
    fn empty_body_is_empty_object() {
        let mut body = JsonObject::from_bytes(b"").unwrap();
        assert_eq!(body.required_str("x"), None);
        assert!(body.finish().is_err());
    }
}
