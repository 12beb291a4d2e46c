//! The product's factorization model: LightFM-style hybrid factorization ([`crate::mf`])
//! trained on a [`Catalog`]'s positives over its content features.
//!
//! Brands are users, influencers are items; both are described by their features (see
//! [`crate::mf::data`]), so a brand that was never trained on gets a vector from its
//! category, country and hashtags. The model is fitted with LightFM's `fit`, or continued
//! with `fit_partial` from a [`WarmStart`] when the hyper-parameters and both feature
//! vocabularies are unchanged.
//!
//! ## What it learns from: the mixing rule
//!
//! This is the one place the rule is defined; [`training_set`] implements it.
//! - **Interactions**: a pair whose summed interaction points reach
//!   [`FactorSettings::min_points`] is a positive of weight 1.
//! - **Collaboration evidence** (the scrape's own record of who works with whom, so it is
//!   there from day one): a pair whose influencer's posts name the brand's handle is a
//!   positive of weight [`EvidenceWeights::organic`] (2), or [`EvidenceWeights::sponsored`]
//!   (3) when a paid post credits the brand.
//! - **The relationship table** (the rule's prior, so a brand without interactions or
//!   evidence still has pairs): for every known brand b, its [`RelationshipPrior::top`]
//!   influencers by cohesion rating c(b, i) (rating > 0) are positives of weight
//!   `weight · c(b, i) / max_j c(b, j) · 1 / (1 + n_b / fade)`, where n_b is the number of
//!   b's interaction and evidence positives: the prior counts fully for a brand with
//!   neither and fades as the brand's own positives arrive. At its default weight (1) even
//!   a brand's best-rated pair counts less than an organic mention: what accounts did beats
//!   what the rule guesses.
//! - A pair that is both gets both weights, summed. Weights are LightFM's `sample_weight`
//!   (they scale each step's loss).
//!
//! Learning the rule's own top pairs lets the model generalise where the rule needs exact
//! matches: influencers that share hashtags with a brand's top pairs, or a category with its
//! neighbours, are pulled towards the brand through the shared feature embeddings.

use serde::{Deserialize, Serialize};

use crate::catalog::Catalog;
use crate::error::{Error, Result};
use crate::mf::experiment::{dataset_from_rows, MfDataset, SplitKind};
use crate::mf::{FactorModel, LightFm, LightFmParams, Loss, TrainData, WarmStart};

/// How the relationship table enters training (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RelationshipPrior {
    /// Influencers per brand taken from its cohesion ranking (50; 0 turns the prior off).
    pub top: u32,
    /// Weight of a brand's best pair (1.0).
    pub weight: f32,
    /// Interaction positives at which a brand's prior weight halves (5.0).
    pub fade: f64,
}

impl Default for RelationshipPrior {
    fn default() -> Self {
        RelationshipPrior {
            top: 50,
            weight: 1.0,
            fade: 5.0,
        }
    }
}

/// How collaboration evidence enters training (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EvidenceWeights {
    /// Weight of a pair whose posts name the brand, none of them paid (2.0).
    pub organic: f32,
    /// Weight of a pair with a paid post crediting the brand (3.0).
    pub sponsored: f32,
}

impl Default for EvidenceWeights {
    fn default() -> Self {
        EvidenceWeights {
            organic: 2.0,
            sponsored: 3.0,
        }
    }
}

/// Settings of the factorization model as the product trains it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FactorSettings {
    /// LightFM hyper-parameters (the product's defaults differ from LightFM's in loss and d).
    pub params: LightFmParams,
    /// Epochs.
    pub epochs: u32,
    /// Threads (1 = deterministic).
    pub num_threads: usize,
    /// Minimum summed interaction points for a pair to be a positive.
    pub min_points: f64,
    /// The relationship table's part.
    pub relationship: RelationshipPrior,
    /// Collaboration evidence's part.
    #[serde(default)]
    pub evidence: EvidenceWeights,
    /// Whether influencers carry an identity feature (`influencer:<name>`); see
    /// [`ItemIdentity`].
    #[serde(default)]
    pub item_identity: ItemIdentity,
}

