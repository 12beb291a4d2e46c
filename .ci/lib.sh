# Shared set-up for .ci/start (main job) and .ci/test (every test). Sourced, not run.
# Installs only what is missing, so a second run is fast and a fresh machine gets everything.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export DEBIAN_FRONTEND=noninteractive
WASM_BINDGEN_VERSION="$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)".*/\1/p' Cargo.toml)"
APT_UPDATED=0

log() { printf '\n==> %s\n' "$*"; }

apt_install() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$APT_UPDATED" = 0 ]; then apt-get update -qq; APT_UPDATED=1; fi
  log "apt-get install ${missing[*]}"
  apt-get install -y -qq "${missing[@]}" >/dev/null
}

# Chooses how to build for wasm32: rustup's target where it can be had (an ordinary developer
# machine), else Debian's rustc-web with std built from source (see shared notes).
setup_wasm_toolchain() {
  if rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown \
     || timeout 120 rustup target add wasm32-unknown-unknown >/dev/null 2>&1; then
    WASM_ROUTE=rustup
  else
    log "rustup cannot add wasm32-unknown-unknown here: using Debian's rustc-web and -Z build-std"
    apt_install rustc-web cargo-web rust-web-src lld-19
    WASM_ROUTE=debian
  fi
  export WASM_ROUTE
  if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
    log "cargo install wasm-bindgen-cli $WASM_BINDGEN_VERSION (a few minutes, once)"
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
  fi
}

# wasm_cargo SUBCOMMAND [ARGS...]: cargo for wasm32 on the chosen route. Builds use wasm
# SIMD128 (the model's scoring kernel, src/mf/model.rs); WASM_SCALAR=1 builds without it into
# a target folder of its own (the page's fallback module for browsers without SIMD).
wasm_cargo() {
  local sub="$1"; shift
  local flags="-C target-feature=+simd128"
  if [ "${WASM_SCALAR:-0}" = 1 ]; then flags=""; fi
  if [ "$WASM_ROUTE" = rustup ]; then
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="$flags" \
      cargo "$sub" --target wasm32-unknown-unknown --target-dir "$(wasm_cargo_dir)" "$@"
  else
    RUSTC_BOOTSTRAP=1 RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc \
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=/usr/lib/llvm-19/bin/wasm-ld \
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="$flags" \
      /usr/bin/cargo "$sub" --target wasm32-unknown-unknown -Z build-std=std,panic_abort \
      --target-dir "$(wasm_cargo_dir)" "$@"
  fi
}

wasm_cargo_dir() {
  local dir=target
  if [ "$WASM_ROUTE" != rustup ]; then dir=target/debian-wasm; fi
  if [ "${WASM_SCALAR:-0}" = 1 ]; then dir="$dir/scalar"; fi
  echo "$dir"
}

wasm_target_dir() {
  echo "$(wasm_cargo_dir)/wasm32-unknown-unknown"
}

# Node and npm: the page tests, the benchmarks and wasm-opt need them.
setup_node() {
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then apt_install nodejs npm; fi
}

# build_pkg [OUT_DIR [FEATURES]]: builds the wasm module (ES module for the page, with .d.ts
# typings) into OUT_DIR (default pkg/): the `wasm` profile (Cargo.toml), without the default
# `trainers` feature (the page trains nothing; the fold-in is the model's), then optimises it with binaryen's wasm-opt from npm
# (features read from the module's target_features section). The benchmark of the wasm tree
# evaluator builds `build_pkg target/pkg-lightgbm lightgbm-text`.
build_pkg() {
  local out="${1:-pkg}" features="${2:-}"
  log "building the wasm module into $out/"
  if [ -n "$features" ]; then
    wasm_cargo build --profile wasm --lib --no-default-features --features "$features"
  else
    wasm_cargo build --profile wasm --lib --no-default-features
  fi
  wasm-bindgen --target web --out-dir "$out" "$(wasm_target_dir)/wasm/influence_rec.wasm"
  setup_node
  if [ ! -x .ci/tools/node_modules/.bin/wasm-opt ]; then
    npm ci --prefix .ci/tools --no-audit --no-fund --silent
  fi
  log "wasm-opt -O3"
  .ci/tools/node_modules/.bin/wasm-opt -O3 "$out/influence_rec_bg.wasm" -o "$out/influence_rec_bg.wasm"
  if [ -z "$features" ]; then
    # The fallback module for browsers without SIMD: the same bindings (its JS glue must be
    # the same file, so the page loads either module through one glue), scalar kernels.
    log "building the scalar wasm module (no SIMD) into $out/influence_rec_scalar_bg.wasm"
    WASM_SCALAR=1 wasm_cargo build --profile wasm --lib --no-default-features
    local tmp; tmp="$(mktemp -d)"
    wasm-bindgen --target web --out-dir "$tmp" "$(WASM_SCALAR=1 wasm_target_dir)/wasm/influence_rec.wasm"
    if ! cmp -s "$tmp/influence_rec.js" "$out/influence_rec.js"; then
      echo "the scalar module's JS glue differs from the SIMD module's" >&2; rm -rf "$tmp"; return 1
    fi
    .ci/tools/node_modules/.bin/wasm-opt -O3 "$tmp/influence_rec_bg.wasm" -o "$out/influence_rec_scalar_bg.wasm"
    rm -rf "$tmp"
  fi
}

# Builds the native CLI, generates the bundled data if it is absent, trains the bundle.
build_bundle() {
  log "building the native CLI"
  cargo build --release --bin influence-rec
  if [ ! -f data/influencers.csv ] || [ ! -f data/brands.csv ] || [ ! -f data/interactions.csv ]; then
    log "data/ has no tables: generating the bundled dataset (seed 42)"
    target/release/influence-rec generate --seed 42 --out data
  fi
  log "training"
  target/release/influence-rec train --data data --out pkg/model.bundle
}
