//! Edits that keep the document consistent: nothing may point at a measure or service area it
//! no longer has, and the crosswalk and each measure's own lists agree.

use crate::program::{Accountability, CrosswalkEntry, Program};

/// Removes a measure and every reference to it (crosswalk, gaps, phases, standards overrides),
/// so the document never points at a measure it no longer has.
pub fn remove_measure(program: &mut Program, id: &str) {
    program.measures.retain(|m| m.id != id);
    program.crosswalk.retain(|c| c.measure_id != id);
    for g in &mut program.gaps {
        g.measure_ids.retain(|m| m != id);
    }
    for p in &mut program.phases {
        p.measure_ids.retain(|m| m != id);
    }
    program.standards.overrides.retain(|o| o.measure_id != id);
}

/// Removes a service area and every reference to it (crosswalk, measures' areas).
pub fn remove_service_area(program: &mut Program, id: &str) {
    program.service_areas.retain(|a| a.id != id);
    program.crosswalk.retain(|c| c.service_area_id != id);
    for m in &mut program.measures {
        m.service_areas.retain(|a| a != id);
    }
}

/// How a service area is accountable for a measure (None: not crosswalked).
pub fn accountability(program: &Program, measure: &str, area: &str) -> Option<Accountability> {
    program
        .crosswalk
        .iter()
        .find(|c| c.measure_id == measure && c.service_area_id == area)
        .map(|c| c.accountability)
}

/// Sets (or clears) one crosswalk cell and keeps the measure's own list of areas in step.
pub fn set_accountability(
    program: &mut Program,
    measure: &str,
    area: &str,
    value: Option<Accountability>,
) {
    program
        .crosswalk
        .retain(|c| !(c.measure_id == measure && c.service_area_id == area));
    if let Some(a) = value {
        program.crosswalk.push(CrosswalkEntry {
            measure_id: measure.to_owned(),
            service_area_id: area.to_owned(),
            accountability: a,
        });
    }
    let areas: Vec<String> = program
        .service_areas
        .iter()
        .filter(|sa| accountability(program, measure, &sa.id).is_some())
        .map(|sa| sa.id.clone())
        .collect();
    if let Some(m) = program.measure_mut(measure) {
        m.service_areas = areas;
    }
}

/// A measure "starts to count" in the first phase (in plan order) that lists it.
pub fn sync_measure_phases(program: &mut Program) {
    let firsts: Vec<Option<String>> = program
        .measures
        .iter()
        .map(|m| {
            program
                .phases
                .iter()
                .find(|p| p.measure_ids.contains(&m.id))
                .map(|p| p.name.clone())
        })
        .collect();
    for (m, f) in program.measures.iter_mut().zip(firsts) {
        if m.phase != f {
            m.phase = f;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::program::{GapItem, Measure, Phase, ServiceArea};

    fn program() -> Program {
        let mut p = Program {
            service_areas: vec![ServiceArea {
                id: "pc".into(),
                name: "Primary care".into(),
                description: String::new(),
            }],
            measures: ["A", "B"]
                .into_iter()
                .map(|id| Measure {
                    id: id.into(),
                    ..Measure::default()
                })
                .collect(),
            gaps: vec![GapItem {
                measure_ids: vec!["A".into(), "B".into()],
                ..GapItem::default()
            }],
            phases: vec![
                Phase {
                    name: "Reporting".into(),
                    measure_ids: vec!["B".into()],
                    ..Phase::default()
                },
                Phase {
                    name: "Performance".into(),
                    measure_ids: vec!["A".into(), "B".into()],
                    ..Phase::default()
                },
            ],
            ..Program::default()
        };
        set_accountability(&mut p, "A", "pc", Some(Accountability::Primary));
        set_accountability(&mut p, "B", "pc", Some(Accountability::Shared));
        p
    }

    #[test]
    fn removing_a_measure_removes_every_reference() {
        let mut p = program();
        assert_eq!(p.measures[0].service_areas, vec!["pc".to_owned()]);
        remove_measure(&mut p, "A");
        assert_eq!(p.measures.len(), 1);
        assert!(p.crosswalk.iter().all(|c| c.measure_id == "B"));
        assert_eq!(p.gaps[0].measure_ids, vec!["B".to_owned()]);
        assert_eq!(p.phases[1].measure_ids, vec!["B".to_owned()]);
    }

    #[test]
    fn removing_a_service_area_clears_the_crosswalk_and_measures() {
        let mut p = program();
        remove_service_area(&mut p, "pc");
        assert!(p.service_areas.is_empty());
        assert!(p.crosswalk.is_empty());
        assert!(p.measures.iter().all(|m| m.service_areas.is_empty()));
    }

    #[test]
    fn accountability_can_be_cleared_and_measures_follow_phases() {
        let mut p = program();
        assert_eq!(accountability(&p, "B", "pc"), Some(Accountability::Shared));
        set_accountability(&mut p, "B", "pc", None);
        assert_eq!(accountability(&p, "B", "pc"), None);
        assert!(p.measures[1].service_areas.is_empty());
        sync_measure_phases(&mut p);
        assert_eq!(p.measures[0].phase.as_deref(), Some("Performance"));
        assert_eq!(p.measures[1].phase.as_deref(), Some("Reporting"));
    }
}