/// Whether influencers carry an identity feature (`influencer:<name>`) besides their content.
///
/// With it each influencer has a vector of its own: d + 5 bytes per influencer in the bundle
/// (int8 and a scale), which does not compress, and the pipeline ranks better with it
/// (`eval --repeat 6` on the bundled data: pipeline NDCG@10 0.0675 against 0.0640 on the
/// random split, 0.2511 against 0.2399 cold-start). Without it an influencer's vector is the
/// normalised sum of its content features' embeddings, computed when the bundle is loaded,
/// and the bundle stores a few thousand feature rows however many influencers there are:
/// at 100,000 influencers that is 3.5 MB less to download before the first ranking.
#[cfg_attr(not(target_arch = "wasm32"), derive(clap::ValueEnum))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ItemIdentity {
    /// Identity features up to [`ItemIdentity::AUTO_MAX_INFLUENCERS`] influencers (about
    /// 1 MB of vectors at d = 32), content only above.
    #[default]
    Auto,
    /// Always.
    On,
    /// Never: influencers by their content alone.
    Off,
}

impl ItemIdentity {
    /// The largest catalog [`ItemIdentity::Auto`] gives identity features to.
    pub const AUTO_MAX_INFLUENCERS: usize = 25_000;

    /// Whether a catalog of `influencers` gets identity features.
    pub fn applies(self, influencers: usize) -> bool {
        match self {
            ItemIdentity::On => true,
            ItemIdentity::Off => false,
            ItemIdentity::Auto => influencers <= Self::AUTO_MAX_INFLUENCERS,
        }
    }
}

impl Default for FactorSettings {
    fn default() -> Self {
        FactorSettings {
            params: LightFmParams {
                loss: Loss::Warp,
                no_components: 32,
                ..LightFmParams::default()
            },
            epochs: 30,
            num_threads: 1,
            min_points: 1.0,
            relationship: RelationshipPrior::default(),
            evidence: EvidenceWeights::default(),
            item_identity: ItemIdentity::Auto,
        }
    }
}

impl FactorSettings {
    /// Checks every knob before any work starts, one error per knob (named as the flag or
    /// field is): LightFM's parameters, then epochs, threads, the positive threshold and the
    /// relationship prior.
    pub fn validate(&self) -> Result<()> {
        let bad = |name: &'static str, message: String| Err(Error::InvalidParam { name, message });
        self.params.validate()?;
        if self.epochs == 0 {
            return bad("epochs", "must be >= 1".into());
        }
        if self.num_threads == 0 {
            return bad("num_threads", "must be >= 1".into());
        }
        if !(self.min_points.is_finite() && self.min_points > 0.0) {
            return bad(
                "min_points",
                format!("must be a number > 0, got {}", self.min_points),
            );
        }
        let r = &self.relationship;
        if !(r.weight.is_finite() && r.weight >= 0.0) {
            return bad(
                "relationship.weight",
                format!("must be a number >= 0, got {}", r.weight),
            );
        }
        for (name, w) in [
            ("evidence.organic", self.evidence.organic),
            ("evidence.sponsored", self.evidence.sponsored),
        ] {
            if !(w.is_finite() && w >= 0.0) {
                return bad(name, format!("must be a number >= 0, got {w}"));
            }
        }
        if !(r.fade.is_finite() && r.fade > 0.0) {
            return bad(
                "relationship.fade",
                format!("must be a number > 0, got {}", r.fade),
            );
        }
        Ok(())
    }

    /// The defaults with every seed set to `seed`.
    pub fn seeded(seed: u64) -> FactorSettings {
        let mut s = FactorSettings::default();
        s.params.random_state = seed;
        s
    }
}

/// How a factorization model was trained.
#[derive(Debug, Clone, PartialEq)]
pub enum Fit {
    /// From scratch (`fit`), and why.
    Full(String),
    /// Continued from a previous state (`fit_partial`) for this many epochs.
    Warm(u32),
}

