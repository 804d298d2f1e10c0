//! Sensitive values the tests put in prompts and replies. Each passes the checksum or range
//! rules of its kind, so the recognizers take it for the real thing; the unit tests below hold
//! them to pai-core's own validators.

/// A Luhn-valid card number, as a person would type it.
pub const CARD: &str = "4556 7375 8689 9855";
/// Another Luhn-valid card number, one that no conversation issued.
pub const OTHER_CARD: &str = "4916 3385 0608 2832";
/// A mod-97-valid IBAN of a known country, in compact form.
pub const IBAN: &str = "GB82WEST12345698765432";
/// A US SSN in a range the SSA issues.
pub const SSN: &str = "536-22-8174";
/// Another US SSN in a range the SSA issues.
pub const OTHER_SSN: &str = "412-67-3390";

/// The digits of a string, for checking that a number did not travel reformatted.
pub fn digits_of(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use pai_core::protection::validators::{iban_valid, luhn_valid, ssn_valid};

    /// `ddd-dd-dddd`, the way an SSN is written.
    fn dashed_ssn(s: &str) -> bool {
        let parts: Vec<&str> = s.split('-').collect();
        parts.iter().map(|p| p.len()).eq([3, 2, 4])
            && parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit()))
    }

    #[test]
    fn every_specimen_passes_the_core_validators() {
        for card in [CARD, OTHER_CARD] {
            assert!(luhn_valid(card), "{card} is not Luhn-valid");
            assert!(
                (13..=19).contains(&digits_of(card).len()),
                "{card} does not have a card number's length"
            );
        }
        assert!(iban_valid(IBAN), "{IBAN} is not a valid IBAN");
        for ssn in [SSN, OTHER_SSN] {
            assert!(ssn_valid(ssn), "{ssn} is not an issuable SSN");
            assert!(dashed_ssn(ssn), "{ssn} is not written ddd-dd-dddd");
        }
    }

    #[test]
    fn the_core_validators_reject_near_misses_of_the_specimens() {
        assert!(!luhn_valid("4556 7375 8689 9856"));
        assert!(!iban_valid("GB83WEST12345698765432"));
        assert!(!ssn_valid("123-45-6789"));
        assert!(!ssn_valid("666-22-8174"));
        assert!(!ssn_valid("936-22-8174"));
    }
}
