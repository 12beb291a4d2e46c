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
