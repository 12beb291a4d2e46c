//! The file-level rules: no import cycle between files, models that never reach their
//! trainers, server-only rooms compiled natively, and files of a readable length.
//!
//! A file's module path is its place under `src/` (`src/mf/train/mod.rs` is `mf::train`,
//! `src/lib.rs` the root). Its code (up to the first `#[cfg(test)]`; a `tests.rs` file is all
//! test code) names other modules through paths starting with `crate::`, `super::`, `self::`
//! or one of its own child modules. Each path resolves to the deepest module that has a file;
//! when the next segment is a name that module only re-exports (`pub use x::Name`), it
//! resolves on to the file that defines the name, so a facade (`mf/mod.rs` re-exporting
//! `train::LightFm`) is not a dependency of the files whose names it passes on. Comments and
//! string literals are not code.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// A module path (`["mf", "train"]`).
pub type ModPath = Vec<String>;

/// Inference models: these files and everything they name must never reach a trainer.
pub const MODEL_FILES: &[&str] = &[
    "gbdt::explain",
    "gbdt::flat",
    "gbdt::model",
    "gbdt::text",
    "mf::features",
    "mf::model",
    "mf::stored",
    "ranker",
];

/// Rooms only servers and the CLI use: `src/lib.rs` declares them for native targets only,
/// so the page's wasm module never carries them.
pub const NATIVE_ONLY: &[&str] = &["cli", "collector", "generate"];

/// Longest source file, in lines.
pub const MAX_LINES: usize = 800;
/// Longest page script.
pub const MAX_APP_JS_LINES: usize = 450;

