use super::*;

#[test]
fn worked_gain_and_leaf_value() {
    // G = −6, H = 4 split into (−5, 2) and (−1, 2), λ₂ = 1, λ₁ = 0:
    // 25/3 + 1/3 − 36/5 = 26/3 − 7.2 = 1.4666…
    let p = GbdtParams {
        lambda_l2: 1.0,
        ..Default::default()
    };
    assert!((split_gain(-5.0, 2.0, -6.0, 4.0, &p) - (26.0 / 3.0 - 7.2)).abs() < 1e-12);
    // Leaf value −G/(H + λ₂) = 6/5; with λ₁ = 1: −(−(6 − 1))/5 = 1.
    assert!((leaf_output(-6.0, 4.0, &p) - 1.2).abs() < 1e-12);
    let p1 = GbdtParams {
        lambda_l1: 1.0,
        ..p
    };
    assert!((leaf_output(-6.0, 4.0, &p1) - 1.0).abs() < 1e-12);
}

#[test]
fn bins_are_even_zero_is_alone_and_nan_is_last() {
    // 1,200 distinct values into 255 bins: no bin may swallow the tail.
    let mut v: Vec<f64> = (0..1200).map(|i| f64::from(i) - 600.0).collect();
    v.push(f64::NAN);
    let m = BinMapper::new(&v, 255, 3);
    assert!(m.has_nan && m.num_bins() <= 255);
    let mut counts = vec![0usize; m.num_bins()];
    for &x in &v {
        counts[m.bin(x) as usize] += 1;
    }
    let max = counts[..counts.len() - 1]
        .iter()
        .max()
        .copied()
        .unwrap_or(0);
    assert!(max <= 10, "largest bin holds {max} rows: {counts:?}");
    assert_eq!(
        counts[counts.len() - 1],
        1,
        "NaN has the last bin to itself"
    );
    assert_eq!(counts[m.bin(0.0) as usize], 1, "zero has a bin of its own");
    // Few distinct values: a bin closes once it holds min_data_in_bin = 3 rows, halfway
    // to the next value, one step above it as LightGBM puts it: {1, 1, 3} | {5}, after the
    // zero bin (-inf, 1e-35f].
    let m = BinMapper::new(&[1.0, 1.0, 3.0, 5.0], 255, 3);
    assert_eq!(m.upper, vec![ZERO, next_up(4.0), f64::INFINITY]);
    assert_eq!(next_up(4.0), 4.000000000000001);
    assert_eq!(next_up(-1.0), -0.9999999999999999);
    // A value holding a mean bin's rows gets a bin of its own (LightGBM's big-count rule).
    let mut heavy = vec![7.0; 500];
    heavy.extend((0..1000).map(f64::from));
    let m = BinMapper::new(&heavy, 255, 3);
    let b7 = m.bin(7.0) as usize;
    assert!(
        m.bin(6.0) as usize != b7 && m.bin(8.0) as usize != b7,
        "7 is alone"
    );
}

#[test]
fn the_first_split_of_a_step_function_is_known() {
    // y = 0 for x < 0.5, 10 otherwise; one stump with 2 leaves must split between 0.4
    // and 0.6 and predict the two means.
    let x: Vec<f64> = (0..100).map(|i| if i < 50 { 0.4 } else { 0.6 }).collect();
    let y: Vec<f64> = (0..100).map(|i| if i < 50 { 0.0 } else { 10.0 }).collect();
    let p = GbdtParams {
        num_iterations: 1,
        num_leaves: 2,
        learning_rate: 1.0,
        ..Default::default()
    };
    let m = train(&x, 1, &y, &p).unwrap();
    let t = &m.trees[0];
    assert_eq!(t.split_feature, vec![0]);
    assert!((t.threshold[0] - 0.5).abs() < 1e-12);
    assert!((m.predict_raw(&[0.4]) - 0.0).abs() < 1e-9);
    assert!((m.predict_raw(&[0.6]) - 10.0).abs() < 1e-9);
}

