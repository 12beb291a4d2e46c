//! LightGBM's v4 text model format: [`GbdtModel::parse`] reads what LightGBM's
//! `save_model` writes (refusing, with the line, what the evaluator does not implement), and
//! [`GbdtModel::to_lightgbm_text`] writes what LightGBM's `Booster(model_file=...)` loads.
//! Floats are written in Rust's shortest round-trip form (the statistics LightGBM keeps for
//! inspection as C's `%g`), so reading the text back gives the very same f64s.

use super::model::{
    GbdtModel, LinearLeaves, Objective, Tree, TreeStats, MAX_CLASSES, MAX_FEATURES,
};
use crate::error::{Error, Location, Result};

/// One `Tree=` block being read: its first line, then `(key, value, line)` entries.
type Block = (u64, Vec<(String, String, u64)>);

impl Objective {
    /// Reads an `objective=` line's value; an objective this evaluator does not implement is
    /// an error saying what is expected (its predictions would be silently wrong).
    fn parse(v: &str) -> std::result::Result<Objective, String> {
        let mut parts = v.split_whitespace();
        let name = parts.next().unwrap_or("");
        let rest: Vec<&str> = parts.collect();
        let sqrt = rest.contains(&"sqrt");
        // The `sigmoid:s` parameter (default 1) of binary and one-vs-all objectives.
        let sigmoid = |name: &str| -> std::result::Result<f64, String> {
            rest.iter()
                .find_map(|p| p.strip_prefix("sigmoid:"))
                .unwrap_or("1")
                .parse()
                .ok()
                .filter(|x: &f64| x.is_finite() && *x > 0.0)
                .ok_or_else(|| format!("{name} sigmoid:<a positive number>"))
        };
        let identity = ["regression_l1", "huber", "fair", "quantile", "mape"];
        Ok(match name {
            "regression" | "regression_l2" if sqrt => Objective::SignedSquare(v.to_string()),
            n if identity.contains(&n) && sqrt => Objective::SignedSquare(v.to_string()),
            "regression" if rest.is_empty() => Objective::Regression,
            "regression" | "regression_l2" => Objective::Identity(v.to_string()),
            n if identity.contains(&n) || n == "rank_xendcg" => Objective::Identity(v.to_string()),
            "lambdarank" => Objective::LambdaRank,
            "poisson" | "gamma" | "tweedie" => Objective::Exp(v.to_string()),
            "cross_entropy" | "xentropy" => Objective::CrossEntropy,
            "cross_entropy_lambda" | "xentlambda" => Objective::CrossEntropyLambda,
            "binary" => Objective::Binary {
                sigmoid: sigmoid("binary")?,
            },
            "multiclass" | "softmax" => Objective::Multiclass,
            "multiclassova" | "multiclass_ova" | "ova" | "ovr" => Objective::MulticlassOva {
                sigmoid: sigmoid("multiclassova")?,
            },
            _ => {
                return Err(
                    "an objective this evaluator implements (regression, regression_l1, huber, fair, quantile, mape, poisson, gamma, tweedie, binary, cross_entropy, cross_entropy_lambda, multiclass, multiclassova, lambdarank, rank_xendcg)"
                        .into(),
                )
            }
        })
    }
}

fn nums<T: std::str::FromStr>(v: &str, at: &Location, what: &str) -> Result<Vec<T>> {
    v.split_whitespace()
        .map(|t| {
            t.parse::<T>().map_err(|_| {
                Error::parse(
                    at.clone().field(what.to_string()),
                    format!("a list of numbers for {what}"),
                    t,
                )
            })
        })
        .collect()
}

