//! Text normalisation for untrusted scraped text: hashtags, names, countries and numbers.
//!
//! Everything here is pure and total: any input string gives an answer, never a panic.

use crate::platform::{lowercase, nfkc};

/// The comparison key for names, countries and categories: Unicode NFKC, then case-folded
/// (`to_lowercase`), default-ignorable code points dropped ([`is_default_ignorable`]),
/// inner whitespace collapsed to one space, trimmed.
///
/// ```
/// assert_eq!(influence_rec::text::key("  United\u{00A0}States "), "united states");
/// assert_eq!(influence_rec::text::key("ＵＳＡ"), "usa");
/// ```
pub fn key(s: &str) -> String {
    // ASCII is its own NFKC form and lowercases byte by byte: a handle ("bebe", "ana.cooks")
    // needs no Unicode tables, and one without stray whitespace is its key already. Loading
    // a bundle keys every influencer's name, so this is most of that cost saved.
    if s.is_ascii() {
        let lower = s.to_ascii_lowercase();
        let tidy = !lower.starts_with(' ')
            && !lower.ends_with(' ')
            && !lower.contains("  ")
            && !lower.chars().any(|c| c != ' ' && c.is_whitespace());
        if tidy {
            return lower;
        }
        return lower.split_whitespace().collect::<Vec<_>>().join(" ");
    }
    key_reference(s)
}

/// [`key`] without the ASCII fast path: the definition (a test pins them together).
fn key_reference(s: &str) -> String {
    let folded: String = lowercase(&nfkc(s));
    let visible: String = folded
        .chars()
        .filter(|&c| !is_default_ignorable(c))
        .collect();
    visible.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Unicode's Default_Ignorable_Code_Point (DerivedCoreProperties.txt, Unicode 15.1): code
/// points a renderer shows as nothing (zero widths and joiners, the BOM, the soft hyphen,
/// bidi controls, variation selectors, tags, fillers). A name key drops them, so "Atlas" +
/// U+200B + " Co" is "Atlas Co". `www/key.js` has the same list.
pub fn is_default_ignorable(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}'..='\u{1160}' | '\u{17B4}'..='\u{17B5}'
        | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}' | '\u{FFA0}'
        | '\u{FFF0}'..='\u{FFF8}' | '\u{1BCA0}'..='\u{1BCA3}' | '\u{1D173}'..='\u{1D17A}'
        | '\u{E0000}'..='\u{E0FFF}')
}

/// Normalises one hashtag: NFKC, case-folded, leading `#`s, quotes and surrounding punctuation
/// stripped. Returns `None` when nothing of a tag is left.
///
/// ```
/// use influence_rec::text::normalize_hashtag;
/// assert_eq!(normalize_hashtag("#FitLife").as_deref(), Some("fitlife"));
/// assert_eq!(normalize_hashtag("'#Ｃａｆé'").as_deref(), Some("café"));
/// assert_eq!(normalize_hashtag("#"), None);
/// ```
pub fn normalize_hashtag(raw: &str) -> Option<String> {
    let nf: String = lowercase(&nfkc(raw));
    let tag = nf
        .trim_matches(|c: char| !is_tag_char(c))
        .trim_start_matches('#');
    // A tag is a run of tag characters; anything after an inner separator is not part of it.
    let tag: String = tag.chars().take_while(|&c| is_tag_char(c)).collect();
    if tag.is_empty() {
        None
    } else {
        Some(tag)
    }
}

/// Characters that may appear inside a hashtag: letters and digits of any script, `_`, and
/// the combining marks and joiners that scripts such as Devanagari and emoji sequences need.
fn is_tag_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '\u{200D}' || is_mark(c)
}

