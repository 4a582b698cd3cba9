//! What the window has loaded and computed for the open program (never saved in it).

use crate::engine::monitoring::{Monitoring, monitoring};
use crate::engine::{self, Inputs, InputsBasis, Observations, PhaseRun, Results};
use crate::program::plan::phase_pool_cents;
use crate::program::plan::{Evidence, Monitored, Simulated, SimulatedMeasure};
use crate::program::{DataSources, PhaseKind, Program};
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// A data load running in the background, as the screens should show it.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadStatus {
    /// What is being loaded, e.g. "Loading 3 data files…".
    pub message: String,
    /// 0–1, how far the load has come.
    pub fraction: f32,
    /// Seconds since the load started.
    pub elapsed: f64,
}

/// The program's data sources and measures as they were before an import.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportRollback {
    pub data: DataSources,
    /// Measures the import added to the program (from the catalogue).
    pub added_measures: Vec<String>,
    /// The imported file, as the program names it.
    pub file: String,
}

/// What the live simulation models: the whole program, or one of its phases (by name, so
/// that moving phases around keeps the choice).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Modelled {
    WholeProgram,
    Phase(String),
}

/// The modelled phase's payments, with what they were computed from.
struct PhaseCache {
    generation: u64,
    index: usize,
    run: PhaseRun,
    results: Results,
    /// What a performance or success phase scores with: the phase's program and its measures'
    /// inputs (`None` for participation and reporting, which keep the program's scores).
    scored: Option<(Program, Arc<Inputs>)>,
    /// The inputs and the phase's measures `scored`'s inputs were taken from.
    scored_from: Option<(Arc<Inputs>, Vec<String>)>,
}

/// What the window's payout views show: the modelled phase's payments, with the program and
/// inputs they were computed from, or the whole program's.
pub struct Shown<'a> {
    /// The modelled phase (index into the program's phases); `None`: the whole program.
    pub phase: Option<usize>,
    pub run: Option<&'a PhaseRun>,
    /// The program the results were scored and paid with: a performance or success phase's
    /// own (its measures only, its pool), else the program itself.
    pub program: &'a Program,
    pub inputs: &'a Arc<Inputs>,
    pub results: &'a Results,
}

/// `validate`'s errors about the data, with the (scores generation, data) they were checked on.
type DataErrors = ((u64, usize), Vec<String>);

/// Loaded data and the latest simulation for the open program.
#[derive(Default)]
pub struct Session {
    /// Folder the program's data paths are relative to.
    pub base_dir: PathBuf,
    /// The program's file, when it has one.
    pub program_path: Option<PathBuf>,
    /// The data as loaded (kept when a later load fails).
    pub observations: Option<Arc<Observations>>,
    /// Observations aligned with the program's measures; rebuilt when measures or periods change.
    pub inputs: Option<Arc<Inputs>>,
    /// The latest scores and payments, recomputed by the engine whenever the program changes.
    pub results: Option<Results>,
    /// The last data-loading error, shown until the next successful load.
    pub data_error: Option<String>,
    /// Provider selected for the "why" view.
    pub selected_provider: Option<usize>,
    /// A file dropped or picked for import, waiting for step 5's column-mapping dialog, which
    /// takes it (sets this back to `None`) when it opens.
    pub pending_import: Option<PathBuf>,
    /// Set while data loads in the background.
    pub loading: Option<LoadStatus>,
    /// What an import changed in the program, so that a file which fails to load is taken out
    /// again and the program is as it was; cleared when a load succeeds.
    pub import_rollback: Option<ImportRollback>,
    /// The data file (index in the program's list) the next file handed to the import replaces,
    /// keeping its column mapping: "load next period's file".
    pub next_period_for: Option<usize>,
    /// Bumped every time `results` changes, so views can cache what they derive from it.
    pub results_generation: u64,
    /// Bumped when scores may have changed (not when only payment settings moved): what the
    /// data checks read.
    scores_generation: u64,
    /// What the room chose to model in the live panel; `None` models the default (see
    /// [`Session::modelled_phase`]).
    pub modelled: Option<Modelled>,
    /// The program the current results were computed for.
    evaluated: Option<Program>,
    /// The modelled phase's payments, for the live panel.
    phase: Option<PhaseCache>,
    /// What `inputs` were built from.
    inputs_basis: Option<InputsBasis>,
    /// Step 7's monitoring summary with the fingerprint of what it was made from: the step and
    /// its status line both read it, and it depends on neither the pool nor the standards.
    monitoring: Mutex<Option<(u64, Arc<Monitoring>)>>,
    /// `validate`'s errors about the loaded data, for the results generation and data they
    /// were checked on.
    data_errors: Mutex<Option<DataErrors>>,
}