#[test]
fn planted_signal_one_informative_column() {
    let seed = 3;
    println!("seed {seed}");
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (n, f) = (2000, 5);
    let mut x = vec![0f64; n * f];
    for v in &mut x {
        *v = rng.random_range(-1.0..1.0);
    }
    // Column 3 carries the signal; 10 % of it is missing (NaN) with a label shift.
    let y: Vec<f64> = (0..n)
        .map(|i| {
            if rng.random_bool(0.1) {
                x[i * f + 3] = f64::NAN;
                return 2.0;
            }
            (x[i * f + 3] * 3.0).sin() + rng.random_range(-0.1..0.1)
        })
        .collect();
    let m = train(&x, f, &y, &GbdtParams::default()).unwrap();
    // The first trees, fitted while the signal dominates, split on it; later trees also
    // chase the noise, as LightGBM's do.
    let first: Vec<u32> = m.trees[..3]
        .iter()
        .flat_map(|t| t.split_feature.clone())
        .collect();
    let used = first.iter().filter(|&&s| s == 3).count();
    assert!(
        used as f64 > 0.9 * first.len() as f64,
        "{used} of {} early splits use the signal",
        first.len()
    );
    let mse: f64 = (0..n)
        .map(|i| (m.predict_raw(&x[i * f..(i + 1) * f]) - y[i]).powi(2))
        .sum::<f64>()
        / n as f64;
    println!("train MSE {mse:.5}");
    assert!(mse < 0.01, "MSE {mse}");
    assert!(
        (m.predict_raw(&[0.0, 0.0, 0.0, f64::NAN, 0.0]) - 2.0).abs() < 0.05,
        "NaN learned"
    );
}

#[test]
fn binary_objective_separates() {
    let x: Vec<f64> = (0..400).map(|i| i as f64).collect();
    let y: Vec<f64> = (0..400).map(|i| if i >= 200 { 1.0 } else { 0.0 }).collect();
    let p = GbdtParams {
        objective: ObjectiveKind::Binary,
        num_iterations: 20,
        ..Default::default()
    };
    let m = train(&x, 1, &y, &p).unwrap();
    assert!(m.predict(&[10.0]) < 0.1 && m.predict(&[390.0]) > 0.9);
    assert!(train(&x, 1, &vec![2.0; 400], &p).is_err());
}

#[test]
fn worked_lambdarank_gradients_of_one_pair() {
    // Two documents tied at score 0, labels 1 and 0, gains 2^y − 1 = 1 and 0.
    // maxDCG = 1/log₂2 = 1. Pair (high 0 at rank 0, low 1 at rank 1):
    // ΔNDCG = 1·|1 − 1/log₂3| = 0.369070; ρ = 1/(1+e⁰) = 0.5 (equal scores, so no
    // score-distance division); λ = −0.5·0.369070 = −0.184535, h = 0.25·0.369070;
    // Σ|λ| = 0.369070, norm = log₂(1.369070)/0.369070 = 1.227794:
    // g = (−0.226598, +0.226598), h = 0.113299 each.
    let p = GbdtParams::default();
    let gains = p.label_gains();
    let (y, s) = ([1.0, 0.0], [0.0, 0.0]);
    let inv = inverse_max_dcg(&y, 30, &gains);
    assert!((inv - 1.0).abs() < 1e-12);
    let (mut g, mut h) = ([0f32; 2], [0f32; 2]);
    let l = Lambdarank::new(&p, 2);
    // The table's bin for Δs = 0 is exactly ρ = ½, and a large |Δs| clamps.
    assert_eq!(l.rho(0.0), 0.5);
    assert_eq!(l.rho(-1e9), l.table[0]);
    l.query(&y, &s, inv, &p, &mut g, &mut h);
    assert!((f64::from(g[0]) + 0.226_598_236).abs() < 1e-6, "{g:?}");
    assert!((f64::from(g[1]) - 0.226_598_236).abs() < 1e-6, "{g:?}");
    assert!((f64::from(h[0]) - 0.113_299_118).abs() < 1e-6, "{h:?}");
    assert_eq!(h[0], h[1]);
    // Equal labels give no gradient.
    l.query(&[1.0, 1.0], &s, inv, &p, &mut g, &mut h);
    assert_eq!((g, h), ([0.0; 2], [0.0; 2]));
}

