//! Places to countries: free-text locations from scrapes ("Los Angeles, California",
//! "Paris, France", "Mumbai, Maharashtra", "NYC", "🇪🇸 Madrid", "São Paulo - SP") resolved
//! to ISO 3166-1 alpha-2 codes, so the cohesion rule compares countries, not spellings.
//!
//! Tables (in `data/gazetteer/`, rebuilt by its `build.sh` from GeoNames-derived and ISO data
//! in registry packages; licences in its README):
//! - `countries.tsv` and `aliases.tsv`: every country's ISO codes and names in English,
//!   Spanish, Portuguese, French, Italian and German, and hand-written short forms. Embedded
//!   everywhere ([`Places::builtin`]): the browser resolves a new brand's country exactly as
//!   the CLI does.
//! - `places.tsv`: cities of 15,000+ people (alternate names in many scripts for cities of
//!   100,000+), states and regions with their letter codes, and country names in 26 more
//!   languages. Native only ([`Places::gazetteer`], used by the importer).
//!
//! Resolution of a text ([`Places::resolve`]):
//! 1. A flag emoji (a regional-indicator pair, or England's, Scotland's or Wales's tag
//!    flag) names its country.
//! 2. Otherwise the text is split into parts at `,` `;` `|` `/` `•` `·` `(` `)` and ` - `, and
//!    each part is keyed (NFKD, combining marks removed, case-folded, dots and apostrophes
//!    dropped, other punctuation a space). A part that is a name scores its countries:
//!    a country name, ISO alpha-3 code or alias 3, a region 2, the most populous city of
//!    that name 2 (other countries' cities of the same name 0.5), an ISO alpha-2 code 1.
//!    A part that is no name is scanned for the longest runs of 1 to 4 words that are a
//!    country name or alias of 3+ letters (2), a city of 100,000+ (1) or a region of 5+
//!    letters (1); in a venue's name ([`is_venue`]: stadiums, arenas, parks, malls, studios,
//!    clinics, shows, ...) only country names count, so "Estadio Santiago Bernabéu" is no
//!    place in Chile and the account's other places decide.
//! 3. A region's letter code (`CA`, `TX`, `SP`) adds 1.5 to a country that another part
//!    already named (so "Los Angeles, CA" is the United States, not Canada).
//! 4. The country with the highest score of at least 1 wins; a tie goes to the one named in
//!    a later part ("Paris, Texas"), then to the lower code. Anything else is unresolved:
//!    the caller keeps the text.

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use crate::platform::{lowercase, nfkd};