/// Combining marks (general category M) in the ranges real scripts use; enough to keep
/// Indic vowel signs and Latin combining accents inside a tag.
fn is_mark(c: char) -> bool {
    matches!(c as u32,
        0x0300..=0x036F | 0x0483..=0x0489 | 0x0591..=0x05BD | 0x0610..=0x061A | 0x064B..=0x065F
        | 0x0900..=0x0903 | 0x093A..=0x094F | 0x0951..=0x0957 | 0x0962..=0x0963
        | 0x0981..=0x0983 | 0x09BC..=0x09D7 | 0x0E31 | 0x0E34..=0x0E3A | 0x0E47..=0x0E4E
        | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE00..=0xFE0F | 0xFE20..=0xFE2F)
}

/// Parses a hashtag cell in any of the shapes scrapes produce and returns the normalised tags
/// in first-seen order without duplicates:
/// `"#a#b#c"`, a Python list literal `"['#a', '#b']"`, or tags separated by spaces, commas or
/// semicolons, with or without `#`.
///
/// ```
/// use influence_rec::text::parse_hashtags;
/// assert_eq!(parse_hashtags("#Travel#food#travel"), vec!["travel", "food"]);
/// assert_eq!(parse_hashtags("['#a', \"#B\"]"), vec!["a", "b"]);
/// assert_eq!(parse_hashtags("yoga, gym fit"), vec!["yoga", "gym", "fit"]);
/// ```
pub fn parse_hashtags(cell: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    // '#' starts a new tag even without a separator ("#a#b"); list syntax and separators
    // split too. Everything that is not a tag character is a separator.
    let nf = nfkc(cell);
    let mut cur = String::new();
    let flush = |cur: &mut String, out: &mut Vec<String>| {
        if let Some(tag) = normalize_hashtag(cur) {
            if !out.contains(&tag) {
                out.push(tag);
            }
        }
        cur.clear();
    };
    for c in nf.chars() {
        if is_tag_char(c) {
            cur.push(c);
        } else {
            flush(&mut cur, &mut out);
        }
    }
    flush(&mut cur, &mut out);
    out
}

/// Extracts `#tags` written inside free text (post captions, bios), normalised, first-seen
/// order, no duplicates. A `#` must be followed by a tag character to start a tag.
///
/// ```
/// use influence_rec::text::hashtags_in_text;
/// assert_eq!(hashtags_in_text("Leg day 💪 #Gym #fitLife! #gym"), vec!["gym", "fitlife"]);
/// assert_eq!(hashtags_in_text("price #1 in # town"), vec!["1"]);
/// ```
pub fn hashtags_in_text(text: &str) -> Vec<String> {
    let nf = nfkc(text);
    let mut out: Vec<String> = Vec::new();
    let mut chars = nf.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '#' {
            continue;
        }
        let mut tag = String::new();
        while let Some(&n) = chars.peek() {
            if is_tag_char(n) {
                tag.push(n);
                chars.next();
            } else {
                break;
            }
        }
        if let Some(t) = normalize_hashtag(&tag) {
            if !out.contains(&t) {
                out.push(t);
            }
        }
    }
    out
}

/// Why a number cell could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotANumber;