#[test]
fn worked_ndcg() {
    // Labels (0, 2, 1) ranked by scores (3, 2, 1): DCG = 0 + 3/log₂3 + 1/2;
    // ideal = 3 + 1/log₂3; NDCG = 0.659002. A query with no relevant rows counts 1.
    let gains = GbdtParams::default().label_gains();
    let v = ndcg_at(10, &[0.0, 2.0, 1.0], &[3.0, 2.0, 1.0], &[3], &gains);
    assert!((v - 0.659_001_804_8).abs() < 1e-9, "{v}");
    let v = ndcg_at(10, &[0.0, 0.0], &[1.0, 2.0], &[2], &gains);
    assert_eq!(v, 1.0);
}

/// Queries of 50 rows; column 1 decides the label (0..=3), column 0 is noise.
fn ranking_data(seed: u64, queries: usize) -> (Vec<f64>, Vec<f64>, Vec<u32>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (mut x, mut y) = (Vec::new(), Vec::new());
    for _ in 0..queries * 50 {
        let signal: f64 = rng.random_range(0.0..1.0);
        x.push(rng.random_range(0.0..1.0));
        x.push(signal);
        let noisy = signal + rng.random_range(-0.1..0.1);
        y.push((noisy * 4.0).floor().clamp(0.0, 3.0));
    }
    (x, y, vec![50; queries])
}

#[test]
fn lambdarank_learns_a_planted_order_and_stops_early() {
    let seed = 5;
    println!("seed {seed}");
    let (x, y, group) = ranking_data(seed, 60);
    let (vx, vy, vgroup) = ranking_data(seed + 1, 30);
    let p = GbdtParams {
        objective: ObjectiveKind::LambdaRank,
        num_iterations: 200,
        early_stopping_round: 10,
        ..Default::default()
    };
    let train = Dataset {
        x: &x,
        n_features: 2,
        y: &y,
        group: &group,
    };
    let valid = Dataset {
        x: &vx,
        n_features: 2,
        y: &vy,
        group: &vgroup,
    };
    let fitted = fit(&train, Some(&valid), &p).unwrap();
    let scores: Vec<f64> = vx.chunks(2).map(|r| fitted.model.predict_raw(r)).collect();
    let ndcg = ndcg_at(10, &vy, &scores, &vgroup, &p.label_gains());
    let noise: Vec<f64> = vx.chunks(2).map(|r| r[0]).collect();
    let base = ndcg_at(10, &vy, &noise, &vgroup, &p.label_gains());
    println!(
        "held-out NDCG@10 {ndcg:.4} (noise column {base:.4}), best round {:?} of {}",
        fitted.best_iteration,
        fitted.valid_metric.len()
    );
    assert!(ndcg > 0.9 && ndcg > base + 0.2, "{ndcg} vs {base}");
    // Every tree's root splits on the signal, and training stopped at the best round.
    assert!(fitted.model.trees.iter().all(|t| t.split_feature[0] == 1));
    let best = fitted.best_iteration.expect("stopped early") as usize;
    assert_eq!(fitted.model.trees.len(), best);
    assert_eq!(fitted.valid_metric.len(), best + 10);
    let top = fitted.valid_metric[best - 1];
    assert!(fitted.valid_metric[best..].iter().all(|&m| m <= top));
    // Bad labels and groups are refused before training.
    let bad_y: Vec<f64> = y.iter().map(|v| v + 0.5).collect();
    let bad = Dataset { y: &bad_y, ..train };
    assert!(fit(&bad, None, &p).is_err());
    let bad = Dataset {
        group: &[50],
        ..train
    };
    assert!(fit(&bad, None, &p).is_err());
}

