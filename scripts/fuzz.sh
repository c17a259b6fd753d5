#!/usr/bin/env bash
# Runs every cargo-fuzz target (fuzz/README.md) for a while; exits non-zero if any crashes.
#
#   scripts/fuzz.sh [seconds-per-target] [target...]
#
# Seconds default to 30; targets default to all of `cargo fuzz list`. Works on the stable
# toolchain: RUSTC_BOOTSTRAP=1 lets it take the nightly-only flags cargo-fuzz passes
# (-Zsanitizer=address). FUZZ_SANITIZER=none builds without AddressSanitizer (faster, and
# all the crates are safe Rust) should a toolchain refuse it.
#
# Each target reads its committed seeds (fuzz/seeds/<target>, never written to) and keeps
# what it finds in fuzz/corpus/<target> (ignored by git), which later runs start from.
# A crashing input lands in fuzz/artifacts/<target>/; reproduce it with
#   RUSTC_BOOTSTRAP=1 cargo fuzz run <target> fuzz/artifacts/<target>/crash-...
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-30}"
shift || true
sanitizer="${FUZZ_SANITIZER:-address}"
export RUSTC_BOOTSTRAP=1

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "== installing cargo-fuzz"
  cargo install cargo-fuzz --locked
fi

if [ "$#" -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <(cargo fuzz list --fuzz-dir fuzz)
fi

echo "== building ${targets[*]} (sanitizer: $sanitizer)"
cargo fuzz build --fuzz-dir fuzz -s "$sanitizer"

failed=()
for t in "${targets[@]}"; do
  echo "== $t: ${seconds}s"
  mkdir -p "fuzz/corpus/$t"
  corpora=("fuzz/corpus/$t")
  if [ -d "fuzz/seeds/$t" ]; then corpora+=("fuzz/seeds/$t"); fi
  if ! cargo fuzz run --fuzz-dir fuzz -s "$sanitizer" "$t" "${corpora[@]}" -- \
    -max_total_time="$seconds" -print_final_stats=1; then
    failed+=("$t")
  fi
done

if [ "${#failed[@]}" -gt 0 ]; then
  echo "== FAILED: ${failed[*]} (inputs in fuzz/artifacts/)" >&2
  exit 1
fi
echo "== all ${#targets[@]} targets ran ${seconds}s without a crash"
