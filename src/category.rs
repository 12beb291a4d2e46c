//! Category inference from free text with an authored keyword lexicon (`data/categories.tsv`).
//!
//! Rule: the text is NFKC-normalised, case-folded and split into words (runs of letters,
//! digits and `_`; a `#tag` is a word). A word hits a keyword when it equals the keyword, or
//! when the keyword has four or more characters and the word starts with it (so `#fitnessgoals`
//! hits `fitness`, but `aim` does not hit `ai`). Each hit counts once per word occurrence. The
//! category with the most hits wins; a tie goes to the category listed first in the lexicon.
//! No hit at all gives no category.
//!
//! The rule runs as a matcher compiled once per lexicon (`Matcher`): a hash of every
//! keyword for the equal words, and a hash of the 4+ character keywords probed with each
//! word's prefixes (at most as many probes as the longest such keyword has characters), so a
//! word costs a few hash lookups instead of a comparison with every keyword in every language.
//! [`Lexicon::infer_by_scan`] keeps the rule's plain reading, and a test pins the two together.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::error::{Error, Location, Result};
use crate::text::key;

/// The lexicon compiled into the crate, so native and wasm builds infer identically.
pub const BUILTIN_LEXICON: &str = include_str!("../data/categories.tsv");

/// One category of the lexicon.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    /// Stable identifier, e.g. `fitness_sport`.
    pub slug: String,
    /// Human-readable label, e.g. `Fitness & Sport`.
    pub label: String,
    /// Other names a scrape may give the category (compared with [`key`]).
    pub aliases: Vec<String>,
    /// Keywords, already normalised with [`key`].
    pub keywords: Vec<String>,
    /// Keywords in other languages (Spanish, Portuguese, French, Italian, German), normalised;
    /// inference reads them like `keywords` (the synthetic generator does not).
    pub more_keywords: Vec<String>,
}

/// The result of inferring a category from text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inference {
    /// The winning category's slug.
    pub slug: String,
    /// Its keyword hits.
    pub hits: u32,
}

/// An ordered set of categories with their keywords.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Lexicon {
    categories: Vec<Category>,
    /// The keywords compiled for [`Lexicon::infer`] (derived from `categories`).
    matcher: Matcher,
}

/// The lexicon's keywords as hashes (see the module docs): the categories a keyword belongs
/// to, by the keyword, for equal words and, for keywords of 4+ characters, for prefixes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct Matcher {
    exact: HashMap<String, Vec<u32>>,
    prefix: HashMap<String, Vec<u32>>,
    /// The longest prefix keyword, in characters: no longer prefix is probed.
    max_prefix_chars: usize,
}

impl Matcher {
    fn new(categories: &[Category]) -> Self {
        let mut m = Matcher::default();
        for (ci, cat) in categories.iter().enumerate() {
            let ci = ci as u32;
            for kw in cat.keywords.iter().chain(&cat.more_keywords) {
                let add = |map: &mut HashMap<String, Vec<u32>>| {
                    let cats = map.entry(kw.clone()).or_default();
                    if !cats.contains(&ci) {
                        cats.push(ci);
                    }
                };
                add(&mut m.exact);
                let n = kw.chars().count();
                if n >= 4 {
                    add(&mut m.prefix);
                    m.max_prefix_chars = m.max_prefix_chars.max(n);
                }
            }
        }
        m
    }

    /// Calls `hit` once for each category `word` hits (a category may come up more than
    /// once; the caller counts it once per word).
    fn each_hit(&self, word: &str, mut hit: impl FnMut(u32)) {
        if let Some(cats) = self.exact.get(word) {
            cats.iter().for_each(|&c| hit(c));
        }
        // Prefixes of 4 to max_prefix_chars characters, ending on character boundaries.
        for (n, (end, c)) in word.char_indices().enumerate() {
            let chars = n + 1;
            if chars > self.max_prefix_chars {
                break;
            }
            if chars >= 4 {
                if let Some(cats) = self.prefix.get(&word[..end + c.len_utf8()]) {
                    cats.iter().for_each(|&c| hit(c));
                }
            }
        }
    }
}

