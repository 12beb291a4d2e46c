//! Collaboration evidence in post text: the accounts a post @mentions, the paid-partnership
//! markers (#ad and its siblings in the lexicon's languages) and the partner a "paid
//! partnership with X" line names.
//!
//! Handles follow Instagram's rules, which TikTok's and X's are close to: ASCII letters,
//! digits, `_` and `.`, at most 30 characters, never ending in a dot. They are compared in
//! lower case without the `@`.

/// The longest handle Instagram allows.
pub const MAX_HANDLE: usize = 30;

fn is_handle_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '.'
}

/// A handle in comparison form: `@`, surrounding space and trailing dots dropped, lower
/// case. `None` when what is left is empty, longer than [`MAX_HANDLE`], all dots, or holds
/// a character a handle cannot (a URL, an e-mail address, a display name).
///
/// ```
/// use influence_rec::text::normalize_handle;
/// assert_eq!(normalize_handle(" @Nike. "), Some("nike".to_string()));
/// assert_eq!(normalize_handle("glossier.play"), Some("glossier.play".to_string()));
/// assert_eq!(normalize_handle("Ana López"), None);
/// ```
pub fn normalize_handle(raw: &str) -> Option<String> {
    let h = raw.trim().trim_start_matches('@').trim_end_matches('.');
    (!h.is_empty()
        && h.len() <= MAX_HANDLE
        && h.chars().all(is_handle_char)
        && h.chars().any(|c| c != '.'))
    .then(|| h.to_ascii_lowercase())
}

/// The handles a text @mentions, in first-seen order, each once. An `@` counts only at the
/// start of the text or after a character that cannot be part of a word, so e-mail
/// addresses (`hi@brand.com`) are no mentions.
///
/// ```
/// use influence_rec::text::mentions_in_text;
/// assert_eq!(
///     mentions_in_text("Wearing @Nike and @adidas.originals. Mail me: me@site.com"),
///     vec!["nike".to_string(), "adidas.originals".to_string()]
/// );
/// ```
pub fn mentions_in_text(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    // A giveaway caption can name thousands: seen by hash, not by scanning `out` each time.
    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut prev: Option<char> = None;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let starts = c == '@' && !prev.is_some_and(|p| p.is_alphanumeric() || p == '_');
        prev = Some(c);
        if !starts {
            continue;
        }
        let rest = &text[i + 1..];
        let end = rest
            .char_indices()
            .find(|&(_, c)| !is_handle_char(c))
            .map_or(rest.len(), |(j, _)| j);
        // Longer runs are no handle at all (a cut-off name would credit someone else).
        if let Some(h) = normalize_handle(&rest[..end]) {
            if seen.insert(h.clone()) {
                out.push(h);
            }
        }
        while chars.peek().is_some_and(|&(j, _)| j <= i + end) {
            prev = chars.next().map(|(_, c)| c);
        }
    }
    out
}

/// Hashtags (normalised, without `#`) that mark a post as paid: the disclosure tags that
/// advertising rules ask for in the lexicon's languages and its neighbours (#ad, #sponsored,
/// #anzeige and #werbung in German, #publi and #publicidad in Spanish, #publicidade in
/// Portuguese, #pub and #partenariat in French, #adv and #sponsorizzato in Italian, #iklan in
/// Indonesian and Malay, #reklama in Polish and Czech, #reklam in Turkish and Swedish,
/// #reklame in Danish, #mainos in Finnish, #annonse in Norwegian).
pub const PAID_TAGS: &[&str] = &[
    "ad",
    "ads",
    "advert",
    "advertising",
    "advertisement",
    "sponsored",
    "sponsor",
    "spon",
    "sp",
    "paidpartnership",
    "paidpartner",
    "paidad",
    "anzeige",
    "werbung",
    "bezahltepartnerschaft",
    "publi",
    "publicidad",
    "publicidade",
    "patrocinado",
    "patrocinada",
    "colaboracionpagada",
    "parceriapaga",
    "pub",
    "publicite",
    "partenariat",
    "sponsorise",
    "partenariatremunere",
    "adv",
    "sponsorizzato",
    "sponsorizzata",
    "partnershipretribuita",
    "iklan",
    "reklama",
    "reklam",
    "reklame",
    "mainos",
    "annonse",
];

