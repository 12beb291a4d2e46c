//! What the platform provides. Unicode NFKC comes natively from the `unicode-normalization`
//! crate and in the browser from the engine's own ICU (`String.prototype.normalize`): the
//! crate's tables are most of the wasm module's data section (about 90 KB gzipped), and every
//! browser already ships them. Both follow the Unicode standard; they can differ only on code
//! points assigned in a Unicode version one of them does not know yet.
//!
//! Lower case likewise: Rust's `str::to_lowercase` natively, the engine's `toLowerCase` in the
//! browser (both the Unicode default case mapping, with the final-sigma rule), so the wasm
//! module carries no case tables of its own.

/// Unicode normalisation form KC of `s`.
pub fn nfkc(s: &str) -> String {
    // NFKC maps every ASCII string to itself: skip the tables for the common case.
    if s.is_ascii() {
        return s.to_string();
    }
    nfkc_non_ascii(s)
}

#[cfg(not(target_arch = "wasm32"))]
fn nfkc_non_ascii(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    s.nfkc().collect()
}

#[cfg(target_arch = "wasm32")]
fn nfkc_non_ascii(s: &str) -> String {
    String::from(js_sys::JsString::from(s).normalize("NFKC"))
}

/// `lowercase(nfkc(s))` for each of `texts`, in order. In the browser every string that
/// crosses into JS and back costs a call and a copy each way, which for a catalog's names
/// adds up to milliseconds on a cold module; the texts go across joined by a line feed, a
/// code point NFKC leaves alone and that never composes with its neighbours, so the joined
/// text normalises piece by piece (a text holding a line feed itself goes one by one).
pub fn nfkc_lower_many(texts: &[&str]) -> Vec<String> {
    #[cfg(target_arch = "wasm32")]
    if texts.len() > 1 && !texts.iter().any(|t| t.contains('\n')) {
        let joined = texts.join("\n");
        let done = String::from(
            js_sys::JsString::from(joined.as_str())
                .normalize("NFKC")
                .to_lower_case(),
        );
        let parts: Vec<String> = done.split('\n').map(str::to_string).collect();
        if parts.len() == texts.len() {
            return parts;
        }
    }
    texts.iter().map(|t| lowercase(&nfkc(t))).collect()
}

/// Unicode normalisation form KD of `s` (compatibility decomposition: accents split off as
/// combining marks, which place names drop).
pub fn nfkd(s: &str) -> String {
    if s.is_ascii() {
        return s.to_string();
    }
    nfkd_non_ascii(s)
}

#[cfg(not(target_arch = "wasm32"))]
fn nfkd_non_ascii(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    s.nfkd().collect()
}

#[cfg(target_arch = "wasm32")]
fn nfkd_non_ascii(s: &str) -> String {
    String::from(js_sys::JsString::from(s).normalize("NFKD"))
}

/// `s` in lower case (Unicode default case conversion, final sigma included).
pub fn lowercase(s: &str) -> String {
    if s.is_ascii() {
        return s.to_ascii_lowercase();
    }
    lowercase_non_ascii(s)
}

#[cfg(not(target_arch = "wasm32"))]
fn lowercase_non_ascii(s: &str) -> String {
    s.to_lowercase()
}

#[cfg(target_arch = "wasm32")]
fn lowercase_non_ascii(s: &str) -> String {
    String::from(js_sys::JsString::from(s).to_lower_case())
}
