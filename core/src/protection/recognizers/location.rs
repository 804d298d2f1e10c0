//! Location policy. A street address, a postcode and a city inside an address are PII (the
//! address recognizer takes them in one span); so is a city on its own. A country, a state or
//! province, or a continent on its own is not (HIPAA's Safe Harbor rule likewise removes only
//! geographic units smaller than a state): "What is the capital of France?" and "My California
//! driver license" keep their words.
use std::collections::HashSet;

const PLACES: &str = include_str!("../../../data/places.txt");

/// Lower-cased names of the countries and regions (states, provinces, continents) of the place
/// list, less any name that is also a city (`New York`).
#[derive(Debug)]
pub(super) struct LargeAreas {
    names: HashSet<String>,
}

impl LargeAreas {
    pub fn new() -> Self {
        let mut large = HashSet::new();
        let mut cities = HashSet::new();
        let mut section = "";
        for line in PLACES.lines().map(str::trim) {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if line.starts_with('[') {
                section = line;
                continue;
            }
            let name = line.to_lowercase();
            match section {
                "[country]" | "[region]" => {
                    large.insert(name);
                }
                _ => {
                    cities.insert(name);
                }
            }
        }
        large.retain(|n| !cities.contains(n));
        Self { names: large }
    }

    /// Whether `span` (a LOCATION finding's text) is a country, region or continent alone.
    pub fn is_large_area(&self, span: &str) -> bool {
        let trimmed = span.trim();
        let lower = trimmed.to_lowercase();
        let lower = lower.strip_prefix("the ").unwrap_or(&lower);
        self.names.contains(lower) || self.names.contains(&format!("the {lower}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn countries_states_and_continents_are_large_areas_cities_are_not() {
        let areas = LargeAreas::new();
        for name in ["France", "California", "Europe", "Ontario", "the Caribbean"] {
            assert!(areas.is_large_area(name), "{name}");
        }
        for name in ["Chicago", "New York", "Berlin", "Springfield"] {
            assert!(!areas.is_large_area(name), "{name}");
        }
    }
}