/// Whether a normalised hashtag is a paid-partnership marker ([`PAID_TAGS`]).
pub fn is_paid_tag(tag: &str) -> bool {
    PAID_TAGS.contains(&tag)
}

/// "Paid partnership with" as the platforms write it in the lexicon's languages (lower
/// case, accents kept as written).
const PARTNERSHIP_LINES: &[&str] = &[
    "paid partnership with",
    "colaboración pagada con",
    "colaboracion pagada con",
    "parceria paga com",
    "partenariat rémunéré avec",
    "partenariat remunere avec",
    "partnership retribuita con",
    "partnership pubblicizzata con",
    "bezahlte partnerschaft mit",
];

/// The partners a text's "paid partnership with X" lines name (X written with or without
/// `@`), in first-seen order.
///
/// ```
/// use influence_rec::text::paid_partners_in_text;
/// assert_eq!(paid_partners_in_text("Paid partnership with @Sephora"), vec!["sephora".to_string()]);
/// assert_eq!(paid_partners_in_text("Bezahlte Partnerschaft mit dm_deutschland: neu"), vec!["dm_deutschland".to_string()]);
/// ```
pub fn paid_partners_in_text(text: &str) -> Vec<String> {
    let lower = text.to_lowercase();
    let mut out: Vec<String> = Vec::new();
    for line in PARTNERSHIP_LINES {
        let mut from = 0;
        while let Some(p) = lower[from..].find(line) {
            let after = &lower[from + p + line.len()..];
            from += p + line.len();
            let word: String = after
                .trim_start()
                .trim_start_matches('@')
                .chars()
                .take_while(|&c| is_handle_char(c))
                .collect();
            if let Some(h) = normalize_handle(&word) {
                if !out.contains(&h) {
                    out.push(h);
                }
            }
        }
    }
    out
}

/// The handles of a list cell: `@a @b`, `a, b`, `['a', 'b']` or a JSON list joined by the
/// reader. Pieces that are no handle (display names with spaces are split into words, and
/// each word must be one) are dropped.
pub fn parse_handles(cell: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for piece in cell.split(|c: char| !(is_handle_char(c) || c == '@')) {
        if let Some(h) = normalize_handle(piece) {
            if !out.contains(&h) {
                out.push(h);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_are_handles_after_a_non_word_character() {
        let t =
            "(@Ana_B) x@notme @@double @toolongaaaaaaaaaaaaaaaaaaaaaaaaaaaaa @ok. @.. @é\n@Ana_b";
        assert_eq!(mentions_in_text(t), vec!["ana_b", "double", "ok"]);
        assert_eq!(mentions_in_text(""), Vec::<String>::new());
        assert_eq!(mentions_in_text("@"), Vec::<String>::new());
        // Multi-byte text around the mentions never splits a character.
        assert_eq!(mentions_in_text("日本@ab 🎉@cd"), vec!["cd"]);
        assert_eq!(mentions_in_text("ça va @zara💃 👍@h&m"), vec!["zara", "h"]);
    }

    #[test]
    fn paid_markers_in_six_languages_and_partner_lines() {
        for t in [
            "ad",
            "anzeige",
            "werbung",
            "publi",
            "publicidade",
            "pub",
            "iklan",
            "adv",
        ] {
            assert!(is_paid_tag(t), "{t}");
        }
        assert!(!is_paid_tag("adidas"));
        assert!(!is_paid_tag("love"));
        assert_eq!(
            paid_partners_in_text(
                "Colaboración pagada con @Mango. Partenariat rémunéré avec sezane et paid partnership with"
            ),
            vec!["mango", "sezane"]
        );
        assert_eq!(
            paid_partners_in_text("partnership with nobody"),
            Vec::<String>::new()
        );
    }

    #[test]
    fn list_cells_give_their_handles() {
        assert_eq!(parse_handles("['nike', 'adidas']"), vec!["nike", "adidas"]);
        assert_eq!(parse_handles("@a, @b;c"), vec!["a", "b", "c"]);
        assert_eq!(parse_handles(""), Vec::<String>::new());
    }
}
