//! The name key is one function in three places: Rust's `text::key` (the catalog, the
//! collector), and `www/key.js` (the page and the widget). Both are checked against one table
//! of hostile names, `tests/fixtures/name_keys.json`: this test for Rust,
//! `tests/e2e/key.test.mjs` for the JavaScript. `UPDATE_NAME_KEYS=1 cargo test --test
//! name_keys` rewrites the keys from Rust's (then read the diff: a changed key changes which
//! brand a stored row names).

use influence_rec::text::key;

/// Names that look alike or hide characters: every Unicode White_Space kind, the characters
/// where JavaScript's `\s` and Rust's `White_Space` disagree (U+0085, U+FEFF, U+180E), zero
/// widths and joiners, bidirectional overrides, compatibility forms NFKC folds, case
/// mappings that change length or depend on context, and lone marks.
const NAMES: &[&str] = &[
    "Atlas Co",
    "  Atlas   Co  ",
    "ATLAS CO",
    "Atlas\tCo\n",
    "Atlas\u{0085}Co",
    "Atlas\u{00A0}Co",
    "Atlas\u{1680}Co",
    "Atlas\u{2000}\u{2001}\u{2002}\u{2003}\u{2004}\u{2005}\u{2006}\u{2007}\u{2008}\u{2009}\u{200A}Co",
    "Atlas\u{2028}Co\u{2029}",
    "Atlas\u{202F}Co\u{205F}\u{3000}",
    "Atlas\u{000B}\u{000C}\u{000D}Co",
    "Atlas\u{FEFF}Co",
    "\u{FEFF}Atlas Co",
    "Atlas\u{180E}Co",
    "Atlas\u{200B} Co",
    "Atlas\u{200C}\u{200D}Co",
    "Atlas\u{00AD}Co",
    "Atlas\u{2060}Co",
    "\u{202E}oC saltA",
    "\u{202D}Atlas Co\u{202C}",
    "Atlаs Co",
    "Atlas Сo",
    "Αtlas Co",
    "Atlas Cօ",
    "Atlas Co\u{E0041}",
    "ＡＴＬＡＳ　ＣＯ",
    "ﬁne ﬂowers",
    "Ⅻ Studio",
    "㍿ Holdings",
    "İstanbul Moda",
    "ΟΔΥΣΣΕΥΣ",
    "Σ",
    "Straße",
    "ǅemal",
    "Cafe\u{0301}",
    "Café",
    "e\u{0301}\u{0301}",
    "\u{0301}",
    "👩‍👩‍👧 Family",
    "",
    " \t\n ",
    "\u{0085}",
    "a\u{0000}b",
];

fn fixture() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/name_keys.json")
}

#[test]
fn rust_keys_match_the_shared_table() {
    let rows: Vec<serde_json::Value> = NAMES
        .iter()
        .map(|n| serde_json::json!({ "name": n, "key": key(n) }))
        .collect();
    if std::env::var_os("UPDATE_NAME_KEYS").is_some() {
        let text = serde_json::to_string_pretty(&rows).unwrap() + "\n";
        std::fs::write(fixture(), text).unwrap();
    }
    let stored: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(fixture()).unwrap()).unwrap();
    assert_eq!(
        stored.len(),
        NAMES.len(),
        "the table and NAMES differ in length"
    );
    for (row, name) in stored.iter().zip(NAMES) {
        assert_eq!(row["name"], *name, "the table's names are NAMES, in order");
        assert_eq!(row["key"], key(name), "key of {name:?}");
    }
}

/// The batched keys (one call into the platform's normalisation for all non-ASCII names)
/// equal one key per name, for the whole table at once, for the names without a line feed
/// (the browser's joined path), and for names that differ only around where the joins fall:
/// a lone combining mark right after a name, a final sigma before the next one.
#[test]
fn batched_keys_equal_one_key_per_name() {
    use influence_rec::text::keys;
    let one_by_one = |names: &[&str]| names.iter().map(|n| key(n)).collect::<Vec<_>>();
    assert_eq!(keys(NAMES), one_by_one(NAMES));
    let no_line_feed: Vec<&str> = NAMES
        .iter()
        .copied()
        .filter(|n| !n.contains('\n'))
        .collect();
    assert_eq!(keys(&no_line_feed), one_by_one(&no_line_feed));
    let seams = ["ΟΔΥΣΣΕΥΣ", "Σ", "\u{0301}", "Cafe", "\u{0301}x", "é", "ǅ"];
    assert_eq!(keys(&seams), one_by_one(&seams));
    assert_eq!(keys(&[]), Vec::<String>::new());
}