/// A trained factorization model with the state a later warm start continues from.
#[derive(Debug, Clone)]
pub struct FactorFit {
    /// The inference model.
    pub model: FactorModel,
    /// The trainer's state.
    pub state: WarmStart,
    /// How it was trained.
    pub how: Fit,
    /// What it learned from.
    pub sources: Sources,
}

/// Where training pairs came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Sources {
    /// Pairs from the relationship table only.
    pub relationship: usize,
    /// Pairs from interactions only.
    pub interactions: usize,
    /// Pairs from both.
    pub both: usize,
    /// Pairs with collaboration evidence (whatever else they have; counted once).
    pub evidence: usize,
}

impl Sources {
    /// Every pair.
    pub fn total(&self) -> usize {
        self.relationship + self.interactions + self.both + self.evidence
    }
}

/// Weighted training pairs (see the mixing rule in the module docs).
#[derive(Debug, Clone, PartialEq)]
pub struct TrainingSet {
    /// (brand, influencer, interaction points), sorted by pair.
    pub pairs: Vec<(u32, u32, f64)>,
    /// One sample weight per pair.
    pub weights: Vec<f32>,
    /// How many pairs came from where.
    pub sources: Sources,
}

/// The training set of catalog `c`: `interactions` (brand, influencer, points), the
/// collaboration `evidence` (brand, influencer, posts, paid posts; see
/// [`Catalog::evidence_pairs`]) and the relationship prior of the brands `prior` admits (all
/// when `None`; evaluation leaves out the brands it treats as never seen), mixed as the
/// module docs say.
pub fn training_set(
    c: &Catalog,
    interactions: &[(u32, u32, f64)],
    evidence: &[(u32, u32, u32, u32)],
    prior: Option<&[bool]>,
    s: &FactorSettings,
) -> TrainingSet {
    use std::collections::BTreeMap;
    let nb = c.brands().len();
    let mut n_b = vec![0usize; nb];
    // (points, weight, from the prior, from interactions or evidence)
    let mut acc: BTreeMap<(u32, u32), (f64, f64, bool, bool)> = BTreeMap::new();
    for &(b, i, p) in interactions {
        n_b[b as usize] += 1;
        let e = acc.entry((b, i)).or_insert((0.0, 0.0, false, false));
        e.0 += p;
        e.1 += 1.0;
        e.3 = true;
    }
    let mut evidenced = std::collections::BTreeSet::new();
    for &(b, i, _, paid) in evidence {
        if b as usize >= nb || i as usize >= c.influencers().len() {
            continue;
        }
        n_b[b as usize] += 1;
        let e = acc.entry((b, i)).or_insert((0.0, 0.0, false, false));
        e.1 += f64::from(if paid > 0 {
            s.evidence.sponsored
        } else {
            s.evidence.organic
        });
        e.3 = true;
        evidenced.insert((b, i));
    }
    let r = s.relationship;
    if r.top > 0 && r.weight > 0.0 {
        let index = c.index();
        for (b, brand) in c.brands().iter().enumerate() {
            if prior.is_some_and(|m| !m[b]) {
                continue;
            }
            let scores = index.score_all(&index.prepare_brand(brand));
            // Best first, ties to the lower id (the ranking's own order); only rated pairs.
            let mut ids = crate::topk::top_k(&scores, r.top as usize);
            ids.retain(|&i| scores[i] > 0.0);
            let Some(&best) = ids.first() else { continue };
            let fade = 1.0 / (1.0 + n_b[b] as f64 / r.fade);
            for i in ids {
                let w = f64::from(r.weight) * scores[i] / scores[best] * fade;
                let e = acc
                    .entry((b as u32, i as u32))
                    .or_insert((0.0, 0.0, false, false));
                e.1 += w;
                e.2 = true;
            }
        }
    }
    let mut set = TrainingSet {
        pairs: Vec::with_capacity(acc.len()),
        weights: Vec::with_capacity(acc.len()),
        sources: Sources::default(),
    };
    for ((b, i), (p, w, rel, int)) in acc {
        set.pairs.push((b, i, p));
        set.weights.push(w as f32);
        match (rel, int, evidenced.contains(&(b, i))) {
            (_, _, true) => set.sources.evidence += 1,
            (true, true, _) => set.sources.both += 1,
            (true, false, _) => set.sources.relationship += 1,
            _ => set.sources.interactions += 1,
        }
    }
    set
}