impl Session {
    /// A session for a program whose data paths are relative to `base_dir`.
    pub fn new(base_dir: PathBuf, program_path: Option<PathBuf>) -> Session {
        Session {
            base_dir,
            program_path,
            ..Default::default()
        }
    }

    /// Installs freshly loaded data and recomputes everything for `program`.
    pub fn set_observations(&mut self, program: &Program, obs: Observations) {
        self.observations = Some(Arc::new(obs));
        self.data_error = None;
        self.import_rollback = None;
        self.inputs = None;
        self.evaluated = None;
        if let Some(sel) = self.selected_provider
            && sel >= self.provider_count()
        {
            self.selected_provider = None;
        }
        self.recompute(program);
    }

    /// After a load failed or was cancelled: takes the file an import added out of `program`
    /// again (and the measures it added), and says so under the error. Returns whether it did.
    pub fn roll_back_import(&mut self, program: &mut Program) -> bool {
        let Some(rb) = self.import_rollback.take() else {
            return false;
        };
        program.data = rb.data;
        program
            .measures
            .retain(|m| !rb.added_measures.contains(&m.id));
        let note = format!(
            "{} was not added to the program; the program is as it was before the import.",
            rb.file
        );
        self.data_error = Some(match self.data_error.take() {
            Some(e) => format!("{e}\n{note}"),
            None => note,
        });
        true
    }

    /// Brings inputs and results up to date with `program`; cheap when nothing changed.
    /// Returns whether the results changed.
    pub fn recompute(&mut self, program: &Program) -> bool {
        let Some(obs) = self.observations.clone() else {
            return false;
        };
        if self.evaluated.as_ref() == Some(program) {
            return false;
        }
        // Rebuilt only when what building reads changes, not on every pool or threshold move.
        let basis = InputsBasis::of(program);
        let rebuild = self.inputs.is_none() || self.inputs_basis.as_ref() != Some(&basis);
        if rebuild {
            self.inputs = Some(Arc::new(Inputs::build_from(&basis, &obs)));
            self.inputs_basis = Some(basis);
        }
        let inputs = self.inputs.clone().expect("inputs were just built");
        // Payment settings cannot change scores (`engine::score_into`), so a move of the pool,
        // cap or floor only pays again.
        let payment_only = !rebuild
            && self.results.is_some()
            && self.evaluated.as_mut().is_some_and(|ev| {
                let old = std::mem::replace(&mut ev.payment, program.payment.clone());
                let same = *ev == *program;
                ev.payment = old;
                same
            });
        let results = self.results.get_or_insert_with(Results::default);
        if payment_only {
            engine::pay_into(program, &inputs, results);
            if let Some(ev) = self.evaluated.as_mut() {
                ev.payment.clone_from(&program.payment);
            }
        } else {
            engine::evaluate_into(program, &inputs, results);
            self.evaluated = Some(program.clone());
            self.scores_generation += 1;
        }
        self.results_generation += 1;
        true
    }

    /// The phase the live panel models (index into `program.phases`), or `None` for the whole
    /// program. The whole program unless the room chose a phase (that still exists): the
    /// sliders of steps 5 and 6 move the whole design, and a participation or reporting phase
    /// would not answer them. The panel names the phase running now, one click away.
    pub fn modelled_phase(&self, program: &Program) -> Option<usize> {
        match &self.modelled {
            Some(Modelled::Phase(name)) => program.phases.iter().position(|p| &p.name == name),
            _ => None,
        }
    }