impl Lexicon {
    /// Parses the tab-separated lexicon format; `source` names the input in errors.
    /// Lines starting with `#` and blank lines are skipped.
    pub fn parse(text: &str, source: &str) -> Result<Self> {
        let mut categories: Vec<Category> = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let at = Location::source(source).at_line(i as u64 + 1);
            let line = line.trim_end_matches('\r');
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let cols: Vec<&str> = line.split('\t').collect();
            if !(4..=5).contains(&cols.len()) {
                return Err(Error::malformed(
                    at,
                    format!(
                        "expected 4 or 5 tab-separated columns, found {}",
                        cols.len()
                    ),
                ));
            }
            let slug = cols[0].trim().to_string();
            if slug.is_empty() || categories.iter().any(|c| c.slug == slug) {
                return Err(Error::parse(
                    at.field("slug"),
                    "a unique, non-empty slug",
                    slug,
                ));
            }
            let list = |s: &str| -> Vec<String> {
                s.split(',')
                    .map(key)
                    .filter(|k| !k.is_empty())
                    .collect::<Vec<_>>()
            };
            let keywords = list(cols[3]);
            if keywords.is_empty() {
                return Err(Error::parse(
                    at.field("keywords"),
                    "at least one keyword",
                    cols[3],
                ));
            }
            categories.push(Category {
                slug,
                label: cols[1].trim().to_string(),
                aliases: list(cols[2]),
                keywords,
                more_keywords: cols.get(4).map(|c| list(c)).unwrap_or_default(),
            });
        }
        let matcher = Matcher::new(&categories);
        Ok(Lexicon {
            categories,
            matcher,
        })
    }

    /// The lexicon bundled with the crate (parsed once).
    pub fn builtin() -> &'static Lexicon {
        static LEX: OnceLock<Lexicon> = OnceLock::new();
        // A unit test asserts that the bundled file parses, so the fallback is never taken
        // in a tested build; it exists only so this function cannot panic.
        LEX.get_or_init(|| {
            Lexicon::parse(BUILTIN_LEXICON, "data/categories.tsv").unwrap_or_default()
        })
    }

    /// All categories, in lexicon order.
    pub fn categories(&self) -> &[Category] {
        &self.categories
    }

    /// The category with this slug.
    pub fn get(&self, slug: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.slug == slug)
    }

    /// Infers the category of `text` by keyword hits (see the module docs for the rule).
    ///
    /// ```
    /// let lex = influence_rec::category::Lexicon::builtin();
    /// let inf = lex.infer("Leg day at the gym 💪 #fitnessmotivation #running").unwrap();
    /// assert_eq!(inf.slug, "fitness_sport");
    /// assert_eq!(inf.hits, 3);
    /// ```
    pub fn infer(&self, text: &str) -> Option<Inference> {
        let mut hits = vec![0u32; self.categories.len()];
        // The last word that hit each category, so a word counts once per category.
        let mut last = vec![usize::MAX; self.categories.len()];
        let folded = key(text);
        for (w, word) in split_words(&folded).enumerate() {
            self.matcher.each_hit(word, |ci| {
                let ci = ci as usize;
                if last[ci] != w {
                    last[ci] = w;
                    hits[ci] += 1;
                }
            });
        }
        self.winner(&hits)
    }

    /// [`Lexicon::infer`] read off the rule as written: every word against every keyword of
    /// every category. The reference the compiled matcher is pinned to (tests, benchmark).
    #[doc(hidden)]
    pub fn infer_by_scan(&self, text: &str) -> Option<Inference> {
        let mut hits = vec![0u32; self.categories.len()];
        for word in split_words(&key(text)) {
            for (ci, cat) in self.categories.iter().enumerate() {
                if cat
                    .keywords
                    .iter()
                    .chain(&cat.more_keywords)
                    .any(|kw| word_hits(word, kw))
                {
                    hits[ci] += 1;
                }
            }
        }
        self.winner(&hits)
    }

    fn winner(&self, hits: &[u32]) -> Option<Inference> {
        // Strictly greater keeps the first-listed category on ties.
        let mut best: Option<usize> = None;
        for (ci, &h) in hits.iter().enumerate() {
            if h > 0 && best.is_none_or(|b| h > hits[b]) {
                best = Some(ci);
            }
        }
        best.map(|ci| Inference {
            slug: self.categories[ci].slug.clone(),
            hits: hits[ci],
        })
    }

    /// Maps a category name as a scrape gives it onto a slug: an exact slug, label or alias
    /// (compared with [`key`]) first, then inference from the name's words, else `None`.
    ///
    /// ```
    /// let lex = influence_rec::category::Lexicon::builtin();
    /// assert_eq!(lex.resolve("Sports with a ball").as_deref(), Some("fitness_sport"));
    /// assert_eq!(lex.resolve("BELLEZA").as_deref(), Some("beauty"));
    /// assert_eq!(lex.resolve("Undefined"), None);
    /// ```
    pub fn resolve(&self, name: &str) -> Option<String> {
        let k = key(name);
        if k.is_empty() {
            return None;
        }
        let slug_form = k.replace([' ', '-'], "_");
        for c in &self.categories {
            if c.slug == slug_form || key(&c.label) == k || c.aliases.contains(&k) {
                return Some(c.slug.clone());
            }
        }
        self.infer(name).map(|inf| inf.slug)
    }
}

/// The words of already folded text (runs of letters, digits and `_`).
fn split_words(folded: &str) -> impl Iterator<Item = &str> {
    folded
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
}

