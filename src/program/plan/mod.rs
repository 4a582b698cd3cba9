//! Rules about the plan a designer is writing: what keeps each step from being done, the phase
//! calendar, gap totals and readiness, and edits that keep the document consistent.
//!
//! They live with the document, not the window, so the step screens, the report and the
//! command line all apply the same rules.

mod budget;
mod calendar;
mod edits;
mod gaps;
mod problems;

pub use budget::*;
pub use calendar::*;
pub use edits::*;
pub use gaps::*;
pub use problems::*;

use super::Program;

/// The display name of a service area (its id when it has no name).
pub fn area_name(program: &Program, id: &str) -> String {
    program
        .service_areas
        .iter()
        .find(|a| a.id == id)
        .map(|a| {
            if a.name.is_empty() {
                a.id.clone()
            } else {
                a.name.clone()
            }
        })
        .unwrap_or_else(|| id.to_owned())
}

/// The name to show for a provider attribute or stratifier column, e.g. "dual_share" →
/// "Dual-eligible share", "service_area" → "Service area"; other column names are written in
/// words ("deprivation_quintile" → "Deprivation quintile").
pub fn attribute_label(column: &str) -> String {
    let known = match column.trim().to_lowercase().as_str() {
        "service_area" => Some("Service area"),
        "peer_group" => Some("Peer group"),
        "dual_share" | "dual_eligible_share" | "dual_eligible" => Some("Dual-eligible share"),
        "complex_share" => Some("Share of medically complex members"),
        "safety_net" => Some("Safety-net provider"),
        "rural" => Some("Rural"),
        "region" => Some("Region"),
        "attributed_lives" => Some("Attributed lives"),
        "base_payments" => Some("Base payments"),
        _ => None,
    };
    if let Some(k) = known {
        return k.to_owned();
    }
    let words = column.trim().replace(['_', '-'], " ");
    let mut c = words.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

#[cfg(test)]
mod label_tests {
    use super::*;

    #[test]
    fn attribute_labels_are_words() {
        assert_eq!(attribute_label("dual_share"), "Dual-eligible share");
        assert_eq!(attribute_label("service_area"), "Service area");
        assert_eq!(
            attribute_label("deprivation_quintile"),
            "Deprivation quintile"
        );
        assert_eq!(attribute_label(""), "");
    }
}