impl GbdtModel {
    /// Parses LightGBM's text model format; `source` names the input in errors.
    pub fn parse(text: &str, source: &str) -> Result<Self> {
        let mut num_features = None;
        let mut feature_names = Vec::new();
        let mut objective = Objective::Regression;
        let mut objective_line = 0;
        let mut average_output = false;
        let mut num_class: Option<(usize, u64)> = None;
        let mut per_iteration: Option<(usize, u64)> = None;
        let mut trees = Vec::new();
        let mut cur: Option<Block> = None;
        let mut saw_header = false;
        let finish = |block: Block| -> Result<Tree> { Self::tree(block, source) };
        for (i, raw) in text.lines().enumerate() {
            let line_no = i as u64 + 1;
            let line = raw.trim_end_matches('\r');
            if line == "tree" {
                saw_header = true;
                continue;
            }
            if line == "end of trees" {
                if let Some(b) = cur.take() {
                    trees.push(finish(b)?);
                }
                break;
            }
            if line.starts_with("Tree=") {
                if let Some(b) = cur.take() {
                    trees.push(finish(b)?);
                }
                cur = Some((line_no, Vec::new()));
                continue;
            }
            if line == "average_output" && cur.is_none() {
                // Random-forest boosting averages the trees instead of summing them.
                average_output = true;
                continue;
            }
            let Some((k, v)) = line.split_once('=') else {
                continue;
            };
            match &mut cur {
                Some((_, kv)) => kv.push((k.to_string(), v.to_string(), line_no)),
                None => {
                    let at = Location::source(source)
                        .at_line(line_no)
                        .field(k.to_string());
                    match k {
                        "version" if v != "v4" => {
                            return Err(Error::parse(at, "model format version v4", v));
                        }
                        "max_feature_idx" => {
                            // Split features are u32: at most 2^31 features, so +1 cannot
                            // overflow and a crafted value cannot size anything absurd.
                            num_features = Some(
                                v.trim()
                                    .parse::<usize>()
                                    .ok()
                                    .filter(|&m| m < MAX_FEATURES)
                                    .ok_or_else(|| {
                                        Error::parse(
                                            at,
                                            format!("an integer below {MAX_FEATURES}"),
                                            v,
                                        )
                                    })?
                                    + 1,
                            );
                        }
                        "num_class" | "num_tree_per_iteration" => {
                            let n = v
                                .trim()
                                .parse::<usize>()
                                .ok()
                                .filter(|n| (1..=MAX_CLASSES).contains(n))
                                .ok_or_else(|| {
                                    Error::parse(
                                        at.clone(),
                                        format!("an integer from 1 to {MAX_CLASSES}"),
                                        v,
                                    )
                                })?;
                            if k == "num_class" {
                                num_class = Some((n, line_no));
                            } else {
                                per_iteration = Some((n, line_no));
                            }
                        }
                        "feature_names" => {
                            feature_names = v.split_whitespace().map(str::to_string).collect()
                        }
                        "objective" => {
                            objective = Objective::parse(v).map_err(|e| Error::parse(at, e, v))?;
                            objective_line = line_no;
                        }
                        _ => {}
                    }
                }
            }
        }
        if !saw_header {
            return Err(Error::malformed(
                Location::source(source).at_line(1),
                "not a LightGBM text model (no `tree` header line)",
            ));
        }
        if let Some(b) = cur.take() {
            trees.push(finish(b)?);
        }
        let num_features = num_features
            .ok_or_else(|| Error::malformed(Location::source(source), "no max_feature_idx line"))?;
        // Classes: K trees per iteration, tree t for class t mod K, and only with a multiclass
        // objective (any other mix would be predicted wrongly).
        let k = num_class.map_or(1, |c| c.0);
        let at = |line: u64, field: &str| Location::source(source).at_line(line).field(field);
        if let Some((t, line)) = per_iteration.filter(|p| p.0 != k) {
            return Err(Error::parse(
                at(line, "num_tree_per_iteration"),
                format!("num_class ({k})"),
                t.to_string(),
            ));
        }
        let multiclass = matches!(
            objective,
            Objective::Multiclass | Objective::MulticlassOva { .. }
        );
        if multiclass != (k > 1) {
            return Err(Error::parse(
                at(num_class.map_or(objective_line, |c| c.1), "num_class"),
                "a multiclass objective exactly when num_class > 1",
                format!("num_class {k} with objective {objective:?}"),
            ));
        }
        if trees.len() % k != 0 {
            return Err(Error::malformed(
                Location::source(source),
                format!(
                    "{} trees is not a whole number of iterations of {k} classes",
                    trees.len()
                ),
            ));
        }
        let model = GbdtModel {
            num_features,
            feature_names,
            objective,
            trees,
            num_class: k,
            average_output,
        };
        model.validate(source)?;
        Ok(model)
    }

