//! The synthetic world's tables: countries and how scrapes write their places, category
//! weights, generic tags and the word lists names are made from.

/// Countries: display name, ISO code, weight, and how scrapes write places there (city and
/// region forms, short forms, flags), which the importer must resolve back to the code.
pub(super) const COUNTRIES: [(&str, &str, f64, &[&str]); 20] = [
    (
        "United States",
        "US",
        24.0,
        &[
            "Los Angeles, California",
            "New York, NY",
            "NYC",
            "Austin, TX",
            "Miami 🇺🇸",
            "USA",
        ],
    ),
    (
        "India",
        "IN",
        11.0,
        &[
            "Mumbai, Maharashtra",
            "New Delhi",
            "Bangalore",
            "Hyderabad, India",
        ],
    ),
    (
        "Brazil",
        "BR",
        9.0,
        &[
            "São Paulo - SP",
            "Rio de Janeiro",
            "Brasil",
            "Belo Horizonte, MG",
        ],
    ),
    (
        "Indonesia",
        "ID",
        7.0,
        &["Jakarta", "Bali, Indonesia", "Surabaya"],
    ),
    (
        "United Kingdom",
        "GB",
        6.0,
        &["London", "Manchester, England", "UK"],
    ),
    (
        "Mexico",
        "MX",
        5.0,
        &["CDMX", "Guadalajara, Jalisco", "México"],
    ),
    (
        "Spain",
        "ES",
        5.0,
        &["Madrid", "Barcelona, España", "Valencia 🇪🇸"],
    ),
    ("France", "FR", 4.0, &["Paris, France", "Lyon", "Marseille"]),
    (
        "Germany",
        "DE",
        4.0,
        &["Berlin", "München, Deutschland", "Hamburg"],
    ),
    ("Italy", "IT", 4.0, &["Milano", "Roma, Italia", "Napoli"]),
    ("Turkey", "TR", 3.0, &["İstanbul", "Ankara, Türkiye"]),
    ("Japan", "JP", 3.0, &["Tokyo", "Osaka, Japan"]),
    ("South Korea", "KR", 3.0, &["Seoul", "Busan, Korea"]),
    (
        "Canada",
        "CA",
        3.0,
        &["Toronto, ON", "Vancouver, BC", "Montréal"],
    ),
    (
        "Argentina",
        "AR",
        2.0,
        &["Buenos Aires", "Córdoba, Argentina"],
    ),
    ("Nigeria", "NG", 2.0, &["Lagos", "Abuja, Nigeria"]),
    ("Philippines", "PH", 2.0, &["Manila", "Cebu City"]),
    (
        "Australia",
        "AU",
        1.5,
        &["Sydney, NSW", "Melbourne, Australia"],
    ),
    ("Egypt", "EG", 1.0, &["Cairo", "Alexandria, Egypt"]),
    ("Russia", "RU", 1.0, &["Москва", "Saint Petersburg"]),
];

/// Category weights in lexicon order (fashion and beauty dominate, politics is rare).
pub(super) const CATEGORY_WEIGHTS: [f64; 22] = [
    14.0, 12.0, 10.0, 9.0, 8.0, 7.0, 6.0, 5.0, 3.0, 4.0, 4.0, 3.5, 2.5, 2.0, 1.5, 1.0, 3.0, 2.5,
    1.5, 2.0, 2.5, 2.0,
];

pub(super) const GENERIC_TAGS: [&str; 12] = [
    "instagood",
    "love",
    "photooftheday",
    "instadaily",
    "happy",
    "reels",
    "explore",
    "picoftheday",
    "like4like",
    "follow",
    "viralpost",
    "weekend",
];
pub(super) const SUFFIXES: [&str; 7] = ["", "life", "lover", "daily", "gram", "tips", "community"];
pub(super) const CLUSTERS: usize = 8;
pub(super) const EMOJI: [&str; 10] = ["✨", "💪", "🌍", "📸", "🍜", "🎮", "💄", "🐶", "🎧", "🚗"];
pub(super) const SYLLABLES: [&str; 24] = [
    "ka", "ri", "mo", "la", "zen", "tor", "vi", "na", "sol", "mi", "ra", "lu", "be", "co", "da",
    "fe", "gi", "jo", "ke", "lo", "ne", "pa", "sa", "te",
];
pub(super) const SCRIPTS: [&[&str]; 3] = [
    &["さ", "く", "ら", "ゆ", "き", "は", "る"],
    &["ма", "ри", "на", "ол", "ег", "ан"],
    &["प्र", "िया", "रा", "ज", "सु", "मन"],
];
pub(super) const BRAND_WORDS: [&str; 20] = [
    "Nordic", "Peak", "Urban", "Lumen", "Verde", "Atlas", "Nova", "Solis", "Aurora", "Kite",
    "Maple", "Ember", "Harbor", "Pixel", "Terra", "Zephyr", "Orbit", "Coral", "Summit", "Velvet",
];
pub(super) const BRAND_NOUNS: [&str; 10] = [
    "Labs",
    "Co",
    "Studio",
    "Collective",
    "Goods",
    "Works",
    "House",
    "Supply",
    "Club",
    "Group",
];
