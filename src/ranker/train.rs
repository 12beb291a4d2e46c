//! Training the ranker without leaking labels into features.
//!
//! The positives (pairs with interaction points) are split in two: a seeded
//! `history_fraction` of each known brand's pairs is *history* (it feeds the history
//! percentiles and the factorization model used for the `factor_score` feature), the rest
//! are *labels*. A `cold_fraction` of the brands is held out whole: all their pairs are
//! labels, and their features are built as for a new brand (no activity, factor vector from
//! content features), so the ranker also learns to rank for brands it has never seen.
//!
//! Each query is one brand with at least one label pair, over the influencers
//! [`TrainingPairs`] picks (never the brand's history pairs: those are already known to it):
//! - [`TrainingPairs::Sampled`] (the default): the brand's label pairs, `random` influencers
//!   drawn from a generator seeded by the seed and the brand (one stream per brand, so a
//!   brand's query does not depend on which other brands are queries), and optionally the
//!   cohesion rule's and the factorization model's top `top` (the candidates the ranker
//!   re-ranks at serving time). A query holds at most labels + 2·top + random rows whatever
//!   the catalog's size: the table grows with the positives, not with brands × influencers.
//! - [`TrainingPairs::Every`]: every influencer (brands × influencers rows; kept for
//!   comparison, `eval` prints both).
//!
//! The default was measured (`influence-rec eval --repeat 6 --ranker-top T --ranker-random R`,
//! bundled data, pipeline NDCG@10 on the random / cold-start split): every pair
//! 0.0604 / 0.2530; T=0, R=100 0.0684 / 0.2384; **T=0, R=200 0.0675 / 0.2511**; T=0, R=500
//! 0.0652 / 0.2403; T=20, R=200 0.0641 / 0.2284; T=50, R=300 0.0606 / 0.2433; T=200, R=500
//! 0.0557 / 0.2248. Uniform negatives keep every positive-negative pair equally likely, so the
//! pairwise loss sees the catalog as it is; the proposers' top pairs are negatives the
//! rule and the model rate highly, and over-representing them teaches the trees that high
//! cohesion and factor scores mean *not* relevant.
//!
//! Labels are graded relevance from the label
//! pairs' points, [`grade`]: 1 click (1 point), 2 check info (2–4), 3 add to campaign (5–9),
//! 4 collaboration (10+). With [`LabelRule::InteractionsAndCohesion`] every interacted grade
//! moves up one and a pair without interactions but with the same category *and* location
//! gets grade 1. A seeded `valid_fraction` of the query brands is the validation set for
//! early stopping (NDCG@10).

use std::collections::{BTreeMap, BTreeSet};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::{
    pair_features, BrandContext, Evidence, History, StoredRanker, FEATURE_NAMES, NUM_FEATURES,
};
use crate::catalog::Catalog;
use crate::cohesion::PreparedBrand;
use crate::error::{Error, Result};
use crate::factor::{fit_pairs, FactorSettings};
use crate::gbdt::train::{Dataset, GbdtParams, ObjectiveKind};
use crate::mf::FactorModel;
use crate::random::DEFAULT_SEED;

/// How labels are graded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabelRule {
    /// Grades from interaction points only.
    Interactions,
    /// Interaction grades shifted up one; uninteracted pairs with the same category and
    /// location get grade 1.
    InteractionsAndCohesion,
}

/// Which influencers make up a brand's training query (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrainingPairs {
    /// Every influencer outside the brand's history.
    Every,
    /// Label pairs, both proposers' top candidates and `random` seeded random influencers.
    Sampled {
        /// Influencers each proposer (rule, factorization model) adds per brand (0: hard
        /// negatives from the proposers lowered the pipeline's NDCG@10, see the module docs).
        top: u32,
        /// Random influencers per brand (200).
        random: u32,
    },
}

impl Default for TrainingPairs {
    fn default() -> Self {
        TrainingPairs::Sampled {
            top: 0,
            random: 200,
        }
    }
}

