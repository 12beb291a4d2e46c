//! The module graph and its rules.
//!
//! Rooms are the top-level modules under `src/` (`src/mf/*.rs` is the room `mf`). A room
//! depends on another when its non-test code names `crate::<other>` (test code, from the
//! first `#[cfg(test)]` of a file on, is left out: fixtures may reach across). The rules:
//! - dependencies point one way: the graph of rooms has no cycle;
//! - math and model rooms (and the catalog, the session, the ranking and the evaluation)
//!   never name the byte format (`bundle`) or an edge (`cli`, `collector`, `wasm`).
//!
//! Files have rules of their own ([`files`]):
//! - the graph of files has no cycle either: a file depends on the files whose items its
//!   non-test code names (`crate::`, `super::`, `self::` and child-module paths, resolved
//!   through a facade's `pub use` to the file that defines the item);
//! - an inference model's files never reach a trainer's, directly or through others;
//! - the rooms only servers use are compiled natively (not into the page's wasm module);
//! - no source file (crate, page, tests, benchmarks) is over 800 lines, and the page's
//!   `www/app.js` is at most 450.
//!
//! `cargo test --test architecture -- --nocapture` prints the graph, one room a line.

#[path = "architecture/files.rs"]
mod files;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Rooms that must know nothing of the bundle format or the edges.
const PURE: &[&str] = &[
    "catalog",
    "category",
    "cohesion",
    "dates",
    "evaluation",
    "factor",
    "gbdt",
    "mf",
    "model",
    "plan_table",
    "planner",
    "price",
    "rank",
    "ranker",
    "session",
    "sorting",
    "text",
    "topk",
];
/// The byte format and the edges.
const OUTER: &[&str] = &["bundle", "cli", "collector", "wasm"];

/// The room of a file: the first path component under `src/`, without `.rs`.
fn room(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).ok()?;
    let first = rel.components().next()?.as_os_str().to_string_lossy();
    let name = first.trim_end_matches(".rs").to_string();
    (name != "lib" && name != "main").then_some(name)
}

/// Names of rooms a piece of code refers to as `crate::name` or `crate::{a, b::c}`.
fn referenced(code: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let before = rest[..at].chars().last();
        rest = &rest[at + "crate::".len()..];
        // `influence_rec::crate::` cannot occur; skip identifiers ending in `crate`.
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            // Top-level names of the group: split on commas at brace depth 0.
            let mut depth = 0;
            let mut item = String::new();
            for ch in group.chars() {
                match ch {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        push_head(&item, &mut out);
                        item.clear();
                        continue;
                    }
                    _ => {}
                }
                item.push(ch);
            }
            push_head(&item, &mut out);
        } else {
            push_head(rest, &mut out);
        }
    }
    out
}

fn push_head(path: &str, out: &mut BTreeSet<String>) {
    let head: String = path
        .trim_start()
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    if !head.is_empty() && head != "self" {
        out.insert(head);
    }
}

/// room -> rooms it depends on.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let files = files::source_files(&src, &["rs"], &[]);
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in files {
        let Some(r) = room(&src, &f) else { continue };
        if f.file_stem().is_some_and(|s| s == "tests") {
            continue; // all test code, as in files::modules
        }
        let text = std::fs::read_to_string(&f).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap_or("");
        let deps = g.entry(r.clone()).or_default();
        for d in referenced(code) {
            if d != r {
                deps.insert(d);
            }
        }
    }
    g
}

