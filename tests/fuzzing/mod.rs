//! A seeded mutation fuzzer for every parser of untrusted bytes, shared by the bounded test
//! (`tests/fuzz.rs`, in the normal suite) and the long run (`cargo bench --bench fuzz`).
//!
//! Each target starts from committed inputs (the real scrapes, tables, bundles, LightGBM
//! models and a sync batch), applies 1 to 8 byte-level mutations per input (bit flips,
//! interesting bytes, inserted and deleted ranges, duplicated chunks, splices from another
//! seed, truncation, hostile numbers such as `1e309` and `-0`) and runs the parser and what
//! a user does next with its result (build a catalog, rank, predict, plan). A panic or an
//! input slower than [`SLOW`] is a finding; the input is kept so it becomes a regression
//! file under `tests/fixtures/fuzz/<target>/`.
#![allow(dead_code)]

use std::cell::{Cell, RefCell};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use influence_rec::collector::wire::{parse_batch, Known, Limits};
use influence_rec::gbdt::GbdtModel;
use influence_rec::ingest::{ingest_with, ColumnMapping};
use influence_rec::places::Places;
use influence_rec::plan_table::read_candidates;
use influence_rec::planner::fill_to_budget;
use influence_rec::{
    bundle, tables, Catalog, Lexicon, NewBrand, PointsConfig, RankBy, RankRequest, Who,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// An input slower than this is a finding (a hang in the making).
pub const SLOW: Duration = Duration::from_secs(2);

/// One parser under test.
pub struct Target {
    /// Short name (also the regression folder's).
    pub name: &'static str,
    /// Valid inputs to mutate.
    pub seeds: Vec<Vec<u8>>,
    /// Parses the bytes and uses what it got; must never panic.
    pub run: fn(&[u8]),
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The first `lines` lines of a committed file (the fuzzer works on small inputs).
fn head(path: &str, lines: usize) -> Vec<u8> {
    let text = std::fs::read_to_string(root().join(path)).unwrap_or_default();
    let mut out: String = text.lines().take(lines).collect::<Vec<_>>().join("\n");
    out.push('\n');
    out.into_bytes()
}

fn file(path: &str) -> Vec<u8> {
    std::fs::read(root().join(path)).unwrap_or_default()
}

const SYNC_SEED: &str = r##"{"format":"influence-rec/interactions","version":1,"batch_id":"b1","device_id":"dev-1","sent_at_ms":1767225900000,"brands":[{"name":"Peak Co","category":"sports","country":"France","hashtags":"#climb #alps","description":"climbing gear"}],"rows":[{"event_id":"e1","brand":"Peak Co","influencer":"bebe","kind":"pairing","points":0,"timestamp_ms":1767225900000},{"event_id":"e2","brand":"Atlas Co","influencer":"zoe","kind":"click","points":1,"timestamp_ms":1767225901000}]}"##;

const PLAN_SEED: &str =
    "id,name,cost,value\n1,ann,18.26,722\n2,bob,16.94,201\n3,cy,4.99,671\n4,di,8.97,590.5\n";

fn ingest_target(bytes: &[u8]) {
    let _ = ingest_with(
        bytes,
        "fuzz.csv",
        &ColumnMapping::default(),
        Lexicon::builtin(),
        Places::builtin(),
    );
}

fn tables_target(bytes: &[u8]) {
    let brands = tables::read_brands(bytes, "fuzz.csv").map(|r| r.0);
    let interactions = tables::read_interactions(bytes, "fuzz.csv").map(|r| r.0);
    let Ok((infs, _)) = tables::read_influencers(bytes, "fuzz.csv") else {
        return;
    };
    // What `train` does next: a catalog from the accepted rows, then a ranking.
    let brands = brands.unwrap_or_default();
    let interactions = interactions.unwrap_or_default();
    if let Ok((catalog, _)) = Catalog::build(infs, brands, &interactions, &Default::default()) {
        let name = catalog.brands().first().map(|b| b.name.clone());
        if let Ok(rec) = influence_rec::Recommender::new(catalog, None, None) {
            if let Some(name) = name {
                let _ = rec.rank(Who::Known(&name), 10, &RankRequest::default());
            }
        }
    }
}

fn bundle_target(bytes: &[u8]) {
    let _ = bundle::read_trainer_state(bytes, "fuzz.bundle");
    let Ok((_, b)) = bundle::read(bytes, "fuzz.bundle") else {
        return;
    };
    let Ok(rec) = b.recommender("fuzz.bundle") else {
        return;
    };
    let brand = NewBrand {
        name: "Fuzz Co".into(),
        category: String::new(),
        country: "France".into(),
        hashtags: "#vegan".into(),
        description: "vegan baking".into(),
    }
    .resolve(Lexicon::builtin());
    let first = rec.brands().first().map(|b| b.name.clone());
    for by in [RankBy::Rating, RankBy::Model, RankBy::Ranker] {
        let req = RankRequest {
            by,
            ..RankRequest::default()
        };
        if let Some(name) = &first {
            let _ = rec.rank(Who::Known(name), 10, &req);
        }
        let _ = rec.rank(Who::New(&brand), 10, &req);
    }
}

/// The header of the committed bundle, with the payload's length and checksum made right, so
/// mutants of the payload reach the decoder instead of stopping at the checksum.
fn wrap_payload(payload: &[u8]) -> Vec<u8> {
    let template = file("tests/fixtures/small.bundle");
    let n = u16::from_le_bytes([template[16], template[17]]) as usize;
    let mut out = template[..18 + n].to_vec();
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(&bundle::fnv1a64(payload).to_le_bytes());
    out.extend_from_slice(payload);
    out
}

fn payload_seed() -> Vec<u8> {
    let b = file("tests/fixtures/small.bundle");
    let n = u16::from_le_bytes([b[16], b[17]]) as usize;
    b[34 + n..].to_vec()
}

fn payload_target(bytes: &[u8]) {
    bundle_target(&wrap_payload(bytes));
}

/// The small bundle's version, its recommender and its first detail shard's bytes.
fn small_details() -> &'static (u64, influence_rec::Recommender, Vec<u8>) {
    static CELL: std::sync::OnceLock<(u64, influence_rec::Recommender, Vec<u8>)> =
        std::sync::OnceLock::new();
    CELL.get_or_init(|| {
        let bytes = file("tests/fixtures/small.bundle");
        let version = bundle::fnv1a64(&bytes);
        let (_, b) = bundle::read(&bytes, "small.bundle").expect("the golden bundle loads");
        let shard = bundle::write_details(&b.catalog, version)
            .expect("writes")
            .remove(0);
        bundle::read_details(&shard, "small-0.bin", version).expect("the seed shard loads");
        (
            version,
            b.recommender("small.bundle").expect("loads"),
            shard,
        )
    })
}

/// A detail shard whose header and checksum are right around `payload`, so mutations reach
/// the decoder and what the page does with the rows.
fn details_target(payload: &[u8]) {
    let (version, rec, template) = small_details();
    let n = u16::from_le_bytes([template[16], template[17]]) as usize;
    let mut bytes = template[..18 + n].to_vec();
    bytes.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    bytes.extend_from_slice(&bundle::fnv1a64(payload).to_le_bytes());
    bytes.extend_from_slice(payload);
    let Ok(shard) = bundle::read_details(&bytes, "fuzz-0.bin", *version) else {
        return;
    };
    let mut rec = rec.clone();
    if rec.add_details(shard.first, shard.rows).is_ok() {
        let req = RankRequest::default();
        if let Some(b) = rec.brands().first().map(|b| b.name.clone()) {
            let _ = rec.rank(Who::Known(&b), 10, &req);
        }
    }
}

fn details_seed() -> Vec<u8> {
    let (_, _, shard) = small_details();
    let n = u16::from_le_bytes([shard[16], shard[17]]) as usize;
    shard[34 + n..].to_vec()
}

fn lightgbm_target(bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    let Ok(model) = GbdtModel::parse(&text, "fuzz.model.txt") else {
        return;
    };
    let n = model.num_features.min(10_000);
    let flat = model.flatten();
    let mut out = Vec::new();
    for v in [0.0, f64::NAN, -1e300, 1e300] {
        let row = vec![v; n];
        model.predict_raw_all(&row, &mut out);
        model.transform_all(&mut out);
        flat.predict_raw_batch(&row, &mut out);
    }
}

fn sync_target(bytes: &[u8]) {
    let known = Known {
        influencers: ["bebe".to_string(), "zoe".to_string()].into(),
        brands: ["atlas co".to_string()].into(),
    };
    let _ = parse_batch(
        bytes,
        Some("b1"),
        &known,
        &PointsConfig::default(),
        &Limits::default(),
        1_767_225_907_414,
    );
}

fn plan_target(bytes: &[u8]) {
    if let Ok(c) = read_candidates(bytes, "fuzz.csv") {
        let _ = fill_to_budget(&c.items, 3_222);
        let _ = fill_to_budget(&c.items, 1_000_000_000);
    }
}

/// Every target with its seeds.
pub fn targets() -> Vec<Target> {
    vec![
        Target {
            name: "ingest",
            seeds: vec![
                head("data/samples/influencer_posts.csv", 40),
                head("data/samples/brand_posts.csv", 40),
                head("data/raw/influencer_posts.csv", 30),
                // Each JSON format a scraper writes (tests/fixtures/scrapes/README.md).
                file("tests/fixtures/scrapes/profiles.json"),
                file("tests/fixtures/scrapes/profiles.jsonl"),
                file("tests/fixtures/scrapes/posts.json"),
                file("tests/fixtures/scrapes/instaloader.jsonl"),
                // The CSV export of nested records (slash paths).
                file("tests/fixtures/scrapes/profiles_flat.csv"),
                file("tests/fixtures/scrapes/posts_flat.csv"),
                // TikTok's: nested authors, tag objects, its CSV export and item JSON.
                file("tests/fixtures/scrapes/tiktok.json"),
                file("tests/fixtures/scrapes/tiktok_flat.csv"),
                file("tests/fixtures/scrapes/tiktok_items.jsonl"),
            ],
            run: ingest_target,
        },
        Target {
            name: "tables",
            seeds: vec![
                head("data/influencers.csv", 30),
                head("data/brands.csv", 20),
                head("data/interactions.csv", 30),
            ],
            run: tables_target,
        },
        Target {
            name: "bundle",
            seeds: vec![
                file("tests/fixtures/small.bundle"),
                file("tests/fixtures/small_v4.bundle"),
            ],
            run: bundle_target,
        },
        Target {
            name: "bundle-payload",
            seeds: vec![payload_seed()],
            run: payload_target,
        },
        Target {
            name: "details",
            seeds: vec![details_seed()],
            run: details_target,
        },
        Target {
            name: "lightgbm",
            seeds: vec![
                file("tests/fixtures/lgbm/binary.model.txt"),
                file("tests/fixtures/lgbm/lambdarank.model.txt"),
                file("tests/fixtures/lgbm/multiclass.model.txt"),
                file("tests/fixtures/lgbm/linear.model.txt"),
            ],
            run: lightgbm_target,
        },
        Target {
            name: "sync",
            seeds: vec![SYNC_SEED.as_bytes().to_vec()],
            run: sync_target,
        },
        Target {
            name: "plan",
            seeds: vec![PLAN_SEED.as_bytes().to_vec()],
            run: plan_target,
        },
    ]
}

const INTERESTING: &[&[u8]] = &[
    b"0",
    b"-0",
    b"-1",
    b"1e309",
    b"-1e309",
    b"NaN",
    b"inf",
    b"1e-320",
    b"18446744073709551616",
    b"9223372036854775807",
    b"4294967295",
    b"65536",
    b"\"",
    b",",
    b"\n",
    b"\r\n",
    b"\0",
    b"{",
    b"}",
    b"[",
    b"]",
    b":",
    b"=",
    b"#",
    b"\xef\xbb\xbf",
    b"\xc3",
    b"\xff\xfe",
    b"\xf0\x9f\x8c",
    b"null",
    b"true",
    b"[]",
    b"{}",
    b"\"\"",
    b"1.",
    b".",
    b"e",
    b"%",
];

/// One mutant of `input` (1 to 8 mutations; `seeds` for splicing).
pub fn mutate(rng: &mut ChaCha8Rng, input: &[u8], seeds: &[Vec<u8>]) -> Vec<u8> {
    let mut b = input.to_vec();
    for _ in 0..rng.random_range(1..=8) {
        let len = b.len();
        let at = if len == 0 {
            0
        } else {
            rng.random_range(0..len)
        };
        match rng.random_range(0..10) {
            0 if len > 0 => b[at] ^= 1 << rng.random_range(0..8),
            1 if len > 0 => b[at] = rng.random(),
            2 => {
                let x = INTERESTING[rng.random_range(0..INTERESTING.len())];
                b.splice(at..at, x.iter().copied());
            }
            3 if len > 0 => {
                // Overwrite a number-looking run with an interesting value.
                let end = (at + rng.random_range(1..8)).min(len);
                let x = INTERESTING[rng.random_range(0..INTERESTING.len())];
                b.splice(at..end, x.iter().copied());
            }
            4 if len > 0 => {
                let end = (at + rng.random_range(1..64)).min(len);
                b.drain(at..end);
            }
            5 if len > 0 => {
                // Duplicate a chunk, sometimes many times (growth, repeated keys).
                let end = (at + rng.random_range(1..64)).min(len);
                let chunk = b[at..end].to_vec();
                let times = if rng.random_bool(0.1) { 200 } else { 1 };
                for _ in 0..times {
                    b.splice(at..at, chunk.iter().copied());
                }
            }
            6 if !seeds.is_empty() => {
                let other = &seeds[rng.random_range(0..seeds.len())];
                if !other.is_empty() {
                    let from = rng.random_range(0..other.len());
                    let end = (from + rng.random_range(1..256)).min(other.len());
                    b.splice(at..at, other[from..end].iter().copied());
                }
            }
            7 if len > 0 => b.truncate(at),
            8 if len >= 8 => {
                // A little-endian length-looking word set to an extreme.
                let at = rng.random_range(0..len - 7);
                let v: u64 =
                    [u64::MAX, u64::from(u32::MAX), 1 << 31, 1 << 40][rng.random_range(0..4)];
                b[at..at + 8].copy_from_slice(&v.to_le_bytes());
            }
            _ => {
                if len > 0 {
                    let j = rng.random_range(0..len);
                    b.swap(at, j);
                }
            }
        }
    }
    b
}

/// What a run found.
#[derive(Debug, Default)]
pub struct Report {
    /// Inputs run.
    pub tried: u64,
    /// Inputs that panicked, with the message.
    pub panics: Vec<(Vec<u8>, String)>,
    /// Inputs slower than [`SLOW`], with the time.
    pub slow: Vec<(Vec<u8>, Duration)>,
    /// The slowest input's time.
    pub slowest: Duration,
}

thread_local! {
    static QUIET: Cell<bool> = const { Cell::new(false) };
    static LAST_PANIC: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Panics on fuzzing threads are caught and recorded, not printed; other threads print as
/// usual.
fn install_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if QUIET.with(Cell::get) {
                let msg = format!("{info}");
                LAST_PANIC.with(|p| *p.borrow_mut() = msg);
            } else {
                default(info);
            }
        }));
    });
}

