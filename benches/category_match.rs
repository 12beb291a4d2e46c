//! Category inference, compiled matcher against the scan it replaced (issue 27, part 6), side
//! by side on the same captions, printing each one's throughput and the ratio.
//! Usage: cargo bench --bench category_match -- [CSV with a text column, default
//! data/raw/influencer_posts.csv] [repeats = 20]
//! Without `--bench` (as `cargo test --all-targets` runs it) it times one pass.

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    use influence_rec::Lexicon;
    use std::time::Instant;

    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let bench = std::env::args().any(|a| a == "--bench");
    let path = args
        .first()
        .cloned()
        .unwrap_or_else(|| "data/raw/influencer_posts.csv".into());
    let repeats: usize = match args.get(1) {
        Some(r) => r.parse().expect("repeats: a whole number"),
        None if bench => 20,
        None => 1,
    };
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    // Each line stands for a post's text (captions, bios and tags as a scrape holds them).
    let lines: Vec<&str> = text.lines().collect();
    let lex = Lexicon::builtin();
    let time = |f: &dyn Fn(&str) -> Option<influence_rec::category::Inference>| {
        let start = Instant::now();
        let mut found = 0usize;
        for _ in 0..repeats {
            found += lines.iter().filter(|l| f(l).is_some()).count();
        }
        (start.elapsed().as_secs_f64(), found)
    };
    let (compiled, a) = time(&|t| lex.infer(t));
    let (scan, b) = time(&|t| lex.infer_by_scan(t));
    assert_eq!(a, b, "the two disagree on how many texts have a category");
    let n = (lines.len() * repeats) as f64;
    println!(
        "{} texts x {repeats} ({} MB): compiled {:.0} texts/s, scan {:.0} texts/s; compiled takes {:.3}x the scan's time",
        lines.len(),
        text.len() / 1_000_000,
        n / compiled,
        n / scan,
        compiled / scan
    );
}