/// Settings of ranker training.
#[derive(Debug, Clone, PartialEq)]
pub struct RankerSettings {
    /// Tree parameters (LightGBM's defaults with the lambdarank objective and early stopping
    /// after 20 rounds).
    pub gbdt: GbdtParams,
    /// Share of a known brand's positives used as history (0.5).
    pub history_fraction: f64,
    /// Share of brands treated as new (0.2).
    pub cold_fraction: f64,
    /// Share of query brands used for validation (0.2).
    pub valid_fraction: f64,
    /// Candidates each proposer hands the ranker at serving time (200).
    pub candidates: u32,
    /// Label grading (interactions only).
    pub label_rule: LabelRule,
    /// Which pairs a training query holds (sampled candidates).
    pub pairs: TrainingPairs,
    /// Fewest brands with interactions the ranker trains on (10): fewer cannot fill the
    /// training, validation and cold-brand queries with an order worth learning.
    pub min_brands: u32,
    /// Seed of the splits (42).
    pub seed: u64,
}

impl Default for RankerSettings {
    fn default() -> Self {
        RankerSettings {
            gbdt: GbdtParams {
                objective: ObjectiveKind::LambdaRank,
                early_stopping_round: 20,
                ..GbdtParams::default()
            },
            history_fraction: 0.5,
            cold_fraction: 0.2,
            valid_fraction: 0.2,
            candidates: 200,
            label_rule: LabelRule::Interactions,
            pairs: TrainingPairs::default(),
            min_brands: 10,
            seed: DEFAULT_SEED,
        }
    }
}

impl RankerSettings {
    /// Checks the settings before training.
    pub fn validate(&self) -> Result<()> {
        self.gbdt.validate()?;
        for (name, v) in [
            ("history_fraction", self.history_fraction),
            ("cold_fraction", self.cold_fraction),
            ("valid_fraction", self.valid_fraction),
        ] {
            if !(0.0..1.0).contains(&v) {
                return Err(Error::InvalidParam {
                    name,
                    message: format!("{v} is not in [0, 1)"),
                });
            }
        }
        if self.gbdt.objective != ObjectiveKind::LambdaRank {
            return Err(Error::InvalidParam {
                name: "objective",
                message: "the ranker trains with lambdarank".into(),
            });
        }
        Ok(())
    }
}

/// Relevance grade of a pair's summed interaction points (see the module docs).
pub fn grade(points: f64) -> f64 {
    match points {
        p if p >= 10.0 => 4.0,
        p if p >= 5.0 => 3.0,
        p if p >= 2.0 => 2.0,
        p if p > 0.0 => 1.0,
        _ => 0.0,
    }
}

/// Feature rows of a set of queries.
#[derive(Debug, Clone, Default)]
pub struct PairTable {
    /// Row-major features.
    pub x: Vec<f64>,
    /// Labels.
    pub y: Vec<f64>,
    /// Query sizes.
    pub group: Vec<u32>,
    /// (brand, influencer) of each row.
    pub pairs: Vec<(u32, u32)>,
}

impl PairTable {
    /// The table as training data.
    pub fn dataset(&self) -> Dataset<'_> {
        Dataset {
            x: &self.x,
            n_features: NUM_FEATURES,
            y: &self.y,
            group: &self.group,
        }
    }
}

/// Factorization scores of every influencer for brand `u` of `c`: its trained vector, or
/// (`cold`) the vector its content features give.
pub fn factor_scores(fm: &FactorModel, c: &Catalog, u: u32, cold: bool) -> Vec<f32> {
    let v = fm.brand_vector(&c.brands()[u as usize], (!cold).then_some(u));
    let mut out = Vec::new();
    fm.score_all(&v, &mut out);
    out
}