/// A cycle in `g`, if there is one (depth-first search with colours).
fn find_cycle(g: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        n: &str,
        g: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(n.to_string(), 1);
        stack.push(n.to_string());
        for d in g.get(n).into_iter().flatten() {
            match state.get(d.as_str()).copied().unwrap_or(0) {
                1 => {
                    let from = stack.iter().position(|x| x == d).unwrap_or(0);
                    let mut c = stack[from..].to_vec();
                    c.push(d.clone());
                    return Some(c);
                }
                0 => {
                    if let Some(c) = visit(d, g, state, stack) {
                        return Some(c);
                    }
                }
                _ => {}
            }
        }
        stack.pop();
        state.insert(n.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for n in g.keys() {
        if state.get(n.as_str()).copied().unwrap_or(0) == 0 {
            let mut stack = Vec::new();
            if let Some(c) = visit(n, g, &mut state, &mut stack) {
                return Some(c);
            }
        }
    }
    None
}

#[test]
fn the_graph_is_printed_and_complete() {
    let g = graph();
    for (room, deps) in &g {
        println!(
            "{room} -> {}",
            deps.iter().cloned().collect::<Vec<_>>().join(", ")
        );
    }
    for r in ["bundle", "cli", "cohesion", "gbdt", "mf", "rank", "ranker"] {
        assert!(g.contains_key(r), "room {r} not found: {g:?}");
    }
}

#[test]
fn pure_rooms_do_not_name_the_format_or_an_edge() {
    let g = graph();
    let mut bad = Vec::new();
    for (room, deps) in &g {
        if PURE.contains(&room.as_str()) {
            for d in deps {
                if OUTER.contains(&d.as_str()) {
                    bad.push(format!("{room} -> {d}"));
                }
            }
        }
    }
    assert!(
        bad.is_empty(),
        "pure rooms import the format or an edge: {bad:?}"
    );
}

#[test]
fn the_room_graph_has_no_cycle() {
    let g = graph();
    assert_eq!(find_cycle(&g), None, "a cycle among rooms");
}

#[test]
fn the_checker_sees_imports_and_cycles() {
    // The parser: plain paths, groups with nested braces, and identifiers ending in `crate`.
    let code = "use crate::{bundle::Bundle, mf::{a, b}, self};\nlet x = crate::rank::top_k(s);\nnotcrate::cli::x";
    let got: Vec<String> = referenced(code).into_iter().collect();
    assert_eq!(got, ["bundle", "mf", "rank"]);
    // The cycle finder: a -> b -> c -> a is found, a DAG is not.
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    g.entry("a".into()).or_default().insert("b".into());
    g.entry("b".into()).or_default().insert("c".into());
    g.entry("c".into()).or_default();
    assert_eq!(find_cycle(&g), None);
    g.entry("c".into()).or_default().insert("a".into());
    assert_eq!(
        find_cycle(&g),
        Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
    );
}

fn src_modules() -> BTreeMap<files::ModPath, String> {
    files::modules(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"))
}

#[test]
fn the_file_graph_has_no_cycle() {
    let g = files::file_graph(&src_modules());
    // The cycle finder works on names.
    let named: BTreeMap<String, BTreeSet<String>> = g
        .iter()
        .map(|(m, d)| (files::show(m), d.iter().map(files::show).collect()))
        .collect();
    for r in ["mf::model", "gbdt::text", "collector::wire", "collector"] {
        assert!(named.contains_key(r), "file {r} not found");
    }
    assert_eq!(find_cycle(&named), None, "a cycle among files");
}

#[test]
fn models_never_reach_their_trainers() {
    let g = files::file_graph(&src_modules());
    for m in files::MODEL_FILES {
        let m = files::parse_mod(m);
        assert!(
            g.contains_key(&m),
            "model file {} not found",
            files::show(&m)
        );
        let bad: Vec<String> = files::reach(&g, &m)
            .iter()
            .filter(|d| files::is_trainer(d))
            .map(files::show)
            .collect();
        assert!(
            bad.is_empty(),
            "{} reaches trainers: {bad:?}",
            files::show(&m)
        );
    }
}

#[test]
fn server_only_rooms_are_native_only() {
    let lib =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs")).unwrap();
    for room in files::NATIVE_ONLY {
        let decl = format!("pub mod {room};");
        let at = lib
            .find(&decl)
            .unwrap_or_else(|| panic!("src/lib.rs does not declare {room}"));
        let before = lib[..at].trim_end().lines().last().unwrap_or("");
        assert_eq!(
            before.trim(),
            "#[cfg(not(target_arch = \"wasm32\"))]",
            "{room} is compiled into the wasm module"
        );
    }
    // No pure room names a server-only one.
    let g = graph();
    for (room, deps) in &g {
        if files::NATIVE_ONLY.contains(&room.as_str()) || OUTER.contains(&room.as_str()) {
            continue;
        }
        for d in deps {
            assert!(
                !files::NATIVE_ONLY.contains(&d.as_str()),
                "{room} (compiled for wasm) names the native-only {d}"
            );
        }
    }
}

#[test]
fn source_files_are_of_a_readable_length() {
    // Every source file of the crate, the page, the tests and the benchmarks (fixtures,
    // screenshots and installed packages are data, not source).
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let files: Vec<_> = ["src", "www", "tests", "benches"]
        .iter()
        .flat_map(|dir| {
            files::source_files(
                &root.join(dir),
                &["rs", "js", "mjs", "py", "sh", "css", "html"],
                &["fixtures", "node_modules", "screenshots"],
            )
        })
        .collect();
    assert!(files.len() > 100, "{} files found", files.len());
    let mut long = Vec::new();
    for f in &files {
        let n = std::fs::read_to_string(f).unwrap().lines().count();
        let max = if f.ends_with("www/app.js") {
            files::MAX_APP_JS_LINES
        } else {
            files::MAX_LINES
        };
        if n > max {
            long.push(format!("{} has {n} lines (at most {max})", f.display()));
        }
    }
    assert!(long.is_empty(), "{long:#?}");
}

#[test]
fn the_file_checker_resolves_facades_and_finds_cycles() {
    // Comments and strings are not code.
    assert_eq!(
        files::strip("a // crate::x\n\"crate::y\" r#\"crate::z\"# '\"' b"),
        "a \n\"\" \"\" ' ' b"
    );
    let (tree, used) = files::use_tree("crate::{a::b, c::{self, d as e}};");
    let paths: Vec<String> = tree.iter().map(|(p, _)| p.join("::")).collect();
    assert_eq!(paths, ["crate::a::b", "crate::c::self", "crate::c::d"]);
    assert_eq!(tree[2].1.as_deref(), Some("e"));
    assert_eq!(used, "crate::{a::b, c::{self, d as e}}".len());
    // m/mod.rs re-exports train::T, model::M and ids::X; model names `crate::m::X` and train
    // names `crate::m::M`, both through the facade: model -> ids, train -> model, no cycle.
    let m = |s: &str| files::parse_mod(s);
    let mut mods: BTreeMap<files::ModPath, String> = BTreeMap::new();
    mods.insert(vec![], "pub mod m;".into());
    mods.insert(
        m("m"),
        "pub mod ids;\npub mod model;\npub mod train;\npub use train::T;\npub use model::M;\npub use ids::X;\npub struct Y;"
            .into(),
    );
    mods.insert(m("m::ids"), "pub struct X;".into());
    mods.insert(m("m::model"), "use crate::m::X;\npub struct M;".into());
    mods.insert(m("m::train"), "use crate::m::M;\npub struct T;".into());
    let g = files::file_graph(&mods);
    assert_eq!(g[&m("m::train")], BTreeSet::from([m("m::model")]));
    assert_eq!(g[&m("m::model")], BTreeSet::from([m("m::ids")]));
    assert!(!files::reach(&g, &m("m::model"))
        .iter()
        .any(files::is_trainer));
    let named = |g: &BTreeMap<files::ModPath, BTreeSet<files::ModPath>>| -> BTreeMap<String, BTreeSet<String>> {
        g.iter()
            .map(|(k, d)| (files::show(k), d.iter().map(files::show).collect()))
            .collect()
    };
    assert_eq!(find_cycle(&named(&g)), None);
    // An item the facade defines itself is a dependency on the facade, and the facade
    // depends on what it re-exports: model -> m -> model is a cycle.
    mods.insert(m("m::model"), "use crate::m::Y;\npub struct M;".into());
    assert!(find_cycle(&named(&files::file_graph(&mods))).is_some());
    // The model naming its trainer (through the facade) is seen, and so is the cycle it makes.
    mods.insert(m("m::model"), "use crate::m::{X, T};\npub struct M;".into());
    let g = files::file_graph(&mods);
    assert!(files::reach(&g, &m("m::model")).contains(&m("m::train")));
    assert!(find_cycle(&named(&g)).is_some());
    // `super::` and child paths resolve too.
    mods.insert(
        m("m::model"),
        "fn f() { super::train::g() }\npub struct M;".into(),
    );
    let g = files::file_graph(&mods);
    assert!(g[&m("m::model")].contains(&m("m::train")));
}
