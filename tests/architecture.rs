//! The module graph and its rules.
//!
//! Rooms are the top-level modules under `src/` (`src/mf/*.rs` is the room `mf`). A room
//! depends on another when its non-test code names `crate::<other>` (test code, from the
//! first `#[cfg(test)]` of a file on, is left out: fixtures may reach across). The rules:
//! - dependencies point one way: the graph of rooms has no cycle;
//! - math and model rooms (and the catalog, the session, the ranking and the evaluation)
//!   never name the byte format (`bundle`) or an edge (`cli`, `collector`, `wasm`).
//!
//! `cargo test --test architecture -- --nocapture` prints the graph, one room a line.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Rooms that must know nothing of the bundle format or the edges.
const PURE: &[&str] = &[
    "catalog",
    "category",
    "cohesion",
    "evaluation",
    "factor",
    "gbdt",
    "limiter",
    "mf",
    "model",
    "plan_table",
    "planner",
    "rank",
    "ranker",
    "session",
    "text",
    "topk",
];
/// The byte format and the edges.
const OUTER: &[&str] = &["bundle", "cli", "collector", "wasm"];

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

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
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in files {
        let Some(r) = room(&src, &f) else { continue };
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
