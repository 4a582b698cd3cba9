use serde::{Deserialize, Serialize};

/// Health-equity bonus points added to the total score, after hospital VBP's health equity
/// adjustment: bonus = performance scaler × underserved multiplier, capped at `max_points`,
/// and the total with the bonus capped at 100.
///
/// The performance scaler gives, for each domain (each scored measure when the program has no
/// domains), `top_third_points` when the provider's score is in the best third of providers
/// scored in it, `middle_third_points` in the middle third, and nothing in the bottom third.
/// The multiplier (0–1) says how underserved the provider's patients are.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EquityBonus {
    /// Provider attribute giving the share of underserved patients (e.g. `dual_share`); a
    /// yes/no column counts as 1 for yes and 0 for no.
    pub stratifier: String,
    pub top_third_points: f64,
    pub middle_third_points: f64,
    pub multiplier: UnderservedMultiplier,
    /// Most bonus points a provider can receive.
    pub max_points: f64,
}

impl Default for EquityBonus {
    fn default() -> Self {
        EquityBonus {
            stratifier: "dual_share".into(),
            top_third_points: 4.0,
            middle_third_points: 2.0,
            multiplier: UnderservedMultiplier::default(),
            max_points: 10.0,
        }
    }
}

/// How a provider's stratifier value becomes its underserved multiplier (0–1).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum UnderservedMultiplier {
    /// 0 at or below `zero_at`, rising in a straight line to 1 at `one_at` and above.
    Linear { zero_at: f64, one_at: f64 },
    /// A logistic exchange function 1 / (1 + e^(−slope·(x − midpoint))), 0 below `zero_below`.
    Logistic {
        midpoint: f64,
        slope: f64,
        zero_below: f64,
    },
    /// The provider's rank among providers (share with a lower value, 0–1), 0 for ranks below
    /// `zero_below`: scale-free, so it suits any stratifier.
    Rank { zero_below: f64 },
}

impl Default for UnderservedMultiplier {
    fn default() -> Self {
        UnderservedMultiplier::Rank { zero_below: 0.2 }
    }
}

impl UnderservedMultiplier {
    pub fn label(&self) -> &'static str {
        match self {
            UnderservedMultiplier::Linear { .. } => "Linear in the stratifier",
            UnderservedMultiplier::Logistic { .. } => "Logistic in the stratifier",
            UnderservedMultiplier::Rank { .. } => "Rank among providers",
        }
    }
}
