//! The device's session: what a brand manager did on this device since the bundle loaded.
//! Pure (no JS): the wasm API holds one and converts values at its boundary.
//!
//! - Local points: interactions recorded on the device, summed per (brand, influencer), add
//!   to the rating exactly like the bundle's own points ([`RankRequest::local_points`]).
//! - Fold-in vectors: a brand's model vector adapted to the influencers it engaged with on
//!   the device ([`FactorModel::fold_in`]: user-side BPR steps with the items frozen, step
//!   size [`FOLD_IN_LEARNING_RATE`]); later rankings of that brand use it. The vector is a
//!   function of the brand's local points (rebuilt from the model's vector each time, with
//!   passes by points and a sampler seeded by the brand), so the rows replayed after a
//!   reload give the vector the live interactions gave, bit for bit.
//!
//! Brands are keyed by [`key`], so "Acme" and " acme " share one session entry.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::category::Lexicon;
use crate::error::{Error, Result};
use crate::mf::FactorModel;
use crate::random::fnv1a64;
use crate::rank::{Filter, NewBrand, RankBy, RankRequest, Recommender};
use crate::text::key;

/// Fold-in step: the margin a single normalised step moves (see [`FactorModel::fold_in`]).
pub const FOLD_IN_LEARNING_RATE: f32 = 0.5;
/// Fold-in passes per local point of an influencer: a check info (2 points) 8, an
/// add-to-campaign or a liked influencer (5) 20, a collaboration (10) 40. On generated data
/// one pass of 5 moved a liked account from last of 300 to 275th; 20 take it into the first
/// half.
pub const FOLD_IN_PASSES_PER_POINT: f64 = 4.0;
/// Most fold-in passes of one influencer, however many points it gathers.
pub const FOLD_IN_MAX_PASSES: u32 = 40;

/// The fold-in passes of an influencer with `points` local points.
pub fn fold_in_passes(points: f64) -> u32 {
    // Points are finite and >= 0 (`add_local` refuses others); the cap bounds the cast.
    (points * FOLD_IN_PASSES_PER_POINT)
        .ceil()
        .min(f64::from(FOLD_IN_MAX_PASSES)) as u32
}

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

    /// Forgets the local points (all brands), and with them the fold-in vectors they made.
    pub fn clear_local(&mut self) {
        self.local.clear();
        self.folded.clear();
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

    /// Fold-in: `brand`'s model vector adapted to the influencers whose local points reach
    /// a check info's (each with [`fold_in_passes`] of its points), the negative sampler
    /// seeded by the brand's key. Without such an influencer the brand keeps its model
    /// vector. Returns how many influencers it folded in.
    pub fn fold_in(
        &mut self,
        rec: &Recommender,
        brand: &BrandRef,
        lexicon: &Lexicon,
    ) -> Result<u32> {
        let fm: &FactorModel = rec.factor_model().ok_or_else(no_model)?;
        let name = match brand {
            BrandRef::Known(name) => name.as_str(),
            BrandRef::New(nb) => nb.name.as_str(),
        };
        let k = key(name);
        let min = rec.catalog().points().check_info;
        let positives: Vec<(u32, u32)> = (self.local.get(&k).into_iter().flatten())
            .filter(|&(_, &p)| p >= min)
            .map(|(&i, &p)| (i, fold_in_passes(p)))
            .collect();
        // Local points only grow (clear_local forgets the vectors with them), so a brand
        // with no such influencer has no vector to forget.
        if positives.is_empty() {
            return Ok(0);
        }
        let mut v = match brand {
            BrandRef::Known(name) => {
                let b = rec.brand_id(name).ok_or_else(|| Error::Unknown {
                    what: "brand",
                    name: name.clone(),
                })?;
                fm.brand_vector(&rec.brands()[b as usize], Some(b))
            }
            BrandRef::New(nb) => fm.brand_vector(&nb.resolve(lexicon), None),
        };
        let seed = fnv1a64(k.as_bytes());
        fm.fold_in(&mut v, &positives, FOLD_IN_LEARNING_RATE, xorshift(seed));
        self.folded.insert(k, v);
        Ok(positives.len() as u32)
    }
}

impl Session {
    /// The influencers `brand` already likes, by name (the ideal influencers of a new
    /// brand, or a known brand's favourites): they become its first rows, each worth an
    /// add-to-campaign's points in its rating (so the rows the page records for them replay
    /// to the same state), and its model vector is folded in towards them at once when the
    /// bundle has a model. A name that is no influencer refuses the
    /// whole call, naming it (nothing is added). Returns the influencers' ids, sorted.
    pub fn like(
        &mut self,
        rec: &Recommender,
        brand: &BrandRef,
        lexicon: &Lexicon,
        names: &[String],
    ) -> Result<Vec<u32>> {
        if let BrandRef::Known(name) = brand {
            if rec.brand_id(name).is_none() {
                return Err(Error::Unknown {
                    what: "brand",
                    name: name.clone(),
                });
            }
        }
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
        self.add_local(rec, &rows)?;
        if rec.factor_model().is_some() && !rows.is_empty() {
            self.fold_in(rec, brand, lexicon)?;
        }
        Ok(ids)
    }
}

