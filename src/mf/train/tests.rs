//! Hand-worked single steps (one per loss family and schedule), the WARP loss values, and
//! planted-signal and determinism checks of whole fits.

use super::*;
use crate::mf::eval::evaluate;

fn side(emb: &[f32], schedule: LearningSchedule) -> SideParams {
    let acc = if schedule == LearningSchedule::Adagrad {
        1.0
    } else {
        0.0
    };
    SideParams {
        emb: emb.to_vec(),
        bias: vec![0.0; emb.len()],
        g_emb: vec![acc; emb.len()],
        g_bias: vec![acc; emb.len()],
        m_emb: vec![0.0; emb.len()],
        m_bias: vec![0.0; emb.len()],
    }
}

/// 1 user, 2 items, identity features, d = 1: p_u = 0.5, q_0 = 0.2, q_1 = -0.3.
fn tiny(schedule: LearningSchedule) -> (LightFm, Interactions, CsrMatrix, CsrMatrix) {
    let mut m = LightFm::new(LightFmParams {
        no_components: 1,
        learning_schedule: schedule,
        ..Default::default()
    })
    .unwrap();
    m.set_parameters(side(&[0.5], schedule), side(&[0.2, -0.3], schedule))
        .unwrap();
    let ix = Interactions {
        n_users: 1,
        n_items: 2,
        users: vec![0],
        items: vec![0],
        values: vec![1.0],
    };
    (m, ix, CsrMatrix::identity(1), CsrMatrix::identity(2))
}

fn close(a: f32, b: f64) {
    assert!(
        (f64::from(a) - b).abs() <= 1e-6 * (1.0 + b.abs()),
        "{a} vs {b}"
    );
}