/// What a name is. (In the browser only the built-in table loads: no cities or regions.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
enum Kind {
    /// A country name in some language, an ISO alpha-3 code or an alias.
    Country,
    /// An ISO alpha-2 code.
    Code2,
    /// A state, region or province.
    Region,
    /// A region's letter code.
    RegionCode,
    /// A city.
    City,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Entry {
    country: [u8; 2],
    kind: Kind,
    population: u64,
}

/// A gazetteer: keyed place names and what they name.
#[derive(Debug, Clone, Default)]
pub struct Places {
    names: HashMap<String, Vec<Entry>>,
}

/// The place key of `s` (see the module docs).
pub fn place_key(s: &str) -> String {
    let decomposed = nfkd(s);
    let mut out = String::with_capacity(decomposed.len());
    for c in decomposed.chars() {
        if is_mark(c) || matches!(c, '.' | '\'' | '’' | '`' | 'ʻ') {
            continue;
        }
        out.push(if c.is_alphanumeric() { c } else { ' ' });
    }
    // Lower case once over the whole key (the platform's case mapping; see `platform`).
    lowercase(&out)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Words that make a place a venue or landmark rather than a town, in the lexicon's
/// languages (keyed: lower case, no accents). A venue is often named after a person or a
/// city elsewhere ("Estadio Santiago Bernabéu", "Madison Square Garden"), so its words name
/// no city or region; the account's other places, or a country named with it, decide.
const VENUE_WORDS: &[&str] = &[
    "stadium",
    "estadio",
    "stade",
    "stadio",
    "stadion",
    "arena",
    "ballpark",
    "mall",
    "shopping",
    "studio",
    "studios",
    "estudio",
    "estudios",
    "clinic",
    "clinica",
    "klinik",
    "hospital",
    "hotel",
    "resort",
    "theatre",
    "theater",
    "teatro",
    "museum",
    "museo",
    "musee",
    "airport",
    "aeropuerto",
    "aeroporto",
    "aeroport",
    "flughafen",
    "cathedral",
    "catedral",
    "cathedrale",
    "university",
    "universidad",
    "universidade",
    "universite",
    "universitat",
    "universita",
    "opry",
    "show",
    "garden",
    "gardens",
    "coliseum",
    "auditorium",
    "hall",
    "club",
    "gym",
    "restaurant",
    "cafe",
    "bar",
    "beach",
    "playa",
    "praia",
    "plage",
    "spiaggia",
    "strand",
    "zoo",
    "sala",
    "salle",
    "saal",
    "venue",
    "lounge",
    "pub",
    "church",
    "iglesia",
    "igreja",
    "eglise",
    "chiesa",
    "kirche",
];

/// Whether a keyed place part names a venue (`VENUE_WORDS`, "... Park", "Parque ...").
pub fn is_venue(k: &str) -> bool {
    let words: Vec<&str> = k.split(' ').collect();
    words.iter().any(|w| VENUE_WORDS.contains(w))
        || (words.len() > 1 && words.last() == Some(&"park"))
        || (words.len() > 1 && matches!(words[0], "parque" | "parc" | "parco"))
}

/// Combining diacritical marks (Latin, Greek, Cyrillic accents) that NFKD splits off.
fn is_mark(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F)
}

fn code(s: &str) -> Option<[u8; 2]> {
    let b = s.trim().as_bytes();
    (b.len() == 2 && b.iter().all(u8::is_ascii_uppercase)).then(|| [b[0], b[1]])
}

impl Places {
    fn add(&mut self, name: &str, e: Entry) {
        let k = place_key(name);
        if k.is_empty() {
            return;
        }
        let v = self.names.entry(k).or_default();
        if !v.contains(&e) {
            v.push(e);
        }
    }

    fn load_countries(&mut self, countries: &str, aliases: &str) {
        for line in countries.lines().filter(|l| !l.starts_with('#')) {
            let mut f = line.split('\t');
            let (Some(c2), Some(c3), Some(names)) = (f.next(), f.next(), f.next()) else {
                continue;
            };
            let Some(cc) = code(c2) else { continue };
            let e = |kind| Entry {
                country: cc,
                kind,
                population: 0,
            };
            self.add(c2, e(Kind::Code2));
            self.add(c3, e(Kind::Country));
            for n in names.split('|') {
                self.add(n, e(Kind::Country));
            }
        }
        for line in aliases.lines().filter(|l| !l.starts_with('#')) {
            if let Some((alias, c2)) = line.split_once('\t') {
                if let Some(cc) = code(c2) {
                    self.add(
                        alias,
                        Entry {
                            country: cc,
                            kind: Kind::Country,
                            population: 0,
                        },
                    );
                }
            }
        }
    }

    #[cfg(not(target_arch = "wasm32"))]
    fn load_places(&mut self, places: &str) {
        for line in places.lines().filter(|l| !l.starts_with('#')) {
            let mut f = line.split('\t');
            let (Some(name), Some(c2), Some(pop), Some(kind)) =
                (f.next(), f.next(), f.next(), f.next())
            else {
                continue;
            };
            let (Some(cc), Ok(population)) = (code(c2), pop.parse::<u64>()) else {
                continue;
            };
            let kind = match kind {
                "c" => Kind::City,
                "r" => Kind::Region,
                "a" => Kind::RegionCode,
                "k" => Kind::Country,
                _ => continue,
            };
            self.add(
                name,
                Entry {
                    country: cc,
                    kind,
                    population,
                },
            );
        }
    }

    /// Countries (ISO codes and names in six languages) and aliases: embedded everywhere.
    pub fn builtin() -> &'static Places {
        static P: OnceLock<Places> = OnceLock::new();
        P.get_or_init(|| {
            let mut p = Places::default();
            p.load_countries(
                include_str!("../data/gazetteer/countries.tsv"),
                include_str!("../data/gazetteer/aliases.tsv"),
            );
            p
        })
    }

