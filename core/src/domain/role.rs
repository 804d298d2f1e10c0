//! Roles and what they may use.
use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// `PROTEGRITY` has full access; `STANDARD` may use only entries whose `min_role` is `STANDARD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Role {
    Protegrity,
    Standard,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Protegrity => "PROTEGRITY",
            Role::Standard => "STANDARD",
        }
    }

    /// Whether a user with this role may see and use an entry that requires `min_role`.
    pub fn allows(self, min_role: Role) -> bool {
        match self {
            Role::Protegrity => true,
            Role::Standard => min_role == Role::Standard,
        }
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_uppercase().as_str() {
            "PROTEGRITY" => Ok(Role::Protegrity),
            "STANDARD" => Ok(Role::Standard),
            other => Err(format!(
                "unknown role {other:?}: expected PROTEGRITY or STANDARD"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_sees_only_standard_entries() {
        assert!(Role::Standard.allows(Role::Standard));
        assert!(!Role::Standard.allows(Role::Protegrity));
        assert!(Role::Protegrity.allows(Role::Protegrity));
        assert!(Role::Protegrity.allows(Role::Standard));
    }

    #[test]
    fn parses_case_insensitively() {
        assert_eq!("standard".parse::<Role>(), Ok(Role::Standard));
        assert_eq!("PROTEGRITY".parse::<Role>(), Ok(Role::Protegrity));
        assert!("admin".parse::<Role>().is_err());
    }
}