    fn tree((start, kv): Block, source: &str) -> Result<Tree> {
        let get = |k: &str| kv.iter().find(|e| e.0 == k);
        let at = |line: u64| Location::source(source).at_line(line);
        let list = |k: &str| -> Result<(String, u64)> {
            get(k)
                .map(|e| (e.1.clone(), e.2))
                .ok_or_else(|| Error::malformed(at(start), format!("tree is missing `{k}`")))
        };
        let is_linear = match get("is_linear").map(|e| (e.1.trim(), e.2)) {
            None | Some(("0", _)) => false,
            Some(("1", _)) => true,
            Some((v, line)) => return Err(Error::parse(at(line).field("is_linear"), "0 or 1", v)),
        };
        let (nl, l) = list("num_leaves")?;
        let num_leaves: usize = nl
            .trim()
            .parse()
            .map_err(|_| Error::parse(at(l).field("num_leaves"), "an integer", nl.clone()))?;
        let (lv, l) = list("leaf_value")?;
        let leaf_value: Vec<f64> = nums(&lv, &at(l), "leaf_value")?;
        // A linear tree's leaf models: `num_features` (per leaf) says how many of the flat
        // `leaf_features` / `leaf_coeff` tokens belong to each leaf.
        let linear = if is_linear {
            let (v, l) = list("leaf_const")?;
            let leaf_const: Vec<f64> = nums(&v, &at(l), "leaf_const")?;
            let (v, l) = list("num_features")?;
            let per_leaf: Vec<usize> = nums(&v, &at(l), "num_features")?;
            let (v, lf) = list("leaf_features")?;
            let flat_features: Vec<u32> = nums(&v, &at(lf), "leaf_features")?;
            let (v, lc) = list("leaf_coeff")?;
            let flat_coeff: Vec<f64> = nums(&v, &at(lc), "leaf_coeff")?;
            let total = per_leaf.iter().try_fold(0usize, |a, &n| a.checked_add(n));
            if leaf_const.len() != leaf_value.len()
                || per_leaf.len() != leaf_value.len()
                || total != Some(flat_features.len())
                || flat_coeff.len() != flat_features.len()
            {
                return Err(Error::malformed(
                    at(lf),
                    format!(
                        "linear leaves disagree: {} leaves, {} constants, {} feature counts summing to {:?}, {} features, {} coefficients",
                        leaf_value.len(),
                        leaf_const.len(),
                        per_leaf.len(),
                        total,
                        flat_features.len(),
                        flat_coeff.len()
                    ),
                ));
            }
            let (mut features, mut coeff) = (Vec::new(), Vec::new());
            let mut at_token = 0;
            for &n in &per_leaf {
                features.push(flat_features[at_token..at_token + n].to_vec());
                coeff.push(flat_coeff[at_token..at_token + n].to_vec());
                at_token += n;
            }
            Some(LinearLeaves {
                leaf_const,
                features,
                coeff,
            })
        } else {
            None
        };
        if num_leaves <= 1 {
            return Ok(Tree {
                split_feature: vec![],
                threshold: vec![],
                decision_type: vec![],
                left_child: vec![],
                right_child: vec![],
                leaf_value,
                cat_boundaries: vec![],
                cat_threshold: vec![],
                leaf_count: vec![],
                internal_count: vec![],
                linear,
                stats: TreeStats::default(),
            });
        }
        let field = |k: &str| -> Result<(String, Location)> {
            let (v, l) = list(k)?;
            Ok((v, at(l)))
        };
        let (v, a) = field("split_feature")?;
        let split_feature = nums(&v, &a, "split_feature")?;
        let (v, a) = field("threshold")?;
        let threshold = nums(&v, &a, "threshold")?;
        let (v, a) = field("decision_type")?;
        let decision_type = nums(&v, &a, "decision_type")?;
        let (v, a) = field("left_child")?;
        let left_child = nums(&v, &a, "left_child")?;
        let (v, a) = field("right_child")?;
        let right_child = nums(&v, &a, "right_child")?;
        let (cat_boundaries, cat_threshold) = match (get("cat_boundaries"), get("cat_threshold")) {
            (Some(b), Some(t)) => (
                nums(&b.1, &at(b.2), "cat_boundaries")?,
                nums(&t.1, &at(t.2), "cat_threshold")?,
            ),
            _ => (vec![], vec![]),
        };
        // Counts are statistics for explanations; a model without them still predicts.
        // All zeros (what a writer without statistics puts there) also means unknown.
        let counts = |k: &str| -> Result<Vec<u32>> {
            match get(k) {
                Some(e) if !e.1.trim().is_empty() => {
                    let c: Vec<u32> = nums(&e.1, &at(e.2), k)?;
                    Ok(if c.iter().all(|&v| v == 0) { vec![] } else { c })
                }
                _ => Ok(vec![]),
            }
        };
        // Statistics: kept when present and not all zeros (what writers without them put).
        let stat = |k: &str| -> Result<Vec<f64>> {
            match get(k) {
                Some(e) if !e.1.trim().is_empty() => {
                    let v: Vec<f64> = nums(&e.1, &at(e.2), k)?;
                    Ok(if v.iter().all(|&x| x == 0.0) {
                        vec![]
                    } else {
                        v
                    })
                }
                _ => Ok(vec![]),
            }
        };
        let stats = TreeStats {
            split_gain: stat("split_gain")?,
            internal_value: stat("internal_value")?,
            internal_weight: stat("internal_weight")?,
            leaf_weight: stat("leaf_weight")?,
        };
        let leaf_count = counts("leaf_count")?;
        let internal_count = counts("internal_count")?;
        Ok(Tree {
            split_feature,
            threshold,
            decision_type,
            left_child,
            right_child,
            leaf_value,
            cat_boundaries,
            cat_threshold,
            leaf_count,
            internal_count,
            linear,
            stats,
        })
    }

