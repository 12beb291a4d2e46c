//! Accounts, not pages: which scraped "accounts" are explore or hashtag pages (left out), and
//! whether an account is a creator, a brand or a medium.
//!
//! Scrapers that walk a hashtag write the hashtag's page sections ("Top Posts", "Recent
//! posts") in the owner column of the posts they list; those are not anyone's account. Among
//! real accounts, brands, shops and media outlets post under the same hashtags as creators.
//! The kind comes from the platform's own business category when the export has one
//! (Instagram's `businessCategoryName`: "Shopping & Retail", "Media/News Company",
//! "Creators & Celebrities", ...), otherwise from words in the name and bio. A business-account
//! flag alone says nothing: many creators switch to business accounts for their insights.

use crate::model::AccountKind;

/// Section names of explore and hashtag pages, as keys ([`key`]: case, spaces and
/// punctuation folded), in the lexicon's languages.
const PAGE_NAMES: &[&str] = &[
    "topposts",
    "toppost",
    "recentposts",
    "mostrecent",
    "recent",
    "top",
    "explore",
    "hashtag",
    "reels",
    "publicacionesprincipales",
    "publicacionesmasrecientes",
    "masrecientes",
    "publicacoesprincipais",
    "maisrecentes",
    "meilleurespublications",
    "publicationsrecentes",
    "piurecenti",
    "postpopolari",
    "beitrage",
    "topbeitrage",
    "neuestebeitrage",
    "aktuellstebeitrage",
];

/// Why an account name is not an account, or `None` when it is one.
pub(super) fn page_reason(name: &str) -> Option<&'static str> {
    let trimmed = name.trim();
    if trimmed.is_empty() || !trimmed.chars().any(char::is_alphanumeric) {
        return Some("rows without a usable handle");
    }
    if trimmed.starts_with('#') {
        return Some("hashtag pages");
    }
    // Case, accents, spaces and punctuation folded: "Top Posts", "top_posts", "Beiträge".
    let folded = crate::places::place_key(trimmed).replace(' ', "");
    PAGE_NAMES
        .contains(&folded.as_str())
        .then_some("explore pages")
}

/// Words of a platform business category, by kind (matched as substrings of its key).
const MEDIA_CATEGORIES: &[&str] = &[
    "media",
    "news",
    "publisher",
    "magazine",
    "newspaper",
    "broadcast",
    "tv",
    "radio",
    "journal",
];
const BRAND_CATEGORIES: &[&str] = &[
    "shopping",
    "retail",
    "store",
    "shop",
    "brand",
    "company",
    "product",
    "clothing",
    "restaurant",
    "business",
    "service",
    "merchandise",
    "cosmetics",
    "grocery",
    "hotel",
    "agency",
];
const CREATOR_CATEGORIES: &[&str] = &[
    "creator",
    "celebrit",
    "public figure",
    "blogger",
    "personal blog",
    "artist",
    "athlete",
    "musician",
    "actor",
    "model",
    "gamer",
    "photographer",
    "writer",
    "chef",
    "coach",
    "video creator",
];

/// Phrases of a bio that sell or report rather than create, by kind (in the lexicon's
/// languages; matched on the place key, so accents and case do not matter).
const BRAND_BIO: &[&str] = &[
    "shop now",
    "online store",
    "online shop",
    "official store",
    "free shipping",
    "worldwide shipping",
    "we ship",
    "order now",
    "dm to order",
    "tienda online",
    "envios a todo",
    "envio gratis",
    "loja online",
    "frete gratis",
    "boutique en ligne",
    "livraison offerte",
    "negozio online",
    "spedizione gratuita",
    "versandkostenfrei",
    "onlineshop",
];
const MEDIA_BIO: &[&str] = &[
    "breaking news",
    "news and",
    "latest news",
    "daily news",
    "magazine",
    "revista",
    "noticias",
    "noticia",
    "journal officiel",
    "actualites",
    "notizie",
    "nachrichten",
    "zeitschrift",
    "official page of",
    "fan page",
    "fanpage",
    "fan account",
];
/// Handle endings of outlets and shops ("vogueparis_mag", "sneakerstore").
const MEDIA_NAME_ENDS: &[&str] = &["news", "magazine", "mag", "tv", "radio", "daily", "fanpage"];
const BRAND_NAME_ENDS: &[&str] = &[
    "shop",
    "store",
    "boutique",
    "official_store",
    "tienda",
    "loja",
];

