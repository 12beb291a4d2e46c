//! Building a bundle from the canonical tables (pure: records in, bundle out).

use std::collections::BTreeMap;

use crate::bundle::{Bundle, BundleMeta, PairPoints};
use crate::cohesion::CohesionWeights;
use crate::error::{Error, Result};
use crate::model::{Brand, Influencer, Interaction, PointsConfig};
use crate::text::{key, truncate_chars};

/// Bios longer than this are cut in the bundle (the page shows a summary; the full text
/// stays in the data files).
pub const BUNDLE_DESCRIPTION_CHARS: usize = 280;

/// Settings of a bundle build.
#[derive(Debug, Clone, PartialEq)]
pub struct BuildParams {
    /// Cohesion rule weights.
    pub weights: CohesionWeights,
    /// Points per interaction kind; an interaction's points are recomputed from its kind
    /// (the file's `points` column is what the recording client believed).
    pub points: PointsConfig,
    /// Seed recorded for the learned models.
    pub seed: u64,
}

impl Default for BuildParams {
    fn default() -> Self {
        BuildParams {
            weights: CohesionWeights::default(),
            points: PointsConfig::default(),
            seed: 42,
        }
    }
}

/// What a build skipped.
#[derive(Debug, Default)]
pub struct BuildReport {
    /// Interactions naming a brand or influencer that is not in the tables, and duplicate
    /// names (the first record of a name wins).
    pub skipped: Vec<Error>,
}

/// Sorts, deduplicates by name key and links interactions into a bundle.
pub fn build_bundle(
    mut influencers: Vec<Influencer>,
    mut brands: Vec<Brand>,
    interactions: &[Interaction],
    params: &BuildParams,
) -> Result<(Bundle, BuildReport)> {
    params.weights.validate()?;
    params.points.validate()?;
    let mut report = BuildReport::default();
    // Stable sort keeps the first record of a duplicated name first; dedup drops the rest.
    influencers.sort_by_cached_key(|i| key(&i.name));
    brands.sort_by_cached_key(|b| key(&b.name));
    let before = influencers.len();
    influencers.dedup_by(|a, b| key(&a.name) == key(&b.name));
    if influencers.len() != before {
        report.skipped.push(Error::InvalidParam {
            name: "influencers",
            message: format!(
                "{} duplicate influencer names dropped",
                before - influencers.len()
            ),
        });
    }
    let before = brands.len();
    brands.dedup_by(|a, b| key(&a.name) == key(&b.name));
    if brands.len() != before {
        report.skipped.push(Error::InvalidParam {
            name: "brands",
            message: format!("{} duplicate brand names dropped", before - brands.len()),
        });
    }
    for i in &mut influencers {
        i.post_urls.clear();
        i.description = truncate_chars(&i.description, BUNDLE_DESCRIPTION_CHARS);
    }
    for b in &mut brands {
        b.description = truncate_chars(&b.description, BUNDLE_DESCRIPTION_CHARS);
    }
    let inf_ids: BTreeMap<String, u32> = influencers
        .iter()
        .enumerate()
        .map(|(i, x)| (key(&x.name), i as u32))
        .collect();
    let brand_ids: BTreeMap<String, u32> = brands
        .iter()
        .enumerate()
        .map(|(i, x)| (key(&x.name), i as u32))
        .collect();
    let mut sums: BTreeMap<(u32, u32), f64> = BTreeMap::new();
    let mut used = 0u64;
    for x in interactions {
        let (Some(&b), Some(&i)) = (
            brand_ids.get(&key(&x.brand)),
            inf_ids.get(&key(&x.influencer)),
        ) else {
            report.skipped.push(Error::Unknown {
                what: "brand or influencer in interaction",
                name: format!("{} ({} -> {})", x.event_id, x.brand, x.influencer),
            });
            continue;
        };
        used += 1;
        *sums.entry((b, i)).or_insert(0.0) += params.points.points(x.kind);
    }
    let pair_points = sums
        .into_iter()
        .filter(|&(_, p)| p != 0.0)
        .map(|((brand, influencer), points)| PairPoints {
            brand,
            influencer,
            points,
        })
        .collect();
    Ok((
        Bundle {
            meta: BundleMeta {
                seed: params.seed,
                interactions: used,
            },
            weights: params.weights,
            points: params.points,
            influencers,
            brands,
            pair_points,
            factor: None,
            ranker: None,
        },
        report,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cohesion::tests::influencer;
    use crate::model::InteractionKind;

    fn ix(id: &str, b: &str, i: &str, kind: InteractionKind) -> Interaction {
        Interaction {
            event_id: id.into(),
            brand: b.into(),
            influencer: i.into(),
            kind,
            timestamp_ms: 0,
            points: 0.0,
        }
    }

    #[test]
    fn points_are_summed_per_pair_from_the_kinds() {
        let infs = vec![
            influencer("Zed", "", "", &[], 0.0),
            influencer("amy", "", "", &[], 0.0),
        ];
        let brands = vec![Brand {
            name: "B".into(),
            category: String::new(),
            country: String::new(),
            hashtags: vec![],
            followers: 0,
            description: String::new(),
        }];
        let xs = vec![
            ix("1", "b", "zed", InteractionKind::Click),
            ix("2", "B", "Zed", InteractionKind::Collaboration),
            ix("3", "b", "ghost", InteractionKind::Click),
        ];
        let (bundle, report) = build_bundle(infs, brands, &xs, &BuildParams::default()).unwrap();
        assert_eq!(bundle.influencers[0].name, "amy", "sorted by name key");
        // zed is id 1: click 1 + collaboration 10 = 11.
        assert_eq!(
            bundle.pair_points,
            vec![PairPoints {
                brand: 0,
                influencer: 1,
                points: 11.0
            }]
        );
        assert_eq!(bundle.meta.interactions, 2);
        assert_eq!(report.skipped.len(), 1);
    }
}