    /// Writes LightGBM's v4 text format (what LightGBM's `Booster(model_file=...)` loads).
    /// Floats use Rust's shortest round-trip form, so reading the text back gives the very
    /// same f64s. Statistics LightGBM keeps only for inspection (split gains, leaf counts,
    /// internal values) are written as zeros.
    pub fn to_lightgbm_text(&self) -> String {
        let join = |v: &mut dyn Iterator<Item = String>| v.collect::<Vec<_>>().join(" ");
        let objective = match &self.objective {
            Objective::Regression => "regression".to_string(),
            Objective::Binary { sigmoid } => format!("binary sigmoid:{sigmoid}"),
            Objective::LambdaRank => "lambdarank".to_string(),
            Objective::Other(s)
            | Objective::Identity(s)
            | Objective::Exp(s)
            | Objective::SignedSquare(s) => s.clone(),
            Objective::CrossEntropy => "cross_entropy".to_string(),
            Objective::CrossEntropyLambda => "cross_entropy_lambda".to_string(),
            Objective::Multiclass => format!("multiclass num_class:{}", self.num_class),
            Objective::MulticlassOva { sigmoid } => {
                format!(
                    "multiclassova num_class:{} sigmoid:{sigmoid}",
                    self.num_class
                )
            }
        };
        let mut blocks = Vec::with_capacity(self.trees.len());
        for (i, t) in self.trees.iter().enumerate() {
            let mut b = format!(
                "Tree={i}\nnum_leaves={}\nnum_cat={}\n",
                t.leaf_value.len(),
                t.cat_boundaries.len().saturating_sub(1)
            );
            if !t.left_child.is_empty() {
                let n = t.left_child.len();
                let zeros = |k: usize| vec!["0".to_string(); k].join(" ");
                b += &format!(
                    "split_feature={}\n",
                    join(&mut t.split_feature.iter().map(|v| v.to_string()))
                );
                // Statistics when known (same length as the tree), else zeros; leaf_weight
                // at full precision, the others as LightGBM prints them (C's %g).
                let stat_with = |v: &[f64], k: usize, f: fn(f64) -> String| {
                    if v.len() == k {
                        join(&mut v.iter().map(|&x| f(x)))
                    } else {
                        zeros(k)
                    }
                };
                let stat = |v: &[f64], k: usize| stat_with(v, k, |x| format!("{x:?}"));
                let stat_g = |v: &[f64], k: usize| stat_with(v, k, general);
                b += &format!("split_gain={}\n", stat_g(&t.stats.split_gain, n));
                b += &format!(
                    "threshold={}\n",
                    join(&mut t.threshold.iter().map(|v| format!("{v:?}")))
                );
                b += &format!(
                    "decision_type={}\n",
                    join(&mut t.decision_type.iter().map(|v| v.to_string()))
                );
                b += &format!(
                    "left_child={}\n",
                    join(&mut t.left_child.iter().map(|v| v.to_string()))
                );
                b += &format!(
                    "right_child={}\n",
                    join(&mut t.right_child.iter().map(|v| v.to_string()))
                );
                b += &format!(
                    "leaf_value={}\n",
                    join(&mut t.leaf_value.iter().map(|v| format!("{v:?}")))
                );
                let counts = |c: &[u32], k: usize| {
                    if c.len() == k {
                        join(&mut c.iter().map(|v| v.to_string()))
                    } else {
                        zeros(k)
                    }
                };
                b += &format!(
                    "leaf_weight={}\nleaf_count={}\n",
                    stat(&t.stats.leaf_weight, n + 1),
                    counts(&t.leaf_count, n + 1)
                );
                b += &format!(
                    "internal_value={}\ninternal_weight={}\ninternal_count={}\n",
                    stat_g(&t.stats.internal_value, n),
                    stat_g(&t.stats.internal_weight, n),
                    counts(&t.internal_count, n)
                );
                if !t.cat_boundaries.is_empty() {
                    b += &format!(
                        "cat_boundaries={}\n",
                        join(&mut t.cat_boundaries.iter().map(|v| v.to_string()))
                    );
                    b += &format!(
                        "cat_threshold={}\n",
                        join(&mut t.cat_threshold.iter().map(|v| v.to_string()))
                    );
                }
            } else {
                b += &format!("split_feature=\nsplit_gain=\nthreshold=\ndecision_type=\nleft_child=\nright_child=\nleaf_value={}\nleaf_weight=\nleaf_count=\ninternal_value=\ninternal_weight=\ninternal_count=\n", join(&mut t.leaf_value.iter().map(|v| format!("{v:?}"))));
            }
            match &t.linear {
                None => b += "is_linear=0\n",
                Some(lin) => {
                    // LightGBM's layout: each leaf's tokens, leaves separated by a space.
                    let per_leaf = |v: Vec<String>| {
                        v.into_iter()
                            .map(|x| if x.is_empty() { String::new() } else { x + " " })
                            .collect::<Vec<_>>()
                            .join(" ")
                    };
                    b += &format!(
                        "is_linear=1\nleaf_const={}\nnum_features={}\nleaf_features={}\nleaf_coeff={}\n",
                        join(&mut lin.leaf_const.iter().map(|v| format!("{v:?}"))),
                        join(&mut lin.features.iter().map(|f| f.len().to_string())),
                        per_leaf(lin.features.iter().map(|f| join(&mut f.iter().map(u32::to_string))).collect()),
                        per_leaf(lin.coeff.iter().map(|c| join(&mut c.iter().map(|v| format!("{v:?}")))).collect()),
                    );
                }
            }
            b += "shrinkage=1\n\n\n";
            blocks.push(b);
        }
        let k = self.num_class.max(1);
        let mut out =
            format!("tree\nversion=v4\nnum_class={k}\nnum_tree_per_iteration={k}\nlabel_index=0\n");
        out += &format!("max_feature_idx={}\n", self.num_features.saturating_sub(1));
        out += &format!("objective={objective}\n");
        if self.average_output {
            out += "average_output\n";
        }
        out += &format!("feature_names={}\n", self.feature_names.join(" "));
        out += &format!(
            "feature_infos={}\n",
            vec!["none"; self.num_features].join(" ")
        );
        out += &format!(
            "tree_sizes={}\n\n",
            join(&mut blocks.iter().map(|b| b.len().to_string()))
        );
        for b in &blocks {
            out += b;
        }
        out += "end of trees\n\nfeature_importances:\n\nparameters:\nend of parameters\n\npandas_categorical:null\n";
        out
    }
}