    /// [`Places::builtin`] plus cities, regions and country names in more languages (native
    /// only: the importer's gazetteer).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn gazetteer() -> &'static Places {
        static P: OnceLock<Places> = OnceLock::new();
        P.get_or_init(|| {
            let mut p = Places::builtin().clone();
            p.load_places(include_str!("../data/gazetteer/places.tsv"));
            p
        })
    }

    /// The ISO alpha-2 code `text` resolves to (see the module docs), or `None`.
    pub fn resolve(&self, text: &str) -> Option<String> {
        if let Some(cc) = flag(text).filter(|cc| self.is_country(cc)) {
            return Some(cc);
        }
        // country -> (score, the last part that named it)
        let mut score: BTreeMap<[u8; 2], (f64, usize)> = BTreeMap::new();
        let mut codes: Vec<(usize, &Vec<Entry>)> = Vec::new();
        let add = |score: &mut BTreeMap<[u8; 2], (f64, usize)>, cc: [u8; 2], w: f64, at: usize| {
            let s = score.entry(cc).or_insert((0.0, at));
            s.0 += w;
            s.1 = s.1.max(at);
        };
        for (at, part) in parts(text).enumerate() {
            let k = place_key(part);
            if k.is_empty() {
                continue;
            }
            match self.names.get(&k) {
                Some(entries) => {
                    let best_city = entries
                        .iter()
                        .filter(|e| e.kind == Kind::City)
                        .max_by_key(|e| (e.population, std::cmp::Reverse(e.country)));
                    for e in entries {
                        let w = match e.kind {
                            Kind::Country => 3.0,
                            Kind::Region => 2.0,
                            Kind::City if Some(e) == best_city => 2.0,
                            Kind::City => 0.5,
                            // A two-letter code is a country code only when written as one.
                            Kind::Code2 if code(part).is_some() => 1.0,
                            Kind::Code2 | Kind::RegionCode => continue,
                        };
                        add(&mut score, e.country, w, at);
                    }
                    if entries.iter().any(|e| e.kind == Kind::RegionCode) {
                        codes.push((at, entries));
                    }
                }
                None => {
                    for (cc, w) in self.scan(&k, is_venue(&k)) {
                        add(&mut score, cc, w, at);
                    }
                }
            }
        }
        for (at, entries) in codes {
            for e in entries.iter().filter(|e| e.kind == Kind::RegionCode) {
                if score
                    .get(&e.country)
                    .is_some_and(|s| s.1 != at || s.0 >= 2.0)
                {
                    add(&mut score, e.country, 1.5, at);
                }
            }
        }
        score
            .into_iter()
            .filter(|(_, (s, _))| *s >= 1.0)
            // Highest score, then the later part, then the lower code (the map's order).
            .fold(
                None,
                |best: Option<([u8; 2], (f64, usize))>, (cc, s)| match best {
                    Some((_, b)) if (b.0, b.1) >= (s.0, s.1) => best,
                    _ => Some((cc, s)),
                },
            )
            .map(|(cc, _)| String::from_utf8_lossy(&cc).into_owned())
    }

    /// Countries named by runs of 1 to 4 words of a keyed part, longest runs first, each word
    /// used once; in a venue's name (`venue`) only country names count ("Stade de France" is
    /// in France, "Estadio Santiago Bernabéu" is not in Chile).
    fn scan(&self, k: &str, venue: bool) -> Vec<([u8; 2], f64)> {
        let words: Vec<&str> = k.split(' ').collect();
        let mut used = vec![false; words.len()];
        let mut out = Vec::new();
        for n in (1..=words.len().min(4)).rev() {
            for start in 0..=words.len() - n {
                if used[start..start + n].iter().any(|&u| u) {
                    continue;
                }
                let run = words[start..start + n].join(" ");
                let Some(entries) = self.names.get(&run) else {
                    continue;
                };
                let len = run.chars().count();
                let mut hit = false;
                let best_city = entries
                    .iter()
                    .filter(|e| e.kind == Kind::City && e.population >= 100_000 && len >= 4)
                    .max_by_key(|e| (e.population, std::cmp::Reverse(e.country)));
                for e in entries {
                    let w = match e.kind {
                        Kind::Country if len >= 3 => 2.0,
                        Kind::Region if len >= 5 && !venue => 1.0,
                        Kind::City if Some(e) == best_city && !venue => 1.0,
                        _ => continue,
                    };
                    out.push((e.country, w));
                    hit = true;
                }
                if hit {
                    used[start..start + n].iter_mut().for_each(|u| *u = true);
                }
            }
        }
        out
    }

    /// The country a whole text names exactly (a country name, an ISO code in any case, an
    /// alias), or `None`: what a table's country column may hold, with nothing guessed.
    pub fn country_code(&self, text: &str) -> Option<String> {
        let entries = self.names.get(&place_key(text))?;
        let mut found = entries
            .iter()
            .filter(|e| matches!(e.kind, Kind::Country | Kind::Code2))
            .map(|e| e.country);
        let first = found.next()?;
        found
            .all(|c| c == first)
            .then(|| String::from_utf8_lossy(&first).into_owned())
    }

    /// Whether `code` is a known ISO alpha-2 country code.
    pub fn is_country(&self, code: &str) -> bool {
        self.names.get(&place_key(code)).is_some_and(|v| {
            v.iter()
                .any(|e| e.kind == Kind::Code2 && e.country == code.as_bytes())
        })
    }
}