/// Parses a number as scrapes write it: `"5,721,916"`, `"12.5"`, `"1.2M"`, `"15k"`,
/// `" 300 "`, `"3.4%"` (returned as written, 3.4; the caller decides what a percent means).
/// An empty or whitespace cell is `Ok(None)`. Thousands separators are commas; a lone comma
/// followed by exactly three digits groups thousands, so `"1,5"` is rejected rather than
/// guessed.
///
/// ```
/// use influence_rec::text::parse_number;
/// assert_eq!(parse_number("5,721,916"), Ok(Some(5_721_916.0)));
/// assert_eq!(parse_number("1.2M"), Ok(Some(1_200_000.0)));
/// assert_eq!(parse_number(""), Ok(None));
/// assert!(parse_number("1,5").is_err());
/// assert!(parse_number("abc").is_err());
/// ```
pub fn parse_number(cell: &str) -> Result<Option<f64>, NotANumber> {
    let s = cell.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let s = s.strip_suffix('%').unwrap_or(s).trim();
    let (body, mult) = match s.chars().last() {
        Some('k') | Some('K') => (&s[..s.len() - 1], 1e3),
        Some('m') | Some('M') => (&s[..s.len() - 1], 1e6),
        Some('b') | Some('B') => (&s[..s.len() - 1], 1e9),
        _ => (s, 1.0),
    };
    let body = body.trim();
    let plain = if body.contains(',') {
        // Every comma must group exactly three digits, and the first group 1..=3 digits.
        let int_part = body.split('.').next().unwrap_or("");
        let groups: Vec<&str> = int_part.split(',').collect();
        let first = groups
            .first()
            .map(|g| g.trim_start_matches(['-', '+']).len());
        let ok = matches!(first, Some(1..=3))
            && groups[1..]
                .iter()
                .all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()));
        if !ok {
            return Err(NotANumber);
        }
        body.replace(',', "")
    } else {
        body.to_string()
    };
    // Finite after the suffix too: `1e308k` would overflow to infinity.
    match plain.parse::<f64>().map(|v| v * mult) {
        Ok(v) if v.is_finite() => Ok(Some(v)),
        _ => Err(NotANumber),
    }
}

/// Up to `max_chars` characters of `s`, cut on a character boundary, with `…` when cut.
pub fn truncate_chars(s: &str, max_chars: usize) -> String {
    match s.char_indices().nth(max_chars) {
        None => s.to_string(),
        Some((i, _)) => format!("{}…", &s[..i]),
    }
}

/// The characters that make a spreadsheet read a cell as a formula when it starts with one
/// (OWASP, "CSV Injection"): `=`, `+`, `-`, `@`, tab and carriage return.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Whether `s`, after any leading apostrophes, starts like a formula: the cells
/// [`csv_cell`] prefixes (an apostrophe-led one too, so the prefix can be told from data).
fn formula_like(s: &str) -> bool {
    s.trim_start_matches('\'')
        .starts_with(FORMULA_STARTS.as_slice())
}

/// A cell safe to open in a spreadsheet: one that starts with a formula character (after any
/// apostrophes) gets a leading apostrophe, which spreadsheets show as text; anything else is
/// unchanged. [`csv_uncell`] gives the value back exactly, so every CSV the product writes
/// and reads again round-trips.
///
/// ```
/// use influence_rec::text::{csv_cell, csv_uncell};
/// assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
/// assert_eq!(csv_cell("Atlas Co"), "Atlas Co");
/// assert_eq!(csv_cell("'@x"), "''@x");
/// assert_eq!(csv_uncell(&csv_cell("'@x")), "'@x");
/// ```
pub fn csv_cell(s: &str) -> std::borrow::Cow<'_, str> {
    if formula_like(s) {
        format!("'{s}").into()
    } else {
        s.into()
    }
}

