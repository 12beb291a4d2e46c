//! Category inference in many languages, measured on a labelled sample of 201 bios in
//! English, Spanish, Portuguese, French, Italian and German (`tests/fixtures/bios_labelled.tsv`,
//! written for this project): coverage (bios that get a category) and precision (of those,
//! the labelled one), per language and overall. `cargo test --test categories -- --nocapture`
//! prints the table the README quotes.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeMap;

use influence_rec::Lexicon;

#[test]
fn bios_in_six_languages_get_their_category() {
    let text = include_str!("fixtures/bios_labelled.tsv");
    // language -> (bios, with a category, correct)
    let mut by_lang: BTreeMap<&str, (u32, u32, u32)> = BTreeMap::new();
    let mut wrong = Vec::new();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let mut f = line.split('\t');
        let (Some(label), Some(lang), Some(bio)) = (f.next(), f.next(), f.next()) else {
            panic!("bad fixture line {line:?}");
        };
        let got = Lexicon::builtin().infer(bio).map(|i| i.slug);
        let e = by_lang.entry(lang).or_default();
        e.0 += 1;
        if let Some(g) = &got {
            e.1 += 1;
            if g == label {
                e.2 += 1;
            } else {
                wrong.push(format!("{lang} {label} -> {g}: {bio}"));
            }
        } else {
            wrong.push(format!("{lang} {label} -> none: {bio}"));
        }
    }
    let (mut n, mut covered, mut correct) = (0, 0, 0);
    println!("language  bios  coverage  precision");
    for (lang, (b, c, k)) in &by_lang {
        println!(
            "{lang:<8} {b:>5} {:>9.3} {:>10.3}",
            f64::from(*c) / f64::from(*b),
            f64::from(*k) / f64::from((*c).max(1))
        );
        n += b;
        covered += c;
        correct += k;
    }
    let coverage = f64::from(covered) / f64::from(n);
    let precision = f64::from(correct) / f64::from(covered.max(1));
    println!("all      {n:>5} {coverage:>9.3} {precision:>10.3}");
    for w in &wrong {
        println!("  {w}");
    }
    assert_eq!(by_lang.len(), 6, "six languages");
    assert!(n >= 200, "{n} bios");
    // Floors a regression of the lexicon would break (measured: see the printed table).
    assert!(coverage >= 0.90, "coverage {coverage}");
    assert!(precision >= 0.90, "precision {precision}");
    for (lang, (b, c, k)) in &by_lang {
        let (cov, prec) = (
            f64::from(*c) / f64::from(*b),
            f64::from(*k) / f64::from((*c).max(1)),
        );
        assert!(
            cov >= 0.8 && prec >= 0.8,
            "{lang}: coverage {cov}, precision {prec}"
        );
    }
}