fn sig(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

#[test]
fn logistic_adagrad_step_by_hand() {
    let (mut m, ix, uf, itf) = tiny(LearningSchedule::Adagrad);
    let data = TrainData {
        interactions: &ix,
        user_features: &uf,
        item_features: &itf,
        sample_weight: None,
    };
    // ŷ = 0.5·0.2 = 0.1, y = 1: L = σ(0.1) − 1.
    let l = sig(0.1) - 1.0;
    m.pointwise_step(&data, 0, 0, l as f32);
    // Adagrad, G = 1: step 0.05. Item: q ← 0.2 − 0.05·L·p_u, b_i ← −0.05·L.
    close(m.item.emb[0], 0.2 - 0.05 * l * 0.5);
    close(m.item.bias[0], -0.05 * l);
    close(m.item.g_emb[0], 1.0 + (l * 0.5).powi(2));
    // User: p ← 0.5 − 0.05·L·q_i (the representation before the step), b_u ← −0.05·L.
    close(m.user.emb[0], 0.5 - 0.05 * l * 0.2);
    close(m.user.bias[0], -0.05 * l);
    close(m.user.g_bias[0], 1.0 + l * l);
    // The other item is untouched.
    assert_eq!(m.item.emb[1], -0.3);
}

#[test]
fn logistic_adadelta_step_by_hand() {
    let (mut m, ix, uf, itf) = tiny(LearningSchedule::Adadelta);
    let data = TrainData {
        interactions: &ix,
        user_features: &uf,
        item_features: &itf,
        sample_weight: None,
    };
    let l = sig(0.1) - 1.0;
    m.pointwise_step(&data, 0, 0, l as f32);
    let (rho, eps) = (0.95f64, 1e-6f64);
    // Item component: g = L·0.5; G = (1−ρ)g²; Δ = √(0+ε)/√(G+ε)·g; M = (1−ρ)Δ².
    let g = l * 0.5;
    let big_g = (1.0 - rho) * g * g;
    let delta = eps.sqrt() / (big_g + eps).sqrt() * g;
    close(m.item.emb[0], 0.2 - delta);
    close(m.item.g_emb[0], big_g);
    close(m.item.m_emb[0], (1.0 - rho) * delta * delta);
}

#[test]
fn pairwise_adagrad_step_by_hand_for_bpr_and_warp() {
    // BPR's multiplier on this state: x = ŷ_0 − ŷ_1 = 0.1 − (−0.15) = 0.25, L = 1 − σ(0.25).
    // WARP's after one trial on 11 items: ln 10. Both go through the same pairwise step.
    for l in [1.0 - sig(0.25), 10f64.ln()] {
        let (mut m, ix, uf, itf) = tiny(LearningSchedule::Adagrad);
        let data = TrainData {
            interactions: &ix,
            user_features: &uf,
            item_features: &itf,
            sample_weight: None,
        };
        m.pairwise_step(&data, 0, 0, 1, l as f32);
        // i⁺: q ← 0.2 − 0.05·(−L·0.5), b ← −0.05·(−L); i⁻: the opposite.
        close(m.item.emb[0], 0.2 + 0.025 * l);
        close(m.item.bias[0], 0.05 * l);
        close(m.item.emb[1], -0.3 - 0.025 * l);
        close(m.item.bias[1], -0.05 * l);
        // u: p ← 0.5 − 0.05·L·(q⁻ − q⁺) = 0.5 + 0.025·L; the user bias gets +L as in LightFM.
        close(m.user.emb[0], 0.5 + 0.025 * l);
        close(m.user.bias[0], -0.05 * l);
        close(m.user.g_emb[0], 1.0 + (0.5 * l).powi(2));
    }
}

#[test]
fn pairwise_adadelta_step_by_hand() {
    let (mut m, ix, uf, itf) = tiny(LearningSchedule::Adadelta);
    let data = TrainData {
        interactions: &ix,
        user_features: &uf,
        item_features: &itf,
        sample_weight: None,
    };
    let l = 10f64.ln();
    m.pairwise_step(&data, 0, 0, 1, l as f32);
    let (rho, eps) = (0.95f64, 1e-6f64);
    let step = |g: f64| eps.sqrt() / ((1.0 - rho) * g * g + eps).sqrt() * g;
    close(m.item.emb[0], 0.2 - step(-0.5 * l));
    close(m.item.emb[1], -0.3 - step(0.5 * l));
    close(m.user.emb[0], 0.5 - step(-0.5 * l));
}

#[test]
fn warp_loss_values() {
    close(warp_loss(11, 1, 1.0), 10f64.ln());
    close(warp_loss(11, 3, 1.0), 3f64.ln());
    close(warp_loss(11, 3, 2.0), 2.0 * 3f64.ln());
    assert_eq!(warp_loss(1_000_000, 1, 1.0), 10.0, "clipped at MAX_LOSS");
    assert_eq!(warp_loss(11, 20, 1.0), 0.0, "floor of 1 keeps ln at 0");
}

/// Planted signal: users and items each belong to one of 4 groups; users interact only with
/// items of their group. Features: identity + group.
fn planted(seed: u64) -> (Interactions, Interactions, CsrMatrix, CsrMatrix) {
    let (n_users, n_items, groups) = (80u32, 200u32, 4u32);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (mut train, mut test) = (Vec::new(), Vec::new());
    for u in 0..n_users {
        for i in 0..n_items {
            if i % groups == u % groups && rng.random_bool(0.3) {
                if rng.random_bool(0.2) {
                    test.push((u, i))
                } else {
                    train.push((u, i))
                }
            }
        }
    }
    let mk = |v: &[(u32, u32)]| Interactions {
        n_users,
        n_items,
        users: v.iter().map(|p| p.0).collect(),
        items: v.iter().map(|p| p.1).collect(),
        values: vec![1.0; v.len()],
    };
    let feats = |n: u32| {
        let rows: Vec<Vec<(u32, f32)>> = (0..n)
            .map(|r| vec![(r, 1.0), (n + r % groups, 1.0)])
            .collect();
        let mut m = CsrMatrix::from_rows(n + groups, &rows).unwrap();
        m.normalize_rows();
        m
    };
    (mk(&train), mk(&test), feats(n_users), feats(n_items))
}

fn auc_of(
    m: &LightFm,
    train: &Interactions,
    test: &Interactions,
    uf: &CsrMatrix,
    itf: &CsrMatrix,
) -> f64 {
    let (tr, te) = (train.positives(), test.positives());
    let items: Vec<u32> = (0..train.n_items).collect();
    evaluate(
        |u, out| {
            *out = m.predict(uf, itf, &vec![u; items.len()], &items);
        },
        &tr,
        &te,
        10,
    )
    .auc
}

#[test]
fn every_loss_and_schedule_learns_a_planted_signal() {
    let seed = 11;
    println!("seed {seed}");
    let (train, test, uf, itf) = planted(seed);
    for loss in [Loss::Logistic, Loss::Bpr, Loss::Warp, Loss::WarpKos] {
        for schedule in [LearningSchedule::Adagrad, LearningSchedule::Adadelta] {
            let mut m = LightFm::new(LightFmParams {
                loss,
                learning_schedule: schedule,
                random_state: seed,
                ..Default::default()
            })
            .unwrap();
            m.fit(
                TrainData {
                    interactions: &train,
                    user_features: &uf,
                    item_features: &itf,
                    sample_weight: None,
                },
                15,
                1,
            )
            .unwrap();
            let auc = auc_of(&m, &train, &test, &uf, &itf);
            println!("{loss:?}/{schedule:?}: test AUC {auc:.4}");
            assert!(auc > 0.9, "{loss:?}/{schedule:?}: AUC {auc}");
        }
    }
}

#[test]
fn one_thread_is_deterministic_and_hogwild_learns_too() {
    let (train, test, uf, itf) = planted(5);
    let data = TrainData {
        interactions: &train,
        user_features: &uf,
        item_features: &itf,
        sample_weight: None,
    };
    let params = LightFmParams {
        loss: Loss::Warp,
        ..Default::default()
    };
    let mut a = LightFm::new(params.clone()).unwrap();
    let mut b = LightFm::new(params.clone()).unwrap();
    a.fit(data, 5, 1).unwrap();
    b.fit(data, 5, 1).unwrap();
    assert_eq!(a, b);
    let mut c = LightFm::new(LightFmParams {
        random_state: 43,
        ..params.clone()
    })
    .unwrap();
    c.fit(data, 5, 1).unwrap();
    assert_ne!(a.item.emb, c.item.emb);
    let mut h = LightFm::new(params).unwrap();
    h.fit(data, 10, 2).unwrap();
    assert!(auc_of(&h, &train, &test, &uf, &itf) > 0.88);
}

#[test]
fn sample_weights_scale_the_step() {
    let (mut m, ix, uf, itf) = tiny(LearningSchedule::Adagrad);
    let w = [0.0f32];
    let data = TrainData {
        interactions: &ix,
        user_features: &uf,
        item_features: &itf,
        sample_weight: Some(&w),
    };
    let before = m.clone();
    m.params.loss = Loss::Logistic;
    m.fit_partial(data, 1, 1).unwrap();
    // Weight 0: the loss multiplier is 0, so embeddings do not move.
    assert_eq!(m.item.emb, before.item.emb);
    assert_eq!(m.user.emb, before.user.emb);
}

#[test]
fn bad_parameters_are_refused_before_fitting() {
    assert!(LightFm::new(LightFmParams {
        no_components: 0,
        ..Default::default()
    })
    .is_err());
    assert!(LightFm::new(LightFmParams {
        rho: 1.0,
        ..Default::default()
    })
    .is_err());
    assert!(LightFm::new(LightFmParams {
        learning_rate: f32::NAN,
        ..Default::default()
    })
    .is_err());
    let (mut m, ix, uf, itf) = tiny(LearningSchedule::Adagrad);
    let w = [1.0f32];
    m.params.loss = Loss::WarpKos;
    let data = TrainData {
        interactions: &ix,
        user_features: &uf,
        item_features: &itf,
        sample_weight: Some(&w),
    };
    assert!(m.fit_partial(data, 1, 1).is_err());
}