/// Everything a brand's feature rows need besides the brand.
pub struct FeatureSource<'a> {
    /// The catalog (tables and cohesion index).
    pub catalog: &'a Catalog,
    /// History percentiles.
    pub history: &'a History,
    /// The factorization model for `factor_score`, if any.
    pub factor: Option<&'a FactorModel>,
    /// The catalog's collaboration evidence.
    pub evidence: &'a Evidence,
}

/// What a brand's feature rows share: its prepared cohesion inputs and factorization scores.
pub struct BrandScores {
    u: u32,
    cold: bool,
    prepared: PreparedBrand,
    factor: Option<Vec<f32>>,
}

impl FeatureSource<'_> {
    /// Brand `u`'s shared inputs (`cold`: those of a new brand).
    pub fn scores(&self, u: u32, cold: bool) -> BrandScores {
        let c = self.catalog;
        BrandScores {
            u,
            cold,
            prepared: c.index().prepare_brand(&c.brands()[u as usize]),
            factor: self.factor.map(|fm| factor_scores(fm, c, u, cold)),
        }
    }

    /// Feature rows of brand `u` for `influencers` (`cold`: features of a new brand).
    pub fn rows(&self, u: u32, cold: bool, influencers: &[u32]) -> Vec<f64> {
        self.rows_of(&self.scores(u, cold), influencers)
    }

    /// Feature rows of the brand `b` describes for `influencers`.
    pub fn rows_of(&self, b: &BrandScores, influencers: &[u32]) -> Vec<f64> {
        let c = self.catalog;
        let ctx = BrandContext {
            brand: &c.brands()[b.u as usize],
            prepared: &b.prepared,
            activity: if b.cold {
                f64::NAN
            } else {
                self.history.brand_activity[b.u as usize]
            },
            factor_scores: b.factor.as_deref(),
            // Its own evidence is left out even when it plays a new brand: the brand is in the
            // catalog, so its mentions would otherwise show its labels in its own rows.
            known: Some(b.u),
            evidence: self.evidence,
        };
        let mut x = vec![0.0; influencers.len() * NUM_FEATURES];
        for (row, &i) in x.chunks_exact_mut(NUM_FEATURES).zip(influencers) {
            pair_features(
                c.index(),
                c.influencers(),
                self.history,
                &ctx,
                i as usize,
                row,
            );
        }
        x
    }

    /// The sampled query of the brand `b` describes (see [`TrainingPairs::Sampled`]): its
    /// `labels`, the rule's and the model's top `candidates`, and `random` influencers drawn
    /// with a generator seeded by `seed` and the brand; without `known` (its history), in id
    /// order.
    pub fn sampled(
        &self,
        b: &BrandScores,
        labels: &[u32],
        known: &[u32],
        candidates: usize,
        random: u32,
        seed: u64,
    ) -> Vec<u32> {
        let ni = self.catalog.influencers().len();
        let mut items: Vec<u32> = labels.to_vec();
        // The proposers' top lists cost a rating of every influencer per brand: only when asked
        // for (the default asks for none).
        if candidates > 0 {
            let rule = self.catalog.index().score_all(&b.prepared);
            items.extend(
                crate::topk::top_k(&rule, candidates)
                    .into_iter()
                    .map(|i| i as u32),
            );
            if let Some(f) = &b.factor {
                let f: Vec<f64> = f.iter().map(|&x| f64::from(x)).collect();
                items.extend(
                    crate::topk::top_k(&f, candidates)
                        .into_iter()
                        .map(|i| i as u32),
                );
            }
        }
        if ni > 0 {
            // One stream per (seed, brand): a brand's negatives do not depend on which other
            // brands are queries, nor on the order queries are built in.
            let mut rng = ChaCha8Rng::seed_from_u64(
                seed ^ u64::from(b.u)
                    .wrapping_add(1)
                    .wrapping_mul(0x9E37_79B9_7F4A_7C15),
            );
            items.extend((0..random).map(|_| rng.random_range(0..ni as u32)));
        }
        items.sort_unstable();
        items.dedup();
        items.retain(|i| known.binary_search(i).is_err());
        items
    }
}