fn word_hits(word: &str, keyword: &str) -> bool {
    word == keyword || (keyword.chars().count() >= 4 && word.starts_with(keyword))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_lexicon_parses_with_all_required_categories() {
        let lex = Lexicon::parse(BUILTIN_LEXICON, "data/categories.tsv").expect("bundled lexicon");
        assert!(lex.categories().len() >= 22);
        for slug in [
            "fashion",
            "beauty",
            "fitness_sport",
            "food_cooking",
            "travel",
            "music",
            "gaming",
            "technology",
            "finance",
            "parenting_family",
            "pets",
            "art_design",
            "cars_motorcycles",
            "education",
            "science",
            "politics",
            "humor",
            "luxury_lifestyle",
            "real_estate",
            "nature",
            "business",
            "culture",
        ] {
            assert!(lex.get(slug).is_some(), "missing category {slug}");
        }
        assert_eq!(Lexicon::builtin(), &lex);
    }

    #[test]
    fn worked_example_counts_hits_per_word() {
        // "new recipe" -> recipe (food); "#veganbaking" starts with "vegan" (food);
        // "travel" (travel); "tips" nothing. food 2 hits, travel 1 -> food_cooking.
        let inf = Lexicon::builtin()
            .infer("New recipe! #veganbaking travel tips")
            .expect("some category");
        assert_eq!(
            inf,
            Inference {
                slug: "food_cooking".into(),
                hits: 2
            }
        );
    }

    #[test]
    fn ties_go_to_the_category_listed_first() {
        let lex = Lexicon::parse("b\tB\t\tapple\na\tA\t\tpear\n", "<test>").expect("parses");
        assert_eq!(
            lex.infer("pear apple").map(|i| i.slug),
            Some("b".to_string())
        );
        assert_eq!(
            lex.infer("pear pear apple").map(|i| i.slug),
            Some("a".to_string())
        );
        assert_eq!(lex.infer("nothing here"), None);
    }

    #[test]
    fn keywords_in_other_languages_count_like_the_first_list() {
        let lex = Lexicon::parse("food\tFood\t\trecipe\treceta,rezept\n", "<t>").expect("parses");
        assert_eq!(lex.infer("Recetas de la abuela").map(|i| i.hits), Some(1));
        assert_eq!(lex.infer("Rezepte und recipes").map(|i| i.hits), Some(2));
        assert_eq!(
            lex.categories()[0].keywords,
            ["recipe"],
            "the first list is unchanged"
        );
    }

    #[test]
    fn short_keywords_match_only_whole_words() {
        let lex = Lexicon::parse("t\tT\t\tai\n", "<t>").expect("parses");
        assert_eq!(lex.infer("aim high"), None);
        assert!(lex.infer("AI tools").is_some());
    }

    #[test]
    fn bad_lexicon_lines_name_the_line() {
        let err = Lexicon::parse("# c\nx\tX\n", "cats.tsv").unwrap_err();
        assert_eq!(
            err.to_string(),
            "cats.tsv:2: expected 4 or 5 tab-separated columns, found 2"
        );
        let err = Lexicon::parse("x\tX\t\tk\tm\textra\n", "cats.tsv").unwrap_err();
        assert!(err.to_string().ends_with("found 6"), "{err}");
        let err = Lexicon::parse("x\tX\t\t\n", "cats.tsv").unwrap_err();
        assert!(
            err.to_string().starts_with("cats.tsv:1 field `keywords`"),
            "{err}"
        );
    }

    #[test]
    fn the_compiled_matcher_infers_what_the_scan_does() {
        let lex = Lexicon::builtin();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut texts: Vec<String> = Vec::new();
        for file in [
            "tests/fixtures/bios_labelled.tsv",
            "data/raw/influencer_posts.csv",
        ] {
            let text = std::fs::read_to_string(root.join(file)).expect(file);
            texts.extend(text.lines().map(str::to_string));
        }
        // The rule's edges: short keywords only whole, long ones as prefixes, accents and
        // scripts folded, a keyword longer than any word, words of one to many characters.
        texts.extend(
            [
                "aim ai ais aiming",
                "fitnessgoals fit fitn fitne",
                "#ModeFemme #mode",
                "Ｆｉｔｎｅｓｓ",
                "naïve café CAFÉ",
                "a b c",
                "",
                "🙂 ✨",
                "gym gymnastics gymrat",
                "photographyphotography",
                "ＭＵＳＩＣ musicvideo musica música",
                "_ __ ___",
            ]
            .map(str::to_string),
        );
        // Every keyword, each keyword doubled and cut, so every prefix length is probed.
        for cat in lex.categories() {
            for kw in cat.keywords.iter().chain(&cat.more_keywords) {
                let cut: String = kw
                    .chars()
                    .take(kw.chars().count().saturating_sub(1))
                    .collect();
                texts.push(format!("{kw} {kw}{kw} {cut} #{kw}s x{kw}"));
            }
        }
        assert!(texts.len() > 9_000);
        for t in &texts {
            assert_eq!(lex.infer(t), lex.infer_by_scan(t), "{t:?}");
        }
    }
}
