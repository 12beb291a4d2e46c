//! The device's session: what a brand manager did on this device since the bundle loaded.
//! Pure (no JS): the wasm API holds one and converts values at its boundary.
//!
//! - Local points: interactions recorded on the device, summed per (brand, influencer), add
//!   to the rating exactly like the bundle's own points ([`RankRequest::local_points`]).
//! - Fold-in vectors: a brand's model vector adapted to the influencers it just engaged with
//!   ([`FactorModel::fold_in`]: user-side BPR steps with the items frozen, step size
//!   [`FOLD_IN_LEARNING_RATE`]); later rankings of that brand use it.
//!
//! Brands are keyed by [`key`], so "Acme" and " acme " share one session entry.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::category::Lexicon;
use crate::error::{Error, Result};
use crate::mf::FactorModel;
use crate::rank::{Filter, NewBrand, RankBy, RankRequest, Recommender};
use crate::text::key;

/// Fold-in step: the margin a single normalised step moves (see [`FactorModel::fold_in`]).
pub const FOLD_IN_LEARNING_RATE: f32 = 0.5;

/// An interaction recorded on the device, as the page hands it over.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct LocalRow {
    /// Brand name (known or new).
    pub brand: String,
    /// Influencer name.
    pub influencer: String,
    /// The kind's points.
    pub points: f64,
}

/// A brand named (known) or described (new).
#[derive(Debug, Clone, PartialEq)]
pub enum BrandRef {
    /// A known brand's name.
    Known(String),
    /// A new brand's description.
    New(NewBrand),
}

/// The session state (see the module docs).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Session {
    /// Brand vectors adapted by fold-in, by brand key.
    folded: BTreeMap<String, Vec<f32>>,
    /// Local points by brand key, then influencer id.
    local: BTreeMap<String, BTreeMap<u32, f64>>,
}

fn no_model() -> Error {
    Error::Unknown {
        what: "model in this bundle",
        name: "factorization".into(),
    }
}

impl Session {
    /// The request for brand `name`: its fold-in vector and the points recorded on this
    /// device, with the caller's ordering and filter.
    pub fn request(&self, name: &str, by: RankBy, filter: Filter) -> RankRequest {
        let k = key(name);
        RankRequest {
            by,
            vector: self.folded.get(&k).cloned(),
            local_points: self
                .local
                .get(&k)
                .map(|m| m.iter().map(|(&i, &p)| (i, p)).collect())
                .unwrap_or_default(),
            filter,
        }
    }

    /// Whether brand `name` has a fold-in vector.
    pub fn is_folded(&self, name: &str) -> bool {
        self.folded.contains_key(&key(name))
    }

    /// Adds `rows` to the local points. Rows naming an influencer `rec` does not have are
    /// skipped; points that are negative or not finite refuse the whole call (nothing is
    /// added). Returns how many rows counted.
    pub fn add_local(&mut self, rec: &Recommender, rows: &[LocalRow]) -> Result<u32> {
        if let Some(r) = rows
            .iter()
            .find(|r| !(r.points.is_finite() && r.points >= 0.0))
        {
            return Err(Error::InvalidParam {
                name: "points",
                message: format!("must be a finite number >= 0, got {}", r.points),
            });
        }
        let mut counted = 0;
        for r in rows {
            if let Some(i) = rec.influencer_id(&r.influencer) {
                *self
                    .local
                    .entry(key(&r.brand))
                    .or_default()
                    .entry(i)
                    .or_default() += r.points;
                counted += 1;
            }
        }
        Ok(counted)
    }

    /// Forgets the local points (all brands).
    pub fn clear_local(&mut self) {
        self.local.clear();
    }

    /// Forgets the fold-in vectors (all brands).
    pub fn reset_fold_in(&mut self) {
        self.folded.clear();
    }