/// xorshift64* from a 64-bit seed: the fold-in's negative sampler (seeded by the brand).
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
    fn fold_in_needs_a_model_and_follows_the_local_points() {
        let bare = Recommender::new(small(), None, None).unwrap();
        let mut s = Session::default();
        let acme = BrandRef::Known("acme".into());
        let e = s.fold_in(&bare, &acme, Lexicon::builtin());
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
        let row = |inf: &str, points: f64| LocalRow {
            brand: "acme".into(),
            influencer: inf.into(),
            points,
        };
        // A click is below a check info's points: nothing to fold in, the model's vector.
        s.add_local(&rec, &[row("a", 1.0)]).unwrap();
        assert_eq!(s.fold_in(&rec, &acme, Lexicon::builtin()).unwrap(), 0);
        assert!(!s.is_folded("acme"));
        s.add_local(&rec, &[row("a", 10.0), row("nobody", 10.0)])
            .unwrap();
        assert_eq!(s.fold_in(&rec, &acme, Lexicon::builtin()).unwrap(), 1);
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
        let fresh = |inf: &str, points: f64| LocalRow {
            brand: "fresh".into(),
            ..row(inf, points)
        };
        s.add_local(&rec, &[fresh("b", 2.0)]).unwrap();
        assert_eq!(s.fold_in(&rec, &nb, Lexicon::builtin()).unwrap(), 1);
        assert!(s.is_folded("fresh"));
        // The vectors go with the points they were made of.
        s.clear_local();
        assert_eq!(s, Session::default());
        assert_eq!(fold_in_passes(2.0), 8);
        assert_eq!(fold_in_passes(5.0), 20);
        assert_eq!(fold_in_passes(1e300), FOLD_IN_MAX_PASSES);
    }

    /// What a reload does: the device's rows replayed at once give each brand the vector
    /// the interactions gave one by one, and liking gives what its recorded rows replay.
    /// (The generated catalog is native only.)
    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn replayed_rows_fold_in_to_the_live_vector() {
        use crate::catalog::tests::generated_catalog;
        let catalog = generated_catalog();
        let fit = crate::factor::fit(&catalog, &crate::factor::FactorSettings::seeded(3), None)
            .unwrap()
            .expect("pairs to learn from");
        let rec = Recommender::new(catalog, Some(fit.model), None).unwrap();
        let brand = rec.brands()[0].name.clone();
        let who = |k: usize| rec.influencers()[k * 7].name.clone();
        let points = rec.catalog().points();
        let rows: Vec<LocalRow> = [
            (0, points.check_info),
            (1, points.collaboration),
            (0, points.click),
            (2, points.add_to_campaign),
            (3, points.click),
        ]
        .iter()
        .map(|&(k, p)| LocalRow {
            brand: brand.clone(),
            influencer: who(k),
            points: p,
        })
        .collect();
        let known = BrandRef::Known(brand.clone());
        let mut live = Session::default();
        for r in &rows {
            live.add_local(&rec, std::slice::from_ref(r)).unwrap();
            live.fold_in(&rec, &known, Lexicon::builtin()).unwrap();
        }
        let mut reloaded = Session::default();
        reloaded.add_local(&rec, &rows).unwrap();
        assert_eq!(
            reloaded.fold_in(&rec, &known, Lexicon::builtin()).unwrap(),
            3
        );
        assert_eq!(reloaded, live);
        // A new brand's liked influencers, then the rows the page recorded for them.
        let nb = NewBrand {
            name: "Liked Co".into(),
            category: rec.brands()[0].category.clone(),
            ..NewBrand::default()
        };
        let liked = [who(4), who(5)];
        let mut at_once = Session::default();
        let ids = at_once
            .like(&rec, &BrandRef::New(nb.clone()), Lexicon::builtin(), &liked)
            .unwrap();
        assert_eq!(ids.len(), 2);
        let mut replayed = Session::default();
        let recorded: Vec<LocalRow> = liked
            .iter()
            .map(|n| LocalRow {
                brand: nb.name.clone(),
                influencer: n.clone(),
                points: points.add_to_campaign,
            })
            .collect();
        replayed.add_local(&rec, &recorded).unwrap();
        replayed
            .fold_in(&rec, &BrandRef::New(nb), Lexicon::builtin())
            .unwrap();
        assert_eq!(replayed, at_once);
        // An unknown brand likes nothing: refused, nothing added.
        let mut s = Session::default();
        let e = s.like(
            &rec,
            &BrandRef::Known("no such brand".into()),
            Lexicon::builtin(),
            &liked,
        );
        assert!(matches!(e, Err(Error::Unknown { what: "brand", .. })));
        assert_eq!(s, Session::default());
    }
}