    /// Brings the modelled phase's payments up to date with `program` (from the whole
    /// program's results on the same data), made again only when the results or the choice
    /// change; forgets them when the whole program is modelled.
    pub fn refresh_phase(&mut self, program: &Program) {
        self.recompute(program);
        let chosen = self.modelled_phase(program);
        let (Some(index), Some(inputs), Some(whole)) =
            (chosen, self.inputs.as_ref(), self.results.as_ref())
        else {
            self.phase = None;
            return;
        };
        let Some(phase) = program.phases.get(index) else {
            self.phase = None;
            return;
        };
        let fresh = self
            .phase
            .as_ref()
            .is_some_and(|c| c.generation == self.results_generation && c.index == index);
        if !fresh {
            let old = self.phase.take();
            // The phase's measures' inputs are kept while the inputs and its measures stay:
            // a move of the pool does not copy them again.
            let kept = old.as_ref().and_then(|c| {
                c.scored_from
                    .as_ref()
                    .filter(|(from, ids)| Arc::ptr_eq(from, inputs) && *ids == phase.measure_ids)
                    .and(c.scored.as_ref())
                    .map(|(_, i)| i.clone())
            });
            let mut results = old.map(|c| c.results).unwrap_or_default();
            let run = engine::pay_phase(program, phase, inputs, whole, &mut results);
            let scores_own = matches!(phase.kind, PhaseKind::Performance | PhaseKind::Success);
            let scored = scores_own.then(|| {
                let pool = phase_pool_cents(whole.payment.pool_cents, phase.pool_share);
                (
                    engine::rules::phase::phase_program(program, phase, pool),
                    kept.unwrap_or_else(|| {
                        Arc::new(engine::rules::phase::phase_inputs(inputs, phase))
                    }),
                )
            });
            let scored_from = scores_own.then(|| (inputs.clone(), phase.measure_ids.clone()));
            self.phase = Some(PhaseCache {
                generation: self.results_generation,
                index,
                run,
                results,
                scored,
                scored_from,
            });
        }
    }

    /// What the live panel shows as of the last [`Session::refresh_phase`]: the modelled
    /// phase's run and payments, or the whole program's results (no run).
    pub fn modelled_results(&self) -> Option<(Option<&PhaseRun>, &Results)> {
        match &self.phase {
            Some(c) => Some((Some(&c.run), &c.results)),
            None => self.results.as_ref().map(|r| (None, r)),
        }
    }

    /// Bumped when scores may have changed; stays the same while only payment settings move.
    pub fn scores_generation(&self) -> u64 {
        self.scores_generation
    }

    /// What the payout views show for `program` as of the last [`Session::refresh_phase`]: the
    /// modelled phase's payments (with the program and inputs a performance phase scores
    /// with), or the whole program's results. `None` without results.
    pub fn shown<'a>(&'a self, program: &'a Program) -> Option<Shown<'a>> {
        let inputs = self.inputs.as_ref()?;
        match &self.phase {
            Some(c) => {
                let (program, inputs) = match &c.scored {
                    Some((p, i)) => (p, i),
                    None => (program, inputs),
                };
                Some(Shown {
                    phase: Some(c.index),
                    run: Some(&c.run),
                    program,
                    inputs,
                    results: &c.results,
                })
            }
            None => self.results.as_ref().map(|results| Shown {
                phase: None,
                run: None,
                program,
                inputs,
                results,
            }),
        }
    }

    /// Whether `results` were computed for exactly `program` (so an export can use them).
    pub fn is_current(&self, program: &Program) -> bool {
        self.results.is_some() && self.evaluated.as_ref() == Some(program)
    }

    /// Forgets the data and results (a new or different program).
    pub fn clear_data(&mut self) {
        self.observations = None;
        self.inputs = None;
        self.results = None;
        self.evaluated = None;
        self.selected_provider = None;
        self.results_generation += 1;
        self.scores_generation += 1;
    }

    /// The monitoring summary of the program's monitoring period (none without data or a
    /// period), made again only when the data, the periods or the measures' selection change.
    pub fn monitoring(&self, program: &Program) -> Option<Arc<Monitoring>> {
        let obs = self.observations.as_ref()?;
        let period = program.implementation.monitoring_period.as_ref()?;
        let key = monitoring_key(program, obs, period);
        let mut cache = self.monitoring.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((k, m)) = cache.as_ref()
            && *k == key
        {
            return Some(m.clone());
        }
        let m = Arc::new(monitoring(program, obs, period));
        *cache = Some((key, m.clone()));
        Some(m)
    }