/// Code without comments and with string and char literals blanked (their quotes kept), so
/// neither a doc link nor a URL in a string counts as a path.
pub fn strip(code: &str) -> String {
    let c: Vec<char> = code.chars().collect();
    let mut out = String::with_capacity(code.len());
    let mut i = 0;
    while i < c.len() {
        let next = c.get(i + 1).copied();
        if c[i] == '/' && next == Some('/') {
            while i < c.len() && c[i] != '\n' {
                i += 1;
            }
        } else if c[i] == '/' && next == Some('*') {
            i += 2;
            while i + 1 < c.len() && !(c[i] == '*' && c[i + 1] == '/') {
                i += 1;
            }
            i += 2;
        } else if c[i] == 'r'
            && (next == Some('"') || next == Some('#'))
            && !c[..i]
                .last()
                .is_some_and(|p| p.is_alphanumeric() || *p == '_')
        {
            // Raw string r"..." or r#"..."#.
            let mut j = i + 1;
            let mut hashes = 0;
            while c.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if c.get(j) != Some(&'"') {
                out.push(c[i]);
                i += 1;
                continue;
            }
            j += 1;
            loop {
                if j >= c.len() {
                    break;
                }
                if c[j] == '"' && (0..hashes).all(|h| c.get(j + 1 + h) == Some(&'#')) {
                    j += 1 + hashes;
                    break;
                }
                j += 1;
            }
            out.push_str("\"\"");
            i = j;
        } else if c[i] == '"' {
            i += 1;
            while i < c.len() && c[i] != '"' {
                if c[i] == '\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
            out.push_str("\"\"");
        } else if c[i] == '\'' {
            // A char literal ('x', '\n', '\u{..}') or a lifetime ('a).
            if next == Some('\\') {
                let mut j = i + 2;
                while j < c.len() && c[j] != '\'' {
                    j += 1;
                }
                i = j + 1;
                out.push_str("' '");
            } else if c.get(i + 2) == Some(&'\'') {
                i += 3;
                out.push_str("' '");
            } else {
                out.push('\'');
                i += 1;
            }
        } else {
            out.push(c[i]);
            i += 1;
        }
    }
    out
}

/// The paths of a use-tree, each with its `as` alias.
pub type UseTree = Vec<(Vec<String>, Option<String>)>;

/// Every full path of a use-tree starting at `s` (`a::{b, c::{d, e}}` gives `a::b`,
/// `a::c::d`, `a::c::e`); `as` renames are kept as the last segment's alias in `.1`. Also
/// the number of chars the tree takes.
pub fn use_tree(s: &str) -> (UseTree, usize) {
    fn parse(s: &[char], i: &mut usize, prefix: &[String], out: &mut UseTree) {
        let mut path = prefix.to_vec();
        loop {
            while *i < s.len() && s[*i].is_whitespace() {
                *i += 1;
            }
            if *i < s.len() && s[*i] == '{' {
                *i += 1;
                loop {
                    parse(s, i, &path, out);
                    while *i < s.len() && s[*i].is_whitespace() {
                        *i += 1;
                    }
                    match s.get(*i) {
                        Some(',') => {
                            *i += 1;
                            // A trailing comma before the closing brace.
                            while *i < s.len() && s[*i].is_whitespace() {
                                *i += 1;
                            }
                            if s.get(*i) == Some(&'}') {
                                *i += 1;
                                return;
                            }
                        }
                        Some('}') => {
                            *i += 1;
                            return;
                        }
                        _ => return,
                    }
                }
            }
            let start = *i;
            while *i < s.len() && (s[*i].is_alphanumeric() || s[*i] == '_' || s[*i] == '*') {
                *i += 1;
            }
            let seg: String = s[start..*i].iter().collect();
            if seg.is_empty() {
                if path.len() > prefix.len() {
                    out.push((path, None));
                }
                return;
            }
            path.push(seg);
            if s.get(*i) == Some(&':') && s.get(*i + 1) == Some(&':') {
                *i += 2;
                continue;
            }
            // ` as Alias`?
            let rest: String = s[*i..s.len().min(*i + 64)].iter().collect();
            let t = rest.trim_start();
            let alias = t.strip_prefix("as ").map(|a| {
                a.trim_start()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect::<String>()
            });
            if let Some(a) = &alias {
                let skip = rest.len() - t.len() + 3;
                *i += skip;
                while *i < s.len() && s[*i].is_whitespace() {
                    *i += 1;
                }
                *i += a.len();
            }
            out.push((path, alias));
            return;
        }
    }
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut used = 0;
    parse(&chars, &mut used, &[], &mut out);
    (out, used)
}

/// Every file under `dir` whose extension is one of `exts`, in sorted path order, not looking
/// inside folders named in `skip` (the one directory walk of the architecture tests).
pub fn source_files(dir: &Path, exts: &[&str], skip: &[&str]) -> Vec<std::path::PathBuf> {
    fn walk(dir: &Path, exts: &[&str], skip: &[&str], out: &mut Vec<std::path::PathBuf>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                if !skip.iter().any(|s| p.ends_with(s)) {
                    walk(&p, exts, skip, out);
                }
            } else if exts.iter().any(|x| p.extension().is_some_and(|e| e == *x)) {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, exts, skip, &mut out);
    out
}

/// The modules: module path -> code (test code removed). `src` is read from disk.
pub fn modules(src: &Path) -> BTreeMap<ModPath, String> {
    let mut out = BTreeMap::new();
    for p in source_files(src, &["rs"], &[]) {
        let rel = p.strip_prefix(src).expect("under src");
        let mut m: ModPath = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().to_string())
            .collect();
        let stem = m.pop().unwrap_or_default();
        let stem = stem.trim_end_matches(".rs");
        if stem == "tests" || stem == "main" {
            continue; // test code; the binary's entry point
        }
        if stem != "mod" && stem != "lib" {
            m.push(stem.to_string());
        }
        let text = std::fs::read_to_string(&p).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap_or("").to_string();
        out.insert(m, code);
    }
    out
}

/// Child modules a module declares (`mod x;`, `pub mod x;`).
fn children(code: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in code.lines() {
        let t = line.trim_start();
        let t = t.strip_prefix("pub ").unwrap_or(t);
        let t = t.strip_prefix("pub(crate) ").unwrap_or(t);
        if let Some(rest) = t.strip_prefix("mod ") {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if rest[name.len()..].trim_start().starts_with(';') {
                out.insert(name);
            }
        }
    }
    out
}