/// Trains from scratch on `interactions` (brand, influencer, points; each pair weight 1, so
/// evidence merged into points by [`Catalog::learning_positives`] counts as one interaction)
/// of catalog `c` and the relationship prior of the brands `prior` admits.
pub fn fit_pairs(
    c: &Catalog,
    interactions: &[(u32, u32, f64)],
    prior: Option<&[bool]>,
    s: &FactorSettings,
) -> Result<(LightFm, FactorModel)> {
    s.validate()?;
    let set = training_set(c, interactions, &[], prior, s);
    let m = train_on(c, &set, s, None)?;
    let identity = s.item_identity.applies(c.influencers().len());
    let f = c.features_of(identity)?;
    let fm = FactorModel::from_trainer(
        &m,
        &f.users,
        &f.items,
        Some(&f.user_vocab),
        (!identity).then_some(&f.item_vocab),
    )?;
    Ok((m, fm))
}

/// `fit` (or, with `warm`, `fit_partial` for its epochs) on a training set.
fn train_on(
    c: &Catalog,
    set: &TrainingSet,
    s: &FactorSettings,
    warm: Option<(&WarmStart, u32)>,
) -> Result<LightFm> {
    let f = c.features_of(s.item_identity.applies(c.influencers().len()))?;
    if set.pairs.is_empty() {
        return Err(Error::InvalidParam {
            name: "training pairs",
            message: "no interactions and no relationship pairs to learn from".into(),
        });
    }
    let ix = crate::mf::Interactions::from_pairs(
        c.brands().len() as u32,
        c.influencers().len() as u32,
        &set.pairs,
    );
    let data = TrainData {
        interactions: &ix,
        user_features: &f.users,
        item_features: &f.items,
        sample_weight: Some(&set.weights),
    };
    Ok(match warm {
        Some((w, epochs)) => {
            let mut m = w.trainer()?;
            m.fit_partial(data, epochs, s.num_threads)?;
            m
        }
        None => {
            let mut m = LightFm::new(s.params.clone())?;
            m.fit(data, s.epochs, s.num_threads)?;
            m
        }
    })
}

/// Trains on every interaction positive of `c`, its collaboration evidence and the
/// relationship prior of every brand:
/// continued from `warm` with `fit_partial` for its epochs when the state is compatible
/// (same hyper-parameters and vocabularies), from scratch otherwise, saying why. `None` when
/// there is nothing to learn from (no interactions and no rated pair).
pub fn fit(
    c: &Catalog,
    s: &FactorSettings,
    warm: Option<(&WarmStart, u32)>,
) -> Result<Option<FactorFit>> {
    s.validate()?;
    let identity = s.item_identity.applies(c.influencers().len());
    let f = c.features_of(identity)?;
    let set = training_set(c, &c.positives(s.min_points), &c.evidence_pairs(), None, s);
    if set.pairs.is_empty() {
        return Ok(None);
    }
    let reason = match warm {
        None => Some("no trainer state yet"),
        Some((w, _)) => w.incompatibility(&s.params, &f.user_vocab, &f.item_vocab),
    };
    let (m, how) = match (warm, reason) {
        (Some((w, epochs)), None) => (train_on(c, &set, s, Some((w, epochs)))?, Fit::Warm(epochs)),
        (_, reason) => (
            train_on(c, &set, s, None)?,
            Fit::Full(reason.unwrap_or_default().to_string()),
        ),
    };
    Ok(Some(FactorFit {
        model: FactorModel::from_trainer(
            &m,
            &f.users,
            &f.items,
            Some(&f.user_vocab),
            (!identity).then_some(&f.item_vocab),
        )?,
        state: WarmStart::of(&m, &f.user_vocab, &f.item_vocab),
        how,
        sources: set.sources,
    }))
}