/// What training did.
#[derive(Debug, Clone, PartialEq)]
pub struct RankerReport {
    /// Training rows and queries.
    pub train_rows: usize,
    /// Training queries.
    pub train_queries: usize,
    /// Validation rows.
    pub valid_rows: usize,
    /// Rounds kept.
    pub rounds: usize,
    /// Validation NDCG@10 of the kept model.
    pub valid_ndcg: f64,
    /// Interaction and mention pairs it learned from (history and labels; the relationship
    /// table gives it none: its labels are what brands and accounts did).
    pub interaction_pairs: usize,
    /// Brands those pairs belong to.
    pub brands: usize,
}

/// The ranker's training and validation tables from catalog `c` and `positives` (brand,
/// influencer, points), built as the module docs describe. `factor` trains the history-only
/// factorization model for the `factor_score` feature; without it the feature is missing
/// everywhere.
pub fn ranking_tables(
    c: &Catalog,
    positives: &[(u32, u32, f64)],
    factor: Option<&FactorSettings>,
    s: &RankerSettings,
) -> Result<(PairTable, PairTable)> {
    s.validate()?;
    let (nu, ni) = (c.brands().len() as u32, c.influencers().len() as u32);
    let mut rng = ChaCha8Rng::seed_from_u64(s.seed);
    let mut brands: Vec<u32> = positives.iter().map(|p| p.0).collect();
    brands.sort_unstable();
    brands.dedup();
    crate::random::shuffle(&mut brands, &mut rng);
    let n_cold = (brands.len() as f64 * s.cold_fraction).round() as usize;
    let cold: BTreeSet<u32> = brands[..n_cold].iter().copied().collect();
    let mut order: Vec<usize> = (0..positives.len()).collect();
    crate::random::shuffle(&mut order, &mut rng);
    let n_hist = (positives.len() as f64 * s.history_fraction).round() as usize;
    let (mut history_pairs, mut labels) = (Vec::new(), BTreeMap::new());
    for (k, &o) in order.iter().enumerate() {
        let p = positives[o];
        if k < n_hist && !cold.contains(&p.0) {
            history_pairs.push(p);
        } else {
            labels.insert((p.0, p.1), p.2);
        }
    }
    history_pairs.sort_by_key(|p| (p.0, p.1));
    let history = History::from_pairs(nu as usize, ni as usize, history_pairs.iter().copied());
    let known: Vec<(u32, u32)> = history_pairs.iter().map(|p| (p.0, p.1)).collect();
    let fm = match factor {
        Some(fs) => {
            // Brands treated as new get no relationship prior either: a new brand has none.
            let prior: Vec<bool> = (0..nu).map(|u| !cold.contains(&u)).collect();
            Some(fit_pairs(c, &history_pairs, Some(&prior), fs)?.1)
        }
        None => None,
    };
    let index = c.index();
    let evidence = Evidence::of(c);
    let source = FeatureSource {
        catalog: c,
        history: &history,
        factor: fm.as_ref(),
        evidence: &evidence,
    };
    let mut queries: Vec<u32> = labels.keys().map(|k| k.0).collect();
    queries.dedup();
    crate::random::shuffle(&mut queries, &mut rng);
    let n_valid = (queries.len() as f64 * s.valid_fraction).round() as usize;
    let (valid_q, train_q) = queries.split_at(n_valid);
    // The history and label pairs of brand u: slices of the pair-sorted lists.
    let label_pairs: Vec<(u32, u32)> = labels.keys().copied().collect();
    let of = |pairs: &[(u32, u32)], u: u32| -> Vec<u32> {
        let lo = pairs.partition_point(|p| p.0 < u);
        let hi = pairs.partition_point(|p| p.0 <= u);
        pairs[lo..hi].iter().map(|p| p.1).collect()
    };
    let table = |qs: &[u32]| {
        let mut qs = qs.to_vec();
        qs.sort_unstable();
        let mut t = PairTable::default();
        for &u in &qs {
            let scores = source.scores(u, cold.contains(&u));
            let known = of(&known, u);
            let items: Vec<u32> = match s.pairs {
                TrainingPairs::Every => (0..ni)
                    .filter(|i| known.binary_search(i).is_err())
                    .collect(),
                TrainingPairs::Sampled { top, random } => source.sampled(
                    &scores,
                    &of(&label_pairs, u),
                    &known,
                    top as usize,
                    random,
                    s.seed,
                ),
            };
            t.x.extend(source.rows_of(&scores, &items));
            for &i in &items {
                let g = grade(labels.get(&(u, i)).copied().unwrap_or(0.0));
                let y = match s.label_rule {
                    LabelRule::Interactions => g,
                    LabelRule::InteractionsAndCohesion if g > 0.0 => g + 1.0,
                    LabelRule::InteractionsAndCohesion => {
                        let (cat, loc, _) = index.matches(&scores.prepared, i as usize);
                        f64::from(u8::from(cat && loc))
                    }
                };
                t.y.push(y);
                t.pairs.push((u, i));
            }
            t.group.push(items.len() as u32);
        }
        t
    };
    Ok((table(train_q), table(valid_q)))
}