/// The value of a cell [`csv_cell`] wrote: its added apostrophe removed (only where
/// `csv_cell` adds one, so other apostrophes are data).
pub fn csv_uncell(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if formula_like(rest) => rest,
        _ => s,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn ascii_keys_equal_the_definition() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let alphabet = b"aZ.z_09 \t\n\x0b\x0c\rQ-";
        for _ in 0..20_000 {
            let n = rng.random_range(0..12);
            let s: String = (0..n)
                .map(|_| alphabet[rng.random_range(0..alphabet.len())] as char)
                .collect();
            assert_eq!(key(&s), key_reference(&s), "{s:?}");
        }
    }

    use super::*;

    #[test]
    fn hashtag_shapes_all_parse_to_the_same_tags() {
        let want = vec!["fitlife", "gym", "café"];
        assert_eq!(parse_hashtags("#FitLife#gym#Café"), want);
        assert_eq!(parse_hashtags("['#FitLife', '#gym', '#Café']"), want);
        assert_eq!(parse_hashtags("#FitLife #gym #Café"), want);
        assert_eq!(parse_hashtags("fitlife, GYM; café"), want);
        assert_eq!(parse_hashtags("[]"), Vec::<String>::new());
        assert_eq!(parse_hashtags(""), Vec::<String>::new());
    }

    #[test]
    fn hashtags_keep_scripts_and_fold_width_and_case() {
        // Fullwidth Latin folds to ASCII under NFKC; Devanagari keeps its vowel signs.
        assert_eq!(parse_hashtags("#ＹＯＧＡ #योग"), vec!["yoga", "योग"]);
        // Decomposed é (e + U+0301) composes under NFKC and equals the precomposed tag.
        assert_eq!(
            parse_hashtags("#cafe\u{0301}"),
            parse_hashtags("#caf\u{00E9}")
        );
        assert_eq!(hashtags_in_text("Ünïcode #ÜBER-cool"), vec!["über"]);
    }

    #[test]
    fn numbers_that_overflow_with_their_suffix_are_refused() {
        // 1e308 is finite; times 1,000 it is not. Each suffix, and plain overflow.
        for cell in [
            "1e308k", "1e308K", "9e305M", "2e300b", "1e309", "inf", "-inf", "NaN",
        ] {
            assert_eq!(parse_number(cell), Err(NotANumber), "{cell}");
        }
        assert_eq!(parse_number("1e300k"), Ok(Some(1e303)));
    }

    #[test]
    fn numbers_as_scrapes_write_them() {
        assert_eq!(parse_number("5,721,916"), Ok(Some(5_721_916.0)));
        assert_eq!(parse_number("-1,000.5"), Ok(Some(-1000.5)));
        assert_eq!(parse_number("15.3K"), Ok(Some(15_300.0)));
        assert_eq!(parse_number("3.5%"), Ok(Some(3.5)));
        assert_eq!(parse_number("  "), Ok(None));
        assert_eq!(parse_number("12,34"), Err(NotANumber));
        assert_eq!(parse_number("1,2345"), Err(NotANumber));
        assert_eq!(parse_number("NaN"), Err(NotANumber));
        assert_eq!(parse_number("inf"), Err(NotANumber));
        assert_eq!(parse_number("k"), Err(NotANumber));
    }

    #[test]
    fn truncate_respects_char_boundaries() {
        assert_eq!(truncate_chars("héllo", 2), "hé…");
        assert_eq!(truncate_chars("😀😀", 5), "😀😀");
    }
    #[test]
    fn csv_cells_are_defused_and_read_back_exactly() {
        // Each formula start is defused; apostrophe-led values keep their own apostrophes.
        for (value, written) in [
            ("=1+1", "'=1+1"),
            ("+1", "'+1"),
            ("-5", "'-5"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("'=x", "''=x"),
            ("''-x", "'''-x"),
            ("'plain", "'plain"),
            ("a=b", "a=b"),
            ("", ""),
            ("'", "'"),
        ] {
            assert_eq!(csv_cell(value), written, "{value:?}");
            assert_eq!(csv_uncell(written), value, "{written:?}");
        }
        // Random strings over the tricky alphabet round-trip, and what is written never
        // starts a formula.
        let alphabet = ['\'', '=', '+', '-', '@', '\t', '\r', 'a', ' '];
        let seed = 20261202u64;
        println!("seed {seed}");
        let mut x = seed;
        for _ in 0..5000 {
            let mut v = String::new();
            for _ in 0..(x % 5) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                v.push(alphabet[(x % alphabet.len() as u64) as usize]);
            }
            x = x.wrapping_add(1);
            let w = csv_cell(&v);
            assert!(!w.starts_with(FORMULA_STARTS.as_slice()), "{v:?} -> {w:?}");
            assert_eq!(csv_uncell(&w), v, "{v:?}");
        }
    }
}