#[test]
fn every_parallel_path_gives_the_same_model_at_any_thread_count() {
    // 60,000 rows × 6 features (one with NaNs): big enough that rows are partitioned in
    // parallel pieces, histograms summed in several blocks and, for mid-size leaves, in
    // feature groups, and scores updated in pieces.
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let n = 60_000;
    let mut x = Vec::with_capacity(n * 6);
    let mut y = Vec::with_capacity(n);
    for _ in 0..n {
        let row: Vec<f64> = (0..6).map(|_| rng.random_range(0.0..1.0)).collect();
        let target = row[0] * 3.0 + (row[1] * 6.0).sin() + row[2] * row[3];
        x.extend_from_slice(&row[..5]);
        x.push(if rng.random_bool(0.2) {
            f64::NAN
        } else {
            row[5]
        });
        y.push(target + rng.random_range(-0.3..0.3));
    }
    let labels: Vec<f64> = y.iter().map(|&v| f64::from(u8::from(v > 2.0))).collect();
    let classes: Vec<f64> = y
        .iter()
        .map(|&v| (v.clamp(0.0, 3.99) as u32 % 3).into())
        .collect();
    for (objective, y, num_class) in [
        (ObjectiveKind::Regression, &y, 1),
        (ObjectiveKind::Binary, &labels, 1),
        (ObjectiveKind::Multiclass, &classes, 3),
    ] {
        let fit = |threads| {
            let p = GbdtParams {
                objective,
                num_class,
                num_iterations: 4,
                num_threads: threads,
                ..Default::default()
            };
            train(&x, 6, y, &p).unwrap()
        };
        let one = fit(1);
        assert!(
            one.trees.iter().all(|t| t.leaf_value.len() == 31),
            "{objective:?}"
        );
        assert_eq!(one, fit(2), "{objective:?} at 2 threads");
        assert_eq!(one, fit(3), "{objective:?} at 3 threads");
    }
}

#[test]
fn threads_do_not_change_the_model_and_bagging_is_seeded() {
    let (x, y, _) = ranking_data(9, 400);
    let base = GbdtParams {
        num_iterations: 10,
        ..Default::default()
    };
    let one = train(
        &x,
        2,
        &y,
        &GbdtParams {
            num_threads: 1,
            ..base.clone()
        },
    )
    .unwrap();
    let two = train(
        &x,
        2,
        &y,
        &GbdtParams {
            num_threads: 2,
            ..base.clone()
        },
    )
    .unwrap();
    assert_eq!(one, two);
    let bagged = GbdtParams {
        bagging_fraction: 0.5,
        bagging_freq: 1,
        ..base
    };
    let a = train(&x, 2, &y, &bagged).unwrap();
    let b = train(&x, 2, &y, &bagged).unwrap();
    assert_eq!(a, b, "same seed, same bags");
    assert_ne!(a, one, "bagging changes the trees");
    // About half the rows reach the root of a bagged tree.
    let root = a.trees[0].internal_count[0];
    assert!(
        (9_000..11_000).contains(&root),
        "{root} of 20000 rows in the bag"
    );
    let c = train(&x, 2, &y, &GbdtParams { seed: 7, ..bagged }).unwrap();
    assert_ne!(a, c, "another seed, other bags");
}

