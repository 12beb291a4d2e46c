//! From a trained [`LightFm`] to the inference [`FactorModel`]: the trainer's flat parameter
//! arrays become the model's precomputed representations and feature embeddings. The model
//! never names the trainer; this is the one place that knows both.

use ndarray::Array2;

use super::{LightFm, SideParams};
use crate::error::{Error, Result};
use crate::mf::features::{CsrMatrix, Vocabulary};
use crate::mf::model::{FactorModel, FeatureEmbeddings};

/// Row f = (e_f, b_f) of a trained side, with the lazy-regularisation scale applied.
fn feature_rows(side: &SideParams, scale: f64, n: usize, d: usize) -> Array2<f32> {
    let mut r = Array2::<f32>::zeros((n, d + 1));
    for f in 0..n {
        for j in 0..d {
            r[[f, j]] = (f64::from(side.emb[f * d + j]) * scale) as f32;
        }
        r[[f, d]] = (f64::from(side.bias[f]) * scale) as f32;
    }
    r
}

impl FactorModel {
    /// The inference model of trained `m`: item representations of every row of `items`,
    /// known users' representations of every row of `users`, when `user_vocab` is given the
    /// user feature embeddings (so new users are scored from their features), and when
    /// `item_vocab` is given (content-only influencers) the item feature embeddings, which
    /// are what is stored of the items.
    pub fn from_trainer(
        m: &LightFm,
        users: &CsrMatrix,
        items: &CsrMatrix,
        user_vocab: Option<&Vocabulary>,
        item_vocab: Option<&Vocabulary>,
    ) -> Result<FactorModel> {
        let d = m.params.no_components as usize;
        let shape = |source| Error::Shape {
            what: "factorization representations",
            source,
        };
        let item_repr = Array2::from_shape_vec(
            (items.rows as usize, d + 1),
            m.representations(items, false),
        )
        .map_err(shape)?;
        let user_repr =
            Array2::from_shape_vec((users.rows as usize, d + 1), m.representations(users, true))
                .map_err(shape)?;
        let (user_features, user_feature_repr) = match user_vocab {
            None => (Vocabulary::default(), Array2::zeros((0, d + 1))),
            Some(v) => (v.clone(), feature_rows(&m.user, m.user_scale, v.len(), d)),
        };
        let item_features = item_vocab.map(|v| FeatureEmbeddings {
            names: v.clone(),
            repr: feature_rows(&m.item, m.item_scale, v.len(), d),
        });
        Ok(FactorModel {
            no_components: d as u32,
            item_repr,
            item_features,
            user_feature_repr,
            user_features,
            user_repr,
            normalize: true,
        })
    }
}