/// `x` as C's `%g` (and {fmt}'s `{:g}`) prints it: 6 significant digits, trailing zeros
/// dropped, exponent form below 1e-4 or from 1e6 on. LightGBM writes `split_gain`,
/// `internal_value` and `internal_weight` this way.
fn general(x: f64) -> String {
    if !x.is_finite() {
        return if x.is_nan() {
            "nan".into()
        } else if x > 0.0 {
            "inf".into()
        } else {
            "-inf".into()
        };
    }
    if x == 0.0 {
        return if x.is_sign_negative() { "-0" } else { "0" }.into();
    }
    // The exponent after rounding to 6 significant digits decides the form.
    let sci = format!("{x:.5e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let trim = |t: &str| -> String {
        if t.contains('.') {
            t.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            t.to_string()
        }
    };
    if !(-4..6).contains(&exp) {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{}e{sign}{:02}", trim(mantissa), exp.abs())
    } else {
        trim(&format!("{:.*}", (5 - exp) as usize, x))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statistics_print_as_c_percent_g() {
        // The strings C's printf("%g") gives for these values.
        for (x, c) in [
            (535.9437255859375, "535.944"),
            (0.1, "0.1"),
            (1234567.0, "1.23457e+06"),
            (999999.6, "1e+06"),
            (0.0001, "0.0001"),
            (0.00001234, "1.234e-05"),
            (-2.5e-300, "-2.5e-300"),
            (100000.0, "100000"),
            (3.2253641e-10, "3.22536e-10"),
            (-0.0, "-0"),
            (f64::NAN, "nan"),
        ] {
            assert_eq!(general(x), c, "{x}");
        }
    }

    /// Two splits by hand: f0 <= 0.5 (NaN missing, default left) then categorical f1 in {1, 3}.
    const TINY: &str = "tree\nversion=v4\nmax_feature_idx=1\nobjective=binary sigmoid:1\n\nTree=0\nnum_leaves=3\nnum_cat=1\nsplit_feature=0 1\nthreshold=0.5 0\ndecision_type=10 1\nleft_child=-1 -2\nright_child=1 -3\nleaf_value=1 2 3\ncat_boundaries=0 1\ncat_threshold=10\nshrinkage=1\n\nend of trees\n";

    #[test]
    fn worked_example_of_both_decision_kinds() {
        let m = GbdtModel::parse(TINY, "tiny.txt").unwrap();
        // decision_type 10 = 0b1010: NaN missing (2 << 2), default left (2).
        assert_eq!(m.predict_raw(&[0.2, 0.0]), 1.0);
        assert_eq!(
            m.predict_raw(&[f64::NAN, 9.0]),
            1.0,
            "NaN goes the default way (left)"
        );
        // cat_threshold 10 = 0b1010: categories 1 and 3 go left (leaf 1 = 2.0).
        assert_eq!(m.predict_raw(&[0.9, 1.0]), 2.0);
        assert_eq!(
            m.predict_raw(&[0.9, 3.7]),
            2.0,
            "3.7 truncates to category 3"
        );
        assert_eq!(m.predict_raw(&[0.9, 2.0]), 3.0);
        assert_eq!(m.predict_raw(&[0.9, 40.0]), 3.0, "beyond the bitset: right");
        assert_eq!(m.predict_raw(&[0.9, -1.0]), 3.0, "negative: right");
        assert_eq!(m.predict_raw(&[0.9, f64::NAN]), 3.0, "NaN category: right");
        assert!((m.predict(&[0.2, 0.0]) - 1.0 / (1.0 + (-1.0f64).exp())).abs() < 1e-15);
    }

    #[test]
    fn writing_and_reading_back_is_exact() {
        let m = GbdtModel::parse(TINY, "tiny.txt").unwrap();
        let back = GbdtModel::parse(&m.to_lightgbm_text(), "written").unwrap();
        assert_eq!(back.trees, m.trees);
        assert_eq!(back.objective, m.objective);
    }

    #[test]
    fn bad_models_are_refused_with_locations() {
        let e = GbdtModel::parse("nonsense", "m.txt").unwrap_err();
        assert!(e.to_string().starts_with("m.txt:1:"), "{e}");
        let e = GbdtModel::parse(&TINY.replace("version=v4", "version=v3"), "m.txt").unwrap_err();
        assert!(e.to_string().starts_with("m.txt:2 field `version`"), "{e}");
        let e = GbdtModel::parse(
            &TINY.replace("left_child=-1 -2", "left_child=-1 7"),
            "m.txt",
        )
        .unwrap_err();
        assert!(e.to_string().contains("out of range"), "{e}");
        let e = GbdtModel::parse(&TINY.replace("threshold=0.5 0", "threshold=0.5 x"), "m.txt")
            .unwrap_err();
        assert!(
            e.to_string().starts_with("m.txt:10 field `threshold`"),
            "{e}"
        );
    }

    #[test]
    fn what_the_evaluator_does_not_implement_is_refused_naming_the_line() {
        let cases = [
            (
                TINY.replace(
                    "objective=binary sigmoid:1",
                    "objective=multiclass num_class:3",
                ),
                "m.txt:4 field `num_class`: expected a multiclass objective exactly when",
            ),
            (
                TINY.replace(
                    "objective=binary sigmoid:1",
                    "objective=multiclassova num_class:3 sigmoid:1",
                ),
                "m.txt:4 field `num_class`",
            ),
            (
                // Three classes, one tree: not whole iterations.
                TINY.replace(
                    "max_feature_idx=1\nobjective=binary sigmoid:1",
                    "max_feature_idx=1\nnum_class=3\nobjective=multiclass num_class:3",
                ),
                "m.txt: 1 trees is not a whole number of iterations of 3 classes",
            ),
            (
                TINY.replace(
                    "max_feature_idx=1\nobjective=binary sigmoid:1",
                    "max_feature_idx=1\nnum_class=3\nnum_tree_per_iteration=2\nobjective=multiclass num_class:3",
                ),
                "m.txt:5 field `num_tree_per_iteration`",
            ),
            (
                TINY.replace("objective=binary sigmoid:1", "objective=my_custom_loss"),
                "m.txt:4 field `objective`",
            ),
            (
                TINY.replace("max_feature_idx=1\n", "max_feature_idx=1\nnum_class=3\n"),
                "m.txt:4 field `num_class`",
            ),
            (
                TINY.replace(
                    "max_feature_idx=1\n",
                    "max_feature_idx=1\nnum_tree_per_iteration=3\n",
                ),
                "m.txt:4 field `num_tree_per_iteration`",
            ),

            (
                TINY.replace("num_cat=1\n", "num_cat=1\nis_linear=2\n"),
                "m.txt:9 field `is_linear`",
            ),
            (
                TINY.replace("num_cat=1\n", "num_cat=1\nis_linear=1\n"),
                "m.txt:6: tree is missing `leaf_const`",
            ),
            (
                // Two leaves' worth of features for three leaves.
                TINY.replace(
                    "num_cat=1\n",
                    "num_cat=1\nis_linear=1\nleaf_const=0 0 0\nnum_features=1 1 1\nleaf_features=0  1 \nleaf_coeff=1  1 \n",
                ),
                "m.txt:12: linear leaves disagree",
            ),
            (
                TINY.replace(
                    "num_cat=1\n",
                    "num_cat=1\nis_linear=1\nleaf_const=0 0 0\nnum_features=1 0 0\nleaf_features=7  \nleaf_coeff=1  \n",
                ),
                "m.txt: Tree=0: a linear leaf's feature is out of range",
            ),
            (
                TINY.replace("max_feature_idx=1", "max_feature_idx=18446744073709551615"),
                "m.txt:3 field `max_feature_idx`",
            ),
            (
                TINY.replace(
                    "max_feature_idx=1",
                    "max_feature_idx=99999999999999999999999",
                ),
                "m.txt:3 field `max_feature_idx`",
            ),
            (
                TINY.replace("sigmoid:1", "sigmoid:-2"),
                "m.txt:4 field `objective`",
            ),
        ];
        for (text, want) in cases {
            let e = GbdtModel::parse(&text, "m.txt").unwrap_err();
            assert!(e.to_string().starts_with(want), "{want}: {e}");
        }
        // What is implemented parses, with the objective's own output transform.
        let with =
            |o: &str| GbdtModel::parse(&TINY.replace("binary sigmoid:1", o), "m.txt").unwrap();
        assert_eq!(with("regression").transform(-2.0), -2.0);
        assert_eq!(with("regression sqrt").transform(-2.0), -4.0);
        assert_eq!(with("huber").transform(-2.0), -2.0);
        assert_eq!(with("poisson").transform(0.5), 0.5f64.exp());
        assert_eq!(with("tweedie").transform(0.5), 0.5f64.exp());
        assert_eq!(
            with("cross_entropy").transform(0.5),
            1.0 / (1.0 + (-0.5f64).exp())
        );
        assert_eq!(
            with("cross_entropy_lambda").transform(0.5),
            0.5f64.exp().ln_1p()
        );
        assert_eq!(with("lambdarank").transform(3.0), 3.0);
        assert_eq!(with("rank_xendcg").transform(3.0), 3.0);
        // Written back, the objective line is what was read.
        let m = with("poisson");
        assert!(m.to_lightgbm_text().contains("objective=poisson\n"));
    }

    #[test]
    fn child_links_that_are_not_a_tree_are_refused() {
        // Found by the fuzzer: node 1 its own child passed the range check, and prediction
        // looped for ever on any row that went right at the root and left at node 1.
        let looped = TINY.replace("right_child=1 -3", "right_child=1 1");
        let e = GbdtModel::parse(&looped, "m.txt").unwrap_err();
        assert!(e.to_string().contains("do not form a tree"), "{e}");
        // A leaf reached twice (and so another never) is refused too.
        let twice = TINY.replace("left_child=-1 -2", "left_child=-1 -1");
        let e = GbdtModel::parse(&twice, "m.txt").unwrap_err();
        assert!(e.to_string().contains("do not form a tree"), "{e}");
        // Every node one parent, but nodes 1 and 2 a cycle cut off from the root: refused.
        let island = "tree\nversion=v4\nmax_feature_idx=0\nobjective=regression\n\nTree=0\nnum_leaves=4\nnum_cat=0\nsplit_feature=0 0 0\nthreshold=0 0 0\ndecision_type=0 0 0\nleft_child=-1 2 1\nright_child=-2 -3 -4\nleaf_value=1 2 3 4\nshrinkage=1\n\nend of trees\n";
        let e = GbdtModel::parse(island, "m.txt").unwrap_err();
        assert!(
            e.to_string()
                .contains("1 of 3 nodes and 2 of 4 leaves reached"),
            "{e}"
        );
    }
}