    /// What the loaded data and the latest results show, for the step checks.
    pub fn evidence(&self, program: &Program) -> Evidence<'_> {
        let simulation = self.results.as_ref().map(|r| Simulated {
            pool_cents: r.payment.pool_cents,
            paid_cents: r.payment.paid_cents,
            measures: r
                .measures
                .iter()
                .map(|m| SimulatedMeasure {
                    id: m.id.clone(),
                    standards_unset: m
                        .standards
                        .iter()
                        .any(|g| !g.threshold.is_finite() || !g.benchmark.is_finite()),
                    standards_flat: m
                        .standards
                        .iter()
                        .any(|g| g.threshold.is_finite() && g.threshold == g.benchmark),
                })
                .collect(),
        });
        let monitoring = self.monitoring(program).map(|m| Monitored {
            completeness: m.completeness(),
            absent: m
                .measures
                .iter()
                .filter(|x| !x.in_period)
                .map(|x| x.id.clone())
                .collect(),
        });
        Evidence {
            data: self
                .observations
                .as_deref()
                .map(|o| o as &dyn crate::program::plan::LoadedData),
            data_error: self.data_error.as_deref(),
            simulation,
            monitoring,
            data_errors: self.data_errors(program),
        }
    }

    /// `validate`'s errors about the loaded data (as the `validate` command reports them),
    /// checked again only when scores may have changed: they read no payment setting, and a
    /// pool slider drag must not rebuild the inputs every frame.
    pub fn data_errors(&self, program: &Program) -> Vec<String> {
        let Some(obs) = &self.observations else {
            return Vec::new();
        };
        let key = (self.scores_generation, Arc::as_ptr(obs) as usize);
        let mut cache = self.data_errors.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((k, errors)) = cache.as_ref()
            && *k == key
        {
            return errors.clone();
        }
        let errors: Vec<String> = engine::check_data(program, obs)
            .into_iter()
            .filter(|p| p.severity == crate::program::Severity::Error)
            .map(|p| p.message)
            .collect();
        *cache = Some((key, errors.clone()));
        errors
    }

    pub fn provider_count(&self) -> usize {
        self.observations.as_ref().map_or(0, |o| o.provider_count())
    }

    /// The provider's display name: its name when known, else its id.
    pub fn provider_label(&self, i: usize) -> String {
        let Some(obs) = &self.observations else {
            return String::new();
        };
        let p = &obs.providers;
        match (p.names.get(i), p.ids.get(i)) {
            (Some(name), Some(id)) if !name.is_empty() => format!("{name} ({id})"),
            (_, Some(id)) => id.clone(),
            _ => String::new(),
        }
    }
}