/// The text's parts (see the module docs).
fn parts(text: &str) -> impl Iterator<Item = &str> {
    text.split([',', ';', '|', '/', '•', '·', '(', ')', '\n'])
        .flat_map(|p| p.split(" - "))
        .map(str::trim)
        .filter(|p| !p.is_empty())
}

/// The country a free text (a bio) points to: its first flag emoji, else the one country
/// it names (country names and aliases of 4+ letters, built-in table); `None` when it names
/// none or several.
pub fn country_in_text(text: &str) -> Option<String> {
    let p = Places::builtin();
    if let Some(cc) = flag(text).filter(|cc| p.is_country(cc)) {
        return Some(cc);
    }
    let k = place_key(text);
    let words: Vec<&str> = k.split(' ').collect();
    let mut found: Vec<[u8; 2]> = Vec::new();
    for n in (1..=words.len().min(4)).rev() {
        for w in words.windows(n) {
            let run = w.join(" ");
            if run.chars().count() < 4 {
                continue;
            }
            if let Some(v) = p.names.get(&run) {
                found.extend(
                    v.iter()
                        .filter(|e| e.kind == Kind::Country)
                        .map(|e| e.country),
                );
            }
        }
    }
    crate::sorting::sort(&mut found);
    found.dedup();
    match found.as_slice() {
        [one] => Some(String::from_utf8_lossy(one).into_owned()),
        _ => None,
    }
}