#[test]
fn min_data_in_leaf_counts_hessian_mass_as_lightgbm_does() {
    // 25 rows in bin 0 with h = 0.01, 25 in bin 1 with h = 1: n = 50, H = 25.25, so the
    // estimated count of bin 0 is round(0.25 · 50/25.25) = 0 < 20 and the split is refused,
    // though 25 real rows would pass. With equal hessians the same split is allowed.
    let x: Vec<f64> = (0..50).map(|i| if i < 25 { 0.0 } else { 1.0 }).collect();
    let mapper = BinMapper::new(&x, 255, 3);
    let cols = [Column::U8(x.iter().map(|&v| mapper.bin(v) as u8).collect())];
    let mappers = [mapper];
    let g: Vec<f32> = (0..50).map(|i| if i < 25 { -1.0 } else { 1.0 }).collect();
    let p = GbdtParams::default();
    let split = |h: &[f32]| {
        let grower = Grower {
            cols: &cols,
            mappers: &mappers,
            features: &[0],
            g: &g,
            h,
            const_hessian: None,
            rowbins: None,
            p: &p,
        };
        let rows: Vec<u32> = (0..50).collect();
        let hist = grower.histogram(&rows);
        let sum = (0.0, h.iter().map(|&v| f64::from(v)).sum(), 50);
        grower.best_split(&hist, sum)
    };
    let skewed: Vec<f32> = (0..50).map(|i| if i < 25 { 0.01 } else { 1.0 }).collect();
    assert!(split(&skewed).is_none());
    assert!(split(&[1.0; 50]).is_some());
}

#[test]
fn counts_add_up_and_depth_is_bounded() {
    let (x, y, _) = ranking_data(4, 40);
    let p = GbdtParams {
        num_iterations: 3,
        max_depth: 2,
        ..Default::default()
    };
    let m = train(&x, 2, &y, &p).unwrap();
    for t in &m.trees {
        assert!(t.leaf_value.len() <= 4, "depth 2 allows 4 leaves");
        assert_eq!(t.internal_count[0], 2000);
        assert_eq!(t.leaf_count.iter().sum::<u32>(), 2000);
    }
}

#[test]
fn multiclass_objectives_learn_three_bands_and_write_lightgbm_text() {
    // Class = which third of [0, 600) x falls in, with a second, noise column.
    let n = 600;
    let x: Vec<f64> = (0..n)
        .flat_map(|i| [i as f64, ((i * 37) % 11) as f64])
        .collect();
    let y: Vec<f64> = (0..n).map(|i| (i / 200) as f64).collect();
    for objective in [ObjectiveKind::Multiclass, ObjectiveKind::MulticlassOva] {
        let p = GbdtParams {
            objective,
            num_class: 3,
            num_iterations: 15,
            ..Default::default()
        };
        let m = train(&x, 2, &y, &p).unwrap();
        assert_eq!((m.num_class, m.trees.len()), (3, 45));
        let mut out = Vec::new();
        for (i, want) in [(50usize, 0usize), (300, 1), (550, 2)] {
            m.predict_raw_all(&x[i * 2..i * 2 + 2], &mut out);
            m.transform_all(&mut out);
            let best = (0..3).max_by(|&a, &b| out[a].total_cmp(&out[b])).unwrap();
            assert_eq!(best, want, "{objective:?} row {i}: {out:?}");
            if objective == ObjectiveKind::Multiclass {
                assert!((out.iter().sum::<f64>() - 1.0).abs() < 1e-12);
            }
        }
        // Written as LightGBM text and read back: the very same scores.
        let back = GbdtModel::parse(&m.to_lightgbm_text(), "written").unwrap();
        let (mut a, mut b) = (Vec::new(), Vec::new());
        for row in x.chunks_exact(2) {
            m.predict_raw_all(row, &mut a);
            back.predict_raw_all(row, &mut b);
            assert_eq!(a, b);
        }
    }
    // Labels outside 0..K and a class count without a multiclass objective are refused.
    let p = GbdtParams {
        objective: ObjectiveKind::Multiclass,
        num_class: 2,
        ..Default::default()
    };
    assert!(train(&x, 2, &y, &p).is_err());
    let p = GbdtParams {
        num_class: 3,
        ..Default::default()
    };
    assert!(matches!(
        train(&x, 2, &y, &p),
        Err(Error::InvalidParam {
            name: "num_class",
            ..
        })
    ));
}