/// Fingerprint of everything the monitoring summary reads.
fn monitoring_key(program: &Program, obs: &Arc<Observations>, period: &str) -> u64 {
    let mut h = DefaultHasher::new();
    (Arc::as_ptr(obs) as usize).hash(&mut h);
    period.hash(&mut h);
    program.standards.baseline_period.hash(&mut h);
    for a in &program.service_areas {
        (&a.id, &a.name).hash(&mut h);
    }
    for m in &program.measures {
        (&m.id, m.vital_few, &m.service_areas).hash(&mut h);
        m.direction.sign().to_bits().hash(&mut h);
    }
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sample with no base payments in the data, so every provider gets the default.
    fn sample_without_base_payments() -> (Program, Session) {
        let program = crate::synth::medicaid_primary_care_program();
        let mut obs = crate::synth::medicaid_primary_care_data();
        obs.providers.base_payments.clear();
        let mut session = Session::default();
        session.set_observations(&program, obs);
        (program, session)
    }

    #[test]
    fn a_new_default_base_payment_rebuilds_the_inputs() {
        let (mut program, mut session) = sample_without_base_payments();
        let before = session.inputs.clone().expect("inputs are built with data");
        assert!(
            before
                .base_payments
                .iter()
                .all(|b| *b == program.payment.default_base_payments)
        );
        program.payment.default_base_payments = 250_000.0;
        assert!(session.recompute(&program));
        let after = session.inputs.clone().expect("inputs stay built");
        assert!(!Arc::ptr_eq(&before, &after));
        assert!(after.base_payments.iter().all(|b| *b == 250_000.0));
        assert!(!after.base_payments.is_empty());
    }

    #[test]
    fn a_pool_change_keeps_the_inputs() {
        let (mut program, mut session) = sample_without_base_payments();
        let before = session.inputs.clone().expect("inputs are built with data");
        program.payment.pool = crate::program::Pool::Fixed { cents: 12_345_600 };
        assert!(session.recompute(&program));
        let after = session.inputs.clone().expect("inputs stay built");
        assert!(Arc::ptr_eq(&before, &after));
    }

    #[test]
    fn payment_moves_pay_again_exactly_as_a_full_run() {
        let (mut program, mut session) = sample_without_base_payments();
        let moves: [fn(&mut Program); 3] = [
            |p| p.payment.pool = crate::program::Pool::Fixed { cents: 212_345_601 },
            |p| p.payment.cap = Some(crate::program::Limit::Cents(1_500_000)),
            |p| p.payment.floor = Some(crate::program::Limit::Cents(25_000)),
        ];
        for change in moves {
            change(&mut program);
            assert!(session.recompute(&program));
            let inputs = session.inputs.clone().expect("inputs are built");
            let full = engine::evaluate(&program, &inputs);
            assert!(same(session.results.as_ref(), &full));
            assert!(session.is_current(&program));
        }
        // A scoring change after payment-only moves scores again.
        program.scoring.min_domains += 1;
        assert!(session.recompute(&program));
        let inputs = session.inputs.clone().expect("inputs are built");
        assert!(same(
            session.results.as_ref(),
            &engine::evaluate(&program, &inputs)
        ));
    }

    #[test]
    fn a_performance_phase_is_shown_with_its_own_inputs_kept_while_the_pool_moves() {
        let (mut program, mut session) = sample_without_base_payments();
        let index = program
            .phases
            .iter()
            .position(|p| p.kind == PhaseKind::Performance)
            .expect("the sample has a performance phase");
        session.modelled = Some(Modelled::Phase(program.phases[index].name.clone()));
        session.refresh_phase(&program);
        let inputs_of = |s: &Session, program: &Program| {
            let shown = s.shown(program).expect("shown");
            assert_eq!(shown.phase, Some(index));
            shown.inputs.clone()
        };
        let before = inputs_of(&session, &program);
        let measures = &program.phases[index].measure_ids;
        assert!(before.measures.iter().all(|m| measures.contains(&m.id)));
        assert!(!before.measures.is_empty());

        program.payment.pool = crate::program::Pool::Fixed { cents: 123_456_700 };
        session.refresh_phase(&program);
        let after = inputs_of(&session, &program);
        assert!(Arc::ptr_eq(&before, &after), "a pool move keeps them");
        // The payments are the engine's for the phase on the new pool.
        let whole = session.results.as_ref().unwrap();
        let mut fresh = Results::default();
        let inputs = session.inputs.clone().unwrap();
        engine::pay_phase(&program, &program.phases[index], &inputs, whole, &mut fresh);
        let shown = session.shown(&program).unwrap();
        assert!(same(Some(shown.results), &fresh));
        assert_eq!(
            shown.program.payment.pool,
            crate::program::Pool::Fixed {
                cents: fresh.payment.pool_cents
            }
        );

        // One measure fewer in the phase: taken again.
        let dropped = program.phases[index].measure_ids.remove(0);
        session.refresh_phase(&program);
        let again = inputs_of(&session, &program);
        assert!(!Arc::ptr_eq(&before, &again));
        assert!(again.measures.iter().all(|m| m.id != dropped));
        assert_eq!(again.measures.len() + 1, before.measures.len());
    }

    /// Equal results, NaN (not scored) equal to NaN.
    fn same(a: Option<&Results>, b: &Results) -> bool {
        a.is_some_and(|a| format!("{a:?}") == format!("{b:?}"))
    }
}