/// The country of the first flag emoji in `text`.
fn flag(text: &str) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    let ri = |c: char| (0x1F1E6..=0x1F1FF).contains(&(c as u32));
    for (i, w) in chars.windows(2).enumerate() {
        if ri(w[0]) && ri(w[1]) {
            let l = |c: char| char::from(b'A' + (c as u32 - 0x1F1E6) as u8);
            return Some([l(w[0]), l(w[1])].iter().collect());
        }
        // England, Scotland, Wales: U+1F3F4 then tag letters "gbeng" / "gbsct" / "gbwls".
        if w[0] == '\u{1F3F4}' {
            let tags: String = chars[i + 1..]
                .iter()
                .take_while(|c| (0xE0061..=0xE007A).contains(&(**c as u32)))
                .map(|c| char::from(b'a' + (*c as u32 - 0xE0061) as u8))
                .collect();
            if tags.starts_with("gb") {
                return Some("GB".into());
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(p: &Places, s: &str) -> Option<String> {
        p.resolve(s)
    }

    #[test]
    fn keys_drop_marks_case_and_punctuation() {
        assert_eq!(place_key("  São Paulo - SP "), "sao paulo sp");
        assert_eq!(place_key("U.S.A."), "usa");
        assert_eq!(place_key("Saint-Étienne"), "saint etienne");
        assert_eq!(place_key("Mahārāshtra"), "maharashtra");
        assert_eq!(place_key("МОСКВА"), "москва");
    }

    #[test]
    fn the_builtin_table_knows_countries_codes_and_short_forms() {
        let p = Places::builtin();
        for (text, want) in [
            ("United States", "US"),
            ("Estados Unidos", "US"),
            ("États-Unis", "US"),
            ("Vereinigte Staaten", "US"),
            ("USA", "US"),
            ("U.S.A.", "US"),
            ("ESP", "ES"),
            ("ES", "ES"),
            ("España", "ES"),
            ("Espagne", "ES"),
            ("Deutschland", "DE"),
            ("UK", "GB"),
            ("England", "GB"),
            ("NYC", "US"),
            ("LA", "US"),
            ("CDMX", "MX"),
            ("Brasil", "BR"),
            ("Italia", "IT"),
            ("Côte d'Ivoire", "CI"),
            // Abbreviations scrapes write with or without their dots.
            ("C.A.B.A", "AR"),
            ("CABA", "AR"),
            ("C.A.B.A., Argentina", "AR"),
            ("Capital Federal", "AR"),
            ("🇪🇸", "ES"),
            ("Madrid 🇪🇸", "ES"),
            (
                "\u{1F3F4}\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}",
                "GB",
            ),
        ] {
            assert_eq!(r(p, text).as_deref(), Some(want), "{text}");
        }
        // Lower-case two letters are words, not codes; unknown places stay unresolved.
        for text in ["es", "Worldwide", "🌍 everywhere", "", "Narnia"] {
            assert_eq!(r(p, text), None, "{text:?}");
        }
    }

    #[test]
    #[cfg(not(target_arch = "wasm32"))]
    fn the_gazetteer_resolves_cities_regions_and_their_combinations() {
        let p = Places::gazetteer();
        for (text, want) in [
            ("Los Angeles, California", "US"),
            ("Los Angeles, CA", "US"),
            ("Austin, TX", "US"),
            ("Paris, France", "FR"),
            ("Paris", "FR"),
            ("Madrid", "ES"),
            ("Mumbai, Maharashtra", "IN"),
            ("Maharashtra", "IN"),
            ("São Paulo - SP", "BR"),
            ("Sao Paulo", "BR"),
            ("Toronto, ON", "CA"),
            ("Москва", "RU"),
            ("Россия", "RU"),
            ("Bangalore", "IN"),
            ("London", "GB"),
            ("Lagos, Nigeria", "NG"),
            ("Ciudad de México", "MX"),
            ("Living in Berlin", "DE"),
            ("based in Tokyo ✈️", "JP"),
            ("Manila | Cebu", "PH"),
            ("Jakarta Selatan", "ID"),
            ("California", "US"),
            ("Türkiye", "TR"),
        ] {
            assert_eq!(r(p, text).as_deref(), Some(want), "{text}");
        }
        for text in ["Worldwide", "in your heart", "DM for collabs", "🌍"] {
            assert_eq!(r(p, text), None, "{text:?}");
        }
        // Venues: their words name no city or region (the account's other places decide),
        // but a country or a city written beside them still counts.
        for venue in [
            "Estadio Santiago Bernabéu",
            "Marlins Park",
            "Madison Square Garden",
            "Grand Ole Opry",
            "The Late Show with Stephen Colbert",
            "Parque Ibirapuera",
            "Copacabana Beach",
        ] {
            assert_eq!(r(p, venue), None, "{venue:?}");
        }
        for (text, want) in [
            ("Estadio Santiago Bernabéu, Madrid", "ES"),
            ("Stade de France", "FR"),
            ("Marlins Park, Miami, Florida", "US"),
        ] {
            assert_eq!(r(p, text).as_deref(), Some(want), "{text}");
        }
    }

    #[test]
    fn a_bio_points_to_one_country_or_none() {
        assert_eq!(country_in_text("Chef 🇮🇹 | recipes").as_deref(), Some("IT"));
        assert_eq!(
            country_in_text("Fashion creator from United States | DM").as_deref(),
            Some("US")
        );
        assert_eq!(
            country_in_text("Moda y estilo desde España").as_deref(),
            Some("ES")
        );
        assert_eq!(
            country_in_text("Spain and France travel"),
            None,
            "two countries"
        );
        assert_eq!(country_in_text("coffee, code, cats"), None);
    }
}