/// The catalog's positives (points >= `min_points`) as a factorization data set split as
/// `kind` says, for the reference-library scripts.
pub fn dataset(c: &Catalog, min_points: f64, seed: u64, kind: SplitKind) -> Result<MfDataset> {
    let (users, items) = c.feature_rows();
    dataset_from_rows(&users, &items, &c.positives(min_points), kind, seed)
}

// The catalogs come from the generator, which is native only.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::catalog::tests::generated_catalog;
    use crate::mf::stored::{Precision, StoredItems, StoredMatrix};
    use crate::mf::Vocabulary;

    fn settings(identity: bool) -> FactorSettings {
        let mut s = FactorSettings::seeded(5);
        s.epochs = 3;
        s.item_identity = if identity {
            ItemIdentity::On
        } else {
            ItemIdentity::Off
        };
        s
    }

    #[test]
    fn every_knob_is_checked_and_named_on_its_own() {
        assert!(FactorSettings::default().validate().is_ok());
        let name = |f: &dyn Fn(&mut FactorSettings)| {
            let mut s = FactorSettings::default();
            f(&mut s);
            match s.validate() {
                Err(Error::InvalidParam { name, .. }) => name,
                other => panic!("expected InvalidParam, got {other:?}"),
            }
        };
        assert_eq!(name(&|s| s.epochs = 0), "epochs");
        assert_eq!(name(&|s| s.num_threads = 0), "num_threads");
        assert_eq!(name(&|s| s.min_points = 0.0), "min_points");
        assert_eq!(name(&|s| s.min_points = f64::NAN), "min_points");
        assert_eq!(
            name(&|s| s.relationship.weight = -1.0),
            "relationship.weight"
        );
        assert_eq!(name(&|s| s.relationship.fade = 0.0), "relationship.fade");
        assert_eq!(name(&|s| s.evidence.organic = -1.0), "evidence.organic");
        assert_eq!(
            name(&|s| s.evidence.sponsored = f32::NAN),
            "evidence.sponsored"
        );
        assert_eq!(name(&|s| s.params.k = 0), "k");
        assert_eq!(name(&|s| s.params.n = 0), "n");
        assert_eq!(name(&|s| s.params.max_sampled = 0), "max_sampled");
        assert_eq!(name(&|s| s.params.no_components = 0), "no_components");
    }

    #[test]
    fn mentions_outweigh_the_prior_and_paid_ones_outweigh_organic_ones() {
        use crate::catalog::tests::small_tables;
        use crate::catalog::MentionRow;
        let mut t = small_tables();
        t.pair_points.clear();
        t.brands[0].handle = "acme".into();
        let c = Catalog::from_tables(t, "t").unwrap();
        let s = FactorSettings::default();
        // Without evidence: the rule's top pairs, the best at the prior's full weight.
        let prior = training_set(&c, &[], &c.evidence_pairs(), None, &s);
        assert_eq!(prior.sources.relationship, 2);
        let best = prior.weights.iter().copied().fold(0f32, f32::max);
        assert_eq!(best, s.relationship.weight);
        // Influencer 0 names acme in an organic post, influencer 1 in a paid one.
        let row = |influencer: u32, sponsored_posts: u32| MentionRow {
            influencer,
            handle: "acme".into(),
            posts: 1,
            sponsored_posts,
            first_seen: None,
            last_seen: None,
        };
        let mut t = c.tables().clone();
        t.mentions = vec![row(0, 0), row(1, 1)];
        let c = Catalog::from_tables(t, "t").unwrap();
        let set = training_set(&c, &[], &c.evidence_pairs(), None, &s);
        assert_eq!(set.sources.evidence, 2);
        // Two positives fade the prior to 1 / (1 + 2/5) of its weight.
        let fade = 1.0 / (1.0 + 2.0 / s.relationship.fade);
        let w = |i: u32| set.weights[set.pairs.iter().position(|p| p.1 == i).unwrap()];
        let prior_w = |i: u32| prior.weights[prior.pairs.iter().position(|p| p.1 == i).unwrap()];
        let organic = w(0) - (f64::from(prior_w(0)) * fade) as f32;
        let paid = w(1) - (f64::from(prior_w(1)) * fade) as f32;
        assert!((organic - s.evidence.organic).abs() < 1e-6, "{organic}");
        assert!((paid - s.evidence.sponsored).abs() < 1e-6, "{paid}");
        assert!(s.evidence.sponsored > s.evidence.organic && s.evidence.organic > best);
    }

    #[test]
    fn auto_identity_is_for_catalogs_whose_vectors_stay_small() {
        let n = ItemIdentity::AUTO_MAX_INFLUENCERS;
        assert!(ItemIdentity::Auto.applies(2_400) && ItemIdentity::Auto.applies(n));
        assert!(!ItemIdentity::Auto.applies(n + 1) && !ItemIdentity::Auto.applies(100_000));
        assert!(ItemIdentity::On.applies(100_000) && !ItemIdentity::Off.applies(10));
    }

    #[test]
    fn content_only_influencers_are_stored_as_features_and_rebuilt_at_load() {
        let c = generated_catalog();
        let fitted = fit(&c, &settings(false), None).unwrap().unwrap();
        let stored = fitted.model.store(Precision::F32);
        let StoredItems::Features { repr, .. } = &stored.items else {
            panic!("content-only items are stored as feature embeddings");
        };
        let vocab = &c.features_of(false).unwrap().item_vocab;
        assert!(matches!(repr, StoredMatrix::F32 { rows, .. } if *rows as usize == vocab.len()));
        let loaded = FactorModel::load(&stored, || c.item_content()).unwrap();
        // Rebuilt at load from the catalog, the rows are the trained ones (f32 sums in
        // column order either way; tolerance for the trainer's own accumulation).
        assert_eq!(loaded.item_repr.dim(), fitted.model.item_repr.dim());
        for (a, b) in loaded.item_repr.iter().zip(fitted.model.item_repr.iter()) {
            assert!((a - b).abs() <= 1e-5 * (1.0 + b.abs()), "{a} vs {b}");
        }
        // Stored again, the loaded model gives the same bytes (sorted names either way).
        assert_eq!(loaded.store(Precision::F32), stored);
        // int8 feature rows: each influencer's row is an average of rows each within half a
        // step (max |x| / 254) of the f32 one.
        let q = FactorModel::load(&fitted.model.store(Precision::I8), || c.item_content()).unwrap();
        let step = fitted
            .model
            .item_features
            .as_ref()
            .unwrap()
            .repr
            .iter()
            .fold(0f32, |m, x| m.max(x.abs()))
            / 254.0;
        for (a, b) in q.item_repr.iter().zip(fitted.model.item_repr.iter()) {
            assert!(
                (a - b).abs() <= step * 1.001,
                "{a} vs {b} (half step {step})"
            );
        }
        // With identity features there is one stored row per influencer.
        let identity = fit(&c, &settings(true), None).unwrap().unwrap();
        assert!(matches!(
            identity.model.store(Precision::F32).items,
            StoredItems::Rows(StoredMatrix::F32 { rows, .. }) if rows as usize == c.influencers().len()
        ));
    }

    #[test]
    fn a_model_stored_for_other_content_is_refused() {
        let c = generated_catalog();
        let fitted = fit(&c, &settings(false), None).unwrap().unwrap();
        let stored = fitted.model.store(Precision::F32);
        assert!(FactorModel::load(&stored, || c.item_content()).is_some());
        // Another checksum (the names the model was stored with differ from the catalog's).
        let mut other = stored.clone();
        if let StoredItems::Features { names_checksum, .. } = &mut other.items {
            *names_checksum ^= 1;
        }
        assert!(FactorModel::load(&other, || c.item_content()).is_none());
        // A row too many.
        let mut extra = stored.clone();
        if let StoredItems::Features {
            repr: StoredMatrix::F32 { rows, cols, data },
            ..
        } = &mut extra.items
        {
            *rows += 1;
            data.extend(std::iter::repeat_n(0.0, *cols as usize));
        }
        assert!(FactorModel::load(&extra, || c.item_content()).is_none());
        // A catalog with a name fewer (the same count of rows cannot hide it: the checksum).
        let fewer = || {
            let mut content = c.item_content();
            let mut names: Vec<String> = content.names.names().to_vec();
            names.pop();
            names.push("tag:zzz-not-in-the-catalog".into());
            let mut v = Vocabulary::default();
            for n in &names {
                v.intern(n);
            }
            content.names = v;
            content
        };
        assert!(FactorModel::load(&stored, fewer).is_none());
        // Rows naming a feature outside the vocabulary.
        let outside = || {
            let mut content = c.item_content();
            content.rows.indices[0] = content.names.len() as u32;
            content
        };
        assert!(FactorModel::load(&stored, outside).is_none());
    }

    /// Two groups of accounts alike in every content feature but the handles they name
    /// (their own photo studio): each brand's mentions are some of one group's accounts,
    /// and the rest of that group, named by nobody, rank above the other group for it.
    /// (The relationship prior is off: between accounts of one rating it could only pick
    /// by id.)
    #[test]
    fn a_brand_learns_from_accounts_that_name_what_its_positives_name() {
        use crate::catalog::BuildParams;
        use crate::cohesion::tests::influencer;
        use crate::model::{Brand, Mention};
        let name = |g: usize, k: usize| format!("g{g}_{k:02}");
        let infs: Vec<_> = (0..2)
            .flat_map(|g| (0..20).map(move |k| influencer(&name(g, k), "music", "US", &["x"], 0.1)))
            .collect();
        let brand = |n: &str| Brand {
            name: n.into(),
            category: "music".into(),
            country: "US".into(),
            hashtags: vec!["x".into()],
            handle: n.into(),
            ..Brand::default()
        };
        let (c, _) = Catalog::build(
            infs,
            vec![brand("acme"), brand("zeta")],
            &[],
            &BuildParams::default(),
        )
        .unwrap();
        let mention = |who: String, handle: &str| Mention {
            influencer: who,
            handle: handle.into(),
            posts: 1,
            ..Mention::default()
        };
        let mut rows = Vec::new();
        for (g, brand) in [(0, "acme"), (1, "zeta")] {
            rows.extend((0..8).map(|k| mention(name(g, k), brand)));
        }
        let evidence_only = c.clone().with_mentions(&rows).unwrap().0;
        for g in 0..2 {
            rows.extend((0..20).map(|k| mention(name(g, k), &format!("studio{g}"))));
        }
        let with_studios = c.with_mentions(&rows).unwrap().0;
        let mut s = settings(false);
        // The studio is one feature in eight of a row: the groups part after some 40 epochs.
        s.epochs = 60;
        s.relationship.top = 0;
        // Mean score of the accounts nobody's evidence names, group by group, for a brand.
        let unnamed = |c: &Catalog, b: u32| -> [f32; 2] {
            let m = fit(c, &s, None).unwrap().unwrap().model;
            let mut out = Vec::new();
            m.score_all(&m.known_user(b as usize).to_vec(), &mut out);
            [0, 1].map(|g| {
                let ids = (8..20).map(|k| c.influencer_id(&name(g, k)).unwrap() as usize);
                ids.map(|i| out[i]).sum::<f32>() / 12.0
            })
        };
        let (acme, zeta) = (0, 1);
        let [g0, g1] = unnamed(&with_studios, acme);
        assert!(g0 > g1, "acme: its group {g0} above the other {g1}");
        let [g0, g1] = unnamed(&with_studios, zeta);
        assert!(g1 > g0, "zeta: its group {g1} above the other {g0}");
        // Without the studios the two groups' unnamed accounts are one item: no order.
        let [g0, g1] = unnamed(&evidence_only, acme);
        assert_eq!(g0, g1);
    }
}