    /// The model's score of every influencer for known brand `name` (its fold-in vector when
    /// it has one), in influencer order.
    pub fn model_scores(&self, rec: &Recommender, name: &str) -> Result<Vec<f32>> {
        let fm = rec.factor_model().ok_or_else(no_model)?;
        let b = rec.brand_id(name).ok_or_else(|| Error::Unknown {
            what: "brand",
            name: name.to_string(),
        })?;
        let v = match self.folded.get(&key(name)) {
            Some(v) => v.clone(),
            None => fm.known_user(b as usize).to_vec(),
        };
        let mut out = Vec::with_capacity(rec.influencers().len());
        fm.score_all(&v, &mut out);
        Ok(out)
    }

    /// Fold-in: adapts `brand`'s vector (its previous fold-in vector, else its model vector)
    /// to the named influencers with `steps` passes; `random` supplies the negative sampler's
    /// uniform u32s. Returns how many names were known influencers.
    pub fn fold_in(
        &mut self,
        rec: &Recommender,
        brand: &BrandRef,
        lexicon: &Lexicon,
        influencers: &[String],
        steps: u32,
        random: impl FnMut() -> u32,
    ) -> Result<u32> {
        let fm: &FactorModel = rec.factor_model().ok_or_else(no_model)?;
        let (name, base) = match brand {
            BrandRef::Known(name) => {
                let b = rec.brand_id(name).ok_or_else(|| Error::Unknown {
                    what: "brand",
                    name: name.clone(),
                })?;
                (
                    name.as_str(),
                    fm.brand_vector(&rec.brands()[b as usize], Some(b)),
                )
            }
            BrandRef::New(nb) => (
                nb.name.as_str(),
                fm.brand_vector(&nb.resolve(lexicon), None),
            ),
        };
        let k = key(name);
        let mut v = self.folded.get(&k).cloned().unwrap_or(base);
        let mut ids: Vec<u32> = influencers
            .iter()
            .filter_map(|n| rec.influencer_id(n))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        fm.fold_in(&mut v, &ids, steps, FOLD_IN_LEARNING_RATE, random);
        self.folded.insert(k, v);
        Ok(ids.len() as u32)
    }
}

/// Fold-in passes over the influencers a brand says it already likes
/// ([`Session::like`]): four times an interaction's 5 on the page, because the brand said
/// outright who it wants (on generated data one pass of 5 moved a liked account from last
/// of 300 to 275th; 20 take it into the first half).
pub const LIKE_FOLD_IN_STEPS: u32 = 20;

impl Session {
    /// The influencers `brand` already likes, by name (the ideal influencers of a new
    /// brand, or a known brand's favourites): they become its first rows, each worth an
    /// add-to-campaign's points in its rating, and its model vector is folded in towards
    /// them at once when the bundle has a model. A name that is no influencer refuses the
    /// whole call, naming it (nothing is added). Returns the influencers' ids, sorted.
    pub fn like(
        &mut self,
        rec: &Recommender,
        brand: &BrandRef,
        lexicon: &Lexicon,
        names: &[String],
        random: impl FnMut() -> u32,
    ) -> Result<Vec<u32>> {
        let mut ids = Vec::with_capacity(names.len());
        for n in names {
            ids.push(rec.influencer_id(n).ok_or_else(|| Error::Unknown {
                what: "influencer the brand likes",
                name: n.clone(),
            })?);
        }
        ids.sort_unstable();
        ids.dedup();
        let name = match brand {
            BrandRef::Known(name) => name.clone(),
            BrandRef::New(nb) => nb.name.clone(),
        };
        let points = rec.catalog().points().add_to_campaign;
        let rows: Vec<LocalRow> = ids
            .iter()
            .map(|&i| LocalRow {
                brand: name.clone(),
                influencer: rec.influencers()[i as usize].name.clone(),
                points,
            })
            .collect();
        if rec.factor_model().is_some() && !rows.is_empty() {
            let liked: Vec<String> = rows.iter().map(|r| r.influencer.clone()).collect();
            self.fold_in(rec, brand, lexicon, &liked, LIKE_FOLD_IN_STEPS, random)?;
        }
        self.add_local(rec, &rows)?;
        Ok(ids)
    }
}