/// Trains the ranker on [`ranking_tables`] of `positives`, stopping early on the
/// validation brands.
pub fn fit_positives(
    c: &Catalog,
    positives: &[(u32, u32, f64)],
    factor: Option<&FactorSettings>,
    s: &RankerSettings,
) -> Result<(StoredRanker, RankerReport)> {
    let (tt, vt) = ranking_tables(c, positives, factor, s)?;
    let mut brands: Vec<u32> = positives.iter().map(|p| p.0).collect();
    brands.sort_unstable();
    brands.dedup();
    let valid = (!vt.y.is_empty()).then(|| vt.dataset());
    let fitted = crate::gbdt::train::fit(&tt.dataset(), valid.as_ref(), &s.gbdt)?;
    let mut model = fitted.model;
    model.feature_names = FEATURE_NAMES.iter().map(|f| f.to_string()).collect();
    let kept = model.trees.len();
    let report = RankerReport {
        train_rows: tt.y.len(),
        train_queries: tt.group.len(),
        valid_rows: vt.y.len(),
        rounds: kept,
        valid_ndcg: fitted
            .valid_metric
            .get(kept.wrapping_sub(1))
            .copied()
            .unwrap_or(f64::NAN),
        interaction_pairs: positives.len(),
        brands: brands.len(),
    };
    Ok((
        StoredRanker {
            model,
            candidates: s.candidates,
        },
        report,
    ))
}

/// Why the ranker cannot be trained on catalog `c`, or `None` when it can: it learns an
/// order from interactions and mentions of known brands, so it needs
/// [`RankerSettings::min_brands`] brands with some.
pub fn untrainable(c: &Catalog, factor: &FactorSettings, s: &RankerSettings) -> Option<String> {
    let mut brands: Vec<u32> = c
        .learning_positives(factor.min_points)
        .iter()
        .map(|p| p.0)
        .collect();
    brands.dedup();
    (brands.len() < s.min_brands as usize).then(|| {
        format!(
            "{} brands have interactions or mentions; it needs {} to learn an order (rankings use the best ordering the bundle has)",
            brands.len(),
            s.min_brands
        )
    })
}

