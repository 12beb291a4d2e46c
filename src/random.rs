//! The crate's seeded random helpers, shared by the data generators, the splits and the
//! trainers so they all draw the same way, and the FNV-1a hash they and the bundle's checksum
//! share. Pure: the caller owns the generator.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// The seed every seeded part of the product uses unless told otherwise.
pub const DEFAULT_SEED: u64 = 42;

/// Fisher–Yates shuffle.
pub fn shuffle<T>(v: &mut [T], rng: &mut ChaCha8Rng) {
    for i in (1..v.len()).rev() {
        v.swap(i, rng.random_range(0..=i));
    }
}

/// A standard normal draw (Box–Muller) with std's f64 math, so generated data does not
/// depend on which math backend a distribution crate was built with.
pub fn std_normal(rng: &mut ChaCha8Rng) -> f64 {
    let u1: f64 = rng.random::<f64>().max(1e-300);
    let u2: f64 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// FNV-1a, 64-bit: a small, dependency-free checksum that catches truncation and flipped
/// bytes (not an integrity guarantee against an adversary).
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// A word-at-a-time hasher for the maps that intern a loaded bundle's strings (hashtags,
/// bucket triples): h ← (rotl(h, 5) ⊕ w) · K per 8-byte word w, the multiply-rotate scheme
/// of rustc's FxHash. Several times faster than std's SipHash on short strings. Not keyed:
/// in the browser std's SipHash is not keyed either (wasm32-unknown-unknown has no entropy
/// for `RandomState`), so this gives up no protection there; maps built with it are only
/// looked up, never iterated, so nothing depends on its order.
#[derive(Debug, Clone, Copy, Default)]
pub struct WordHasher(u64);

const WORD_HASH_K: u64 = 0x517c_c1b7_2722_0a95;

impl WordHasher {
    fn add(&mut self, w: u64) {
        self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(WORD_HASH_K);
    }
}

impl std::hash::Hasher for WordHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            // The length tells "ab" from "ab\0".
            self.add(u64::from_le_bytes(w) ^ ((rest.len() as u64) << 59));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// A `HashMap` with [`WordHasher`].
pub type WordHashMap<K, V> =
    std::collections::HashMap<K, V, std::hash::BuildHasherDefault<WordHasher>>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::BuildHasher;

    #[test]
    fn word_hasher_tells_near_strings_apart() {
        let h = std::hash::BuildHasherDefault::<WordHasher>::default();
        let words = [
            "",
            "a",
            "ab",
            "ab\0",
            "abcdefgh",
            "abcdefgh\0",
            "abcdefghi",
            "ba",
        ];
        let hashes: std::collections::BTreeSet<u64> = words.iter().map(|w| h.hash_one(w)).collect();
        assert_eq!(hashes.len(), words.len());
        let mut m: WordHashMap<&str, usize> = WordHashMap::default();
        for (i, w) in words.iter().enumerate() {
            m.insert(w, i);
        }
        assert!(words.iter().enumerate().all(|(i, w)| m[w] == i));
    }
}
