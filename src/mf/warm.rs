//! Warm starts: a trained model's parameters and optimiser state, kept between trainings so
//! the next one continues with `fit_partial` (LightFM's warm start) instead of starting over.
//! A state is only valid for the same hyper-parameters and the same feature columns: the
//! embedding row f must mean the same feature f in both trainings.

use serde::{Deserialize, Serialize};

use super::features::Vocabulary;
use super::train::{LightFm, LightFmParams, SideParams};
use crate::error::Result;

/// What a warm start needs: a trained model's parameters and optimiser state, the
/// hyper-parameters and the feature vocabularies they belong to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WarmStart {
    /// The hyper-parameters it was trained with.
    pub params: LightFmParams,
    /// Brand feature names, in column order (brand identities included).
    pub user_features: Vec<String>,
    /// Influencer feature names, in column order.
    pub item_features: Vec<String>,
    /// Brand-side parameters.
    pub user: SideParams,
    /// Influencer-side parameters.
    pub item: SideParams,
}

impl WarmStart {
    /// The state of trained model `m` over these vocabularies.
    pub fn of(m: &LightFm, users: &Vocabulary, items: &Vocabulary) -> WarmStart {
        WarmStart {
            params: m.params.clone(),
            user_features: users.names().to_vec(),
            item_features: items.names().to_vec(),
            user: m.user.clone(),
            item: m.item.clone(),
        }
    }

    /// Why this state cannot continue a training with `params` over these vocabularies, or
    /// `None` when it can.
    pub fn incompatibility(
        &self,
        params: &LightFmParams,
        users: &Vocabulary,
        items: &Vocabulary,
    ) -> Option<&'static str> {
        if self.params != *params {
            Some("the hyper-parameters changed")
        } else if self.user_features != users.names() {
            Some("the brands' features changed (a new brand or a new brand feature)")
        } else if self.item_features != items.names() {
            Some("the influencers' features changed")
        } else {
            None
        }
    }

    /// A trainer holding this state, ready for `fit_partial`.
    pub fn trainer(&self) -> Result<LightFm> {
        let mut m = LightFm::new(self.params.clone())?;
        m.set_parameters(self.user.clone(), self.item.clone())?;
        Ok(m)
    }
}