/// Trains the ranker on every learning positive of catalog `c` (interactions whose points
/// reach `factor`'s `min_points`, else 1, and mentions of known brands;
/// [`Catalog::learning_positives`]).
pub fn fit(
    c: &Catalog,
    factor: Option<&FactorSettings>,
    s: &RankerSettings,
) -> Result<(StoredRanker, RankerReport)> {
    let min_points = factor.map_or(1.0, |fs| fs.min_points);
    fit_positives(c, &c.learning_positives(min_points), factor, s)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The generated catalog on day one: no interactions, and twelve brands (with handles)
    /// each named by the accounts the rule puts 3rd, 5th and 7th for it, the 5th paid.
    #[cfg(not(target_arch = "wasm32"))]
    fn day_one_with_mentions() -> Catalog {
        use crate::catalog::MentionRow;
        let mut t = crate::catalog::tests::generated_catalog().into_tables();
        t.pair_points.clear();
        let c = Catalog::from_tables(t, "t").unwrap();
        let mut t = c.tables().clone();
        let mut rows = Vec::new();
        for b in 0..12 {
            t.brands[b].handle = format!("brand{b}");
            let scores = c
                .index()
                .score_all(&c.index().prepare_brand(&c.brands()[b]));
            let top = crate::topk::top_k(&scores, 7);
            for (r, paid) in [(2, 0), (4, 1), (6, 0)] {
                rows.push(MentionRow {
                    influencer: top[r] as u32,
                    handle: format!("brand{b}"),
                    posts: 1,
                    sponsored_posts: paid,
                    first_seen: None,
                    last_seen: None,
                });
            }
        }
        rows.sort_by(|a, b| (a.influencer, &a.handle).cmp(&(b.influencer, &b.handle)));
        rows.dedup_by(|a, b| (a.influencer, &a.handle) == (b.influencer, &b.handle));
        t.mentions = rows;
        Catalog::from_tables(t, "t").unwrap()
    }

    #[test]
    #[cfg(not(target_arch = "wasm32"))]
    fn the_ranker_learns_from_mentions_on_day_one_and_a_label_never_shows_in_its_own_row() {
        let c = day_one_with_mentions();
        let fs = FactorSettings {
            epochs: 2,
            ..FactorSettings::seeded(3)
        };
        let s = RankerSettings::default();
        assert!(
            untrainable(&c, &fs, &s).is_none(),
            "12 brands have mentions"
        );
        let positives = c.learning_positives(fs.min_points);
        assert_eq!(positives.len(), c.evidence_pairs().len());
        let (train, valid) = ranking_tables(&c, &positives, Some(&fs), &s).unwrap();
        let col = FEATURE_NAMES
            .iter()
            .position(|f| *f == "brands_named")
            .unwrap();
        let mut labels = 0;
        for t in [&train, &valid] {
            for (k, &(u, i)) in t.pairs.iter().enumerate() {
                let named = c
                    .mentions_of(i)
                    .iter()
                    .filter(|m| c.brand_by_handle(&m.handle).is_some())
                    .count();
                let own = c
                    .mentions_of(i)
                    .iter()
                    .any(|m| m.handle == c.brands()[u as usize].handle);
                // The query brand is never counted in its own rows.
                assert_eq!(
                    t.x[k * NUM_FEATURES + col],
                    (named - usize::from(own)) as f64
                );
                if t.y[k] > 0.0 {
                    labels += 1;
                    assert!(own, "a label is a mention of the query brand");
                    // Paid: a collaboration's grade; organic: an add-to-campaign's.
                    let paid = c
                        .evidence_pairs()
                        .iter()
                        .any(|e| (e.0, e.1) == (u, i) && e.3 > 0);
                    assert_eq!(t.y[k], if paid { 4.0 } else { 3.0 });
                }
            }
        }
        assert!(labels > 0);
        let (stored, report) = fit(&c, Some(&fs), &s).unwrap();
        assert_eq!(report.interaction_pairs, positives.len());
        assert!(super::super::Ranker::load(&stored).is_ok());
    }

    #[test]
    fn grades_follow_the_interaction_kinds() {
        // click 1, check info 2, add to campaign 5, collaboration 10 points.
        assert_eq!(
            [0.0, 1.0, 2.0, 3.0, 5.0, 9.0, 10.0, 18.0].map(grade),
            [0.0, 1.0, 2.0, 2.0, 3.0, 3.0, 4.0, 4.0]
        );
    }
}