/// The paths a module's code names, made absolute (each with its alias when a `pub use`
/// renames it, and whether it is a `pub use` re-export).
pub fn named_paths(module: &[String], code: &str) -> Vec<(ModPath, Option<String>, bool)> {
    let code = strip(code);
    let kids = children(&code);
    let chars: Vec<char> = code.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let boundary = i == 0
            || !(chars[i - 1].is_alphanumeric() || chars[i - 1] == '_' || chars[i - 1] == ':');
        if !boundary || !(chars[i].is_alphabetic() || chars[i] == '_') {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
            i += 1;
        }
        let word: String = chars[start..i].iter().collect();
        let is_path = chars.get(i) == Some(&':') && chars.get(i + 1) == Some(&':');
        if !is_path
            || !(word == "crate" || word == "super" || word == "self" || kids.contains(&word))
        {
            continue;
        }
        // Is this path the tree of a `pub use`?
        let line_start = chars[..start]
            .iter()
            .rposition(|&c| c == '\n' || c == ';' || c == '{' || c == '}')
            .map_or(0, |p| p + 1);
        let before: String = chars[line_start..start].iter().collect();
        let reexport =
            before.trim().starts_with("pub use") || before.trim().starts_with("pub(crate) use");
        let rest: String = chars[start..].iter().take(4000).collect();
        let (tree, used) = use_tree(&rest);
        for (p, alias) in tree {
            let mut abs: ModPath = match p[0].as_str() {
                "crate" => Vec::new(),
                "self" => module.to_vec(),
                "super" => module[..module.len().saturating_sub(1)].to_vec(),
                _ => {
                    let mut m = module.to_vec();
                    m.push(p[0].clone());
                    m
                }
            };
            let mut k = 1;
            while p.get(k).map(String::as_str) == Some("super") {
                abs.pop();
                k += 1;
            }
            abs.extend(p[k..].iter().cloned());
            out.push((abs, alias, reexport));
        }
        // Skip the tree just read: the next path starts after it.
        i = start + used.max(word.len());
    }
    out
}

/// The file graph: module -> modules its code depends on.
pub fn file_graph(mods: &BTreeMap<ModPath, String>) -> BTreeMap<ModPath, BTreeSet<ModPath>> {
    // Re-exports: (module, name) -> the absolute path it stands for.
    let named: BTreeMap<ModPath, Vec<(ModPath, Option<String>, bool)>> = mods
        .iter()
        .map(|(m, code)| (m.clone(), named_paths(m, code)))
        .collect();
    let mut reexports: BTreeMap<(ModPath, String), ModPath> = BTreeMap::new();
    for (m, paths) in &named {
        for (p, alias, re) in paths {
            if *re {
                if let Some(last) = alias.clone().or_else(|| p.last().cloned()) {
                    if last != "*" && last != "self" {
                        reexports.insert((m.clone(), last), p.clone());
                    }
                }
            }
        }
    }
    let resolve = |p: &ModPath| -> ModPath {
        let mut p = p.clone();
        for _ in 0..16 {
            // The deepest module of `p` that has a file.
            let mut depth = 0;
            while depth < p.len() && mods.contains_key(&p[..=depth].to_vec()) {
                depth += 1;
            }
            let module = p[..depth].to_vec();
            match p
                .get(depth)
                .and_then(|name| reexports.get(&(module.clone(), name.clone())))
            {
                Some(target) if target != &p => {
                    let mut next = target.clone();
                    next.extend(p[depth + 1..].iter().cloned());
                    p = next;
                }
                _ => return module,
            }
        }
        p
    };
    let mut g: BTreeMap<ModPath, BTreeSet<ModPath>> = BTreeMap::new();
    for (m, paths) in &named {
        let deps = g.entry(m.clone()).or_default();
        for (p, _, _) in paths {
            let target = resolve(p);
            if &target != m {
                deps.insert(target);
            }
        }
    }
    g
}

/// Every module `from` reaches (not counting itself).
pub fn reach(g: &BTreeMap<ModPath, BTreeSet<ModPath>>, from: &ModPath) -> BTreeSet<ModPath> {
    let mut seen = BTreeSet::new();
    let mut stack = vec![from.clone()];
    while let Some(n) = stack.pop() {
        for d in g.get(&n).into_iter().flatten() {
            if seen.insert(d.clone()) {
                stack.push(d.clone());
            }
        }
    }
    seen
}

/// A trainer's module: `train` is one of its segments.
pub fn is_trainer(m: &ModPath) -> bool {
    m.iter().any(|s| s == "train")
}

pub fn show(m: &ModPath) -> String {
    if m.is_empty() {
        "crate".into()
    } else {
        m.join("::")
    }
}

pub fn parse_mod(s: &str) -> ModPath {
    s.split("::").map(String::from).collect()
}