/// Runs `input` through `target`: the panic message, if it panicked, and the time.
pub fn run_one(target: &Target, input: &[u8]) -> (Option<String>, Duration) {
    install_hook();
    QUIET.with(|q| q.set(true));
    let t = Instant::now();
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| (target.run)(input)));
    let took = t.elapsed();
    QUIET.with(|q| q.set(false));
    (
        r.err().map(|_| LAST_PANIC.with(|p| p.borrow().clone())),
        took,
    )
}

/// The input running now and since when (read by the watchdog).
type Current = std::sync::Mutex<Option<(Instant, Vec<u8>)>>;

/// An input still running after this is a hang: the watchdog keeps it and stops the run
/// (an endless loop cannot be caught in-process).
pub const HANG: Duration = Duration::from_secs(30);

/// Fuzzes `target` from `seed` until `inputs` were tried or `time` ran out. A watchdog thread
/// writes an input that runs longer than [`HANG`] to the regression folder and exits.
pub fn fuzz(target: &Target, seed: u64, inputs: u64, time: Duration) -> Report {
    use std::sync::{Arc, Mutex};
    let current: Arc<Current> = Arc::new(Mutex::new(None));
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let watchdog = {
        let (current, done) = (Arc::clone(&current), Arc::clone(&done));
        let name = target.name;
        std::thread::spawn(move || {
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(200));
                let hung = current.lock().ok().and_then(|c| {
                    c.as_ref()
                        .filter(|(t, _)| t.elapsed() > HANG)
                        .map(|(_, b)| b.clone())
                });
                if let Some(input) = hung {
                    let dir = root().join("tests/fixtures/fuzz").join(name);
                    let _ = std::fs::create_dir_all(&dir);
                    let path = dir.join(format!(
                        "hang-{:016x}",
                        influence_rec::random::fnv1a64(&input)
                    ));
                    let _ = std::fs::write(&path, &input);
                    eprintln!(
                        "{name}: an input ran over {HANG:?} (a hang); kept as {}",
                        short(&path)
                    );
                    std::process::exit(2);
                }
            }
        })
    };
    let report = fuzz_watched(target, seed, inputs, time, &current);
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    let _ = watchdog.join();
    report
}