/// xorshift64* from a 64-bit seed: the fold-in's negative sampler (seeded from the browser's
/// crypto source there, from a fixed seed in tests).
pub fn xorshift(seed: u64) -> impl FnMut() -> u32 {
    let mut x = seed | 1;
    move || {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        (x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 32) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::tests::small;
    use crate::rank::Who;

    fn row(brand: &str, influencer: &str, points: f64) -> LocalRow {
        LocalRow {
            brand: brand.into(),
            influencer: influencer.into(),
            points,
        }
    }

    #[test]
    fn local_points_join_the_rating_of_their_brand_only() {
        let rec = Recommender::new(small(), None, None).unwrap();
        let mut s = Session::default();
        // b has cohesion 0.2 and 3 bundle points for acme (3.2); +10 local makes it 13.2.
        let n = s
            .add_local(&rec, &[row("ACME", "b", 10.0), row("acme", "ghost", 5.0)])
            .unwrap();
        assert_eq!(n, 1, "the unknown influencer is skipped");
        let req = s.request(" acme ", RankBy::Rating, Filter::default());
        assert_eq!(req.local_points, [(1, 10.0)]);
        let r = rec.rank(Who::Known("acme"), 2, &req).unwrap();
        assert!((r.recommendations[1].score - 13.2).abs() < 1e-12);
        assert!((r.recommendations[1].interaction_points - 13.0).abs() < 1e-12);
        assert!(s
            .request("other", RankBy::Rating, Filter::default())
            .local_points
            .is_empty());
        // A bad row refuses the call and adds nothing.
        let e = s.add_local(&rec, &[row("acme", "a", 1.0), row("acme", "a", f64::NAN)]);
        assert!(matches!(e, Err(Error::InvalidParam { name: "points", .. })));
        assert_eq!(
            s.request("acme", RankBy::Rating, Filter::default())
                .local_points,
            [(1, 10.0)]
        );
        s.clear_local();
        assert_eq!(s, Session::default());
    }

    #[test]
    fn fold_in_needs_a_model_and_keeps_the_adapted_vector() {
        let bare = Recommender::new(small(), None, None).unwrap();
        let mut s = Session::default();
        let acme = BrandRef::Known("acme".into());
        let e = s.fold_in(
            &bare,
            &acme,
            Lexicon::builtin(),
            &["a".into()],
            3,
            xorshift(1),
        );
        assert!(matches!(e, Err(Error::Unknown { .. })));
        let catalog = small();
        let fit = crate::factor::fit(
            &catalog,
            &crate::factor::FactorSettings {
                epochs: 2,
                ..Default::default()
            },
            None,
        )
        .unwrap()
        .expect("the small catalog has pairs to learn from");
        let rec = Recommender::new(catalog, Some(fit.model), None).unwrap();
        let before = s.model_scores(&rec, "acme").unwrap();
        let n = s
            .fold_in(
                &rec,
                &acme,
                Lexicon::builtin(),
                &["a".into(), "nobody".into()],
                5,
                xorshift(7),
            )
            .unwrap();
        assert_eq!(n, 1);
        assert!(s.is_folded("ACME"));
        let after = s.model_scores(&rec, "acme").unwrap();
        // Fold-in towards a widens a's margin over b.
        assert!(
            after[0] - after[1] > before[0] - before[1],
            "{before:?} -> {after:?}"
        );
        let req = s.request("acme", RankBy::Model, Filter::default());
        assert!(req.vector.is_some());
        s.reset_fold_in();
        assert_eq!(s.model_scores(&rec, "acme").unwrap(), before);
        // A new brand folds in from its content-feature vector.
        let nb = BrandRef::New(NewBrand {
            name: "Fresh".into(),
            category: "music".into(),
            ..NewBrand::default()
        });
        assert_eq!(
            s.fold_in(&rec, &nb, Lexicon::builtin(), &["b".into()], 2, xorshift(3))
                .unwrap(),
            1
        );
        assert!(s.is_folded("fresh"));
    }
}