/// The kind of an account (see the module docs).
pub(super) fn account_kind(
    name: &str,
    full_name: &str,
    bio: &str,
    _business: Option<bool>,
    business_category: &str,
) -> AccountKind {
    let cat = crate::places::place_key(business_category);
    if !cat.is_empty() {
        let has = |words: &[&str]| any_word_start(&cat, words);
        // Creators first: "Creators & Celebrities" and "Digital creator" are creators even
        // though a "video creator" category mentions video.
        if has(CREATOR_CATEGORIES) {
            return AccountKind::Creator;
        }
        if has(MEDIA_CATEGORIES) {
            return AccountKind::Media;
        }
        if has(BRAND_CATEGORIES) {
            return AccountKind::Brand;
        }
    }
    let bio_key = crate::places::place_key(&format!("{full_name} {bio}"));
    if any_word_start(&bio_key, MEDIA_BIO) {
        return AccountKind::Media;
    }
    if any_word_start(&bio_key, BRAND_BIO) {
        return AccountKind::Brand;
    }
    let handle = crate::places::place_key(name).replace(' ', "_");
    let ends = |words: &[&str]| {
        words.iter().any(|w| {
            handle
                .strip_suffix(w)
                .is_some_and(|rest| rest.len() >= 4 || rest.ends_with('_'))
        })
    };
    if ends(MEDIA_NAME_ENDS) {
        return AccountKind::Media;
    }
    if ends(BRAND_NAME_ENDS) {
        return AccountKind::Brand;
    }
    AccountKind::Creator
}

/// Whether any of `phrases` occurs in `text` starting at a word boundary: the word starts
/// are found once and each phrase compared there (a test pins this to
/// [`contains_word_start`] per phrase).
fn any_word_start(text: &str, phrases: &[&str]) -> bool {
    let mut prev_alnum = false;
    for (i, c) in text.char_indices() {
        if !prev_alnum && phrases.iter().any(|p| text[i..].starts_with(p)) {
            return true;
        }
        prev_alnum = c.is_alphanumeric();
    }
    !prev_alnum && phrases.iter().any(|p| p.is_empty())
}

/// Whether `phrase` occurs in `text` starting at a word boundary.
#[cfg(test)]
fn contains_word_start(text: &str, phrase: &str) -> bool {
    text.match_indices(phrase).any(|(i, _)| {
        i == 0
            || !text[..i]
                .chars()
                .next_back()
                .is_some_and(char::is_alphanumeric)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_starts_found_once_match_the_search_per_phrase() {
        let phrases = ["shop", "official store", "news", "tv", "ñu", ""];
        for text in [
            "shopping and news",
            "the official store of x",
            "mytv channel",
            "tv",
            "ñu ñus",
            "café shop",
            "1news 2 tv",
            "",
            "abc_news",
        ] {
            for p in phrases {
                assert_eq!(
                    any_word_start(text, &[p]),
                    contains_word_start(text, p),
                    "{text:?} {p:?}"
                );
            }
        }
    }

    #[test]
    fn explore_and_hashtag_pages_are_not_accounts() {
        for page in [
            "Top Posts",
            "Top posts",
            "Recent posts",
            "top_posts",
            "Most recent",
        ] {
            assert_eq!(page_reason(page), Some("explore pages"), "{page}");
        }
        assert_eq!(page_reason("#travel"), Some("hashtag pages"));
        for none in ["", "   ", "---", "🙂"] {
            assert_eq!(
                page_reason(none),
                Some("rows without a usable handle"),
                "{none:?}"
            );
        }
        for account in ["topposts_by_ana", "ana.lopez", "ゆうこ", "recentpostsmag2"] {
            assert_eq!(page_reason(account), None, "{account}");
        }
    }

    #[test]
    fn kinds_from_the_platform_category_then_bio_and_name() {
        let k = |name, bio, cat| account_kind(name, "", bio, None, cat);
        assert_eq!(k("x", "", "Creators & Celebrities"), AccountKind::Creator);
        assert_eq!(k("x", "", "Digital creator"), AccountKind::Creator);
        assert_eq!(k("x", "", "Media/News Company"), AccountKind::Media);
        assert_eq!(k("x", "", "Shopping & Retail"), AccountKind::Brand);
        assert_eq!(k("x", "", "Clothing (Brand)"), AccountKind::Brand);
        // Without a category: bio phrases, then handle endings.
        assert_eq!(
            k("lux", "Free shipping worldwide 🌍", ""),
            AccountKind::Brand
        );
        assert_eq!(
            k("ana", "Envío gratis a todo el país", ""),
            AccountKind::Brand
        );
        assert_eq!(k("ana", "Breaking news from Lagos", ""), AccountKind::Media);
        assert_eq!(k("vogue_mag", "", ""), AccountKind::Media);
        assert_eq!(k("sneakerstore", "", ""), AccountKind::Brand);
        // A creator who links a shop, or whose handle merely contains a word, stays one.
        assert_eq!(
            k("ana", "📍NYC | shop my looks below", ""),
            AccountKind::Creator
        );
        assert_eq!(k("magnus", "", ""), AccountKind::Creator);
        assert_eq!(k("tvlad", "", ""), AccountKind::Creator);
        // A business flag alone does not make a brand.
        assert_eq!(
            account_kind("ana", "", "", Some(true), ""),
            AccountKind::Creator
        );
    }
}