fn fuzz_watched(
    target: &Target,
    seed: u64,
    inputs: u64,
    time: Duration,
    current: &Current,
) -> Report {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut report = Report::default();
    let started = Instant::now();
    // The seeds themselves first, then mutants (of seeds, and of mutants that ran fine).
    let mut pool: Vec<Vec<u8>> = target.seeds.clone();
    let mut queue: Vec<Vec<u8>> = target.seeds.clone();
    while report.tried < inputs && started.elapsed() < time {
        let input = match queue.pop() {
            Some(x) => x,
            None => {
                let parent = &pool[rng.random_range(0..pool.len())];
                mutate(&mut rng, parent, &target.seeds)
            }
        };
        if let Ok(mut c) = current.lock() {
            *c = Some((Instant::now(), input.clone()));
        }
        let (panic, took) = run_one(target, &input);
        if let Ok(mut c) = current.lock() {
            *c = None;
        }
        report.tried += 1;
        report.slowest = report.slowest.max(took);
        if let Some(msg) = panic {
            report.panics.push((input, msg));
        } else if took > SLOW {
            report.slow.push((input, took));
        } else if pool.len() < 256 && rng.random_bool(0.05) && input.len() < 1 << 20 {
            pool.push(input);
        }
    }
    report
}

/// The regression inputs kept for `target` (files under tests/fixtures/fuzz/<name>/).
pub fn regressions(target: &Target) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = root().join("tests/fixtures/fuzz").join(target.name);
    let mut out: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap_or_default();
            (p, bytes)
        })
        .collect();
    out.sort();
    out
}

/// Writes a finding as a regression file; returns its path.
pub fn keep(target: &Target, input: &[u8]) -> PathBuf {
    let dir = root().join("tests/fixtures/fuzz").join(target.name);
    let _ = std::fs::create_dir_all(&dir);
    let name = format!("{:016x}", influence_rec::random::fnv1a64(input));
    let path = dir.join(name);
    let _ = std::fs::write(&path, input);
    path
}

/// Whether `path` is under the repository (for printing).
pub fn short(path: &Path) -> String {
    path.strip_prefix(root())
        .unwrap_or(path)
        .display()
        .to_string()
}
