#!/usr/bin/env bash
# Fuzzing for CI (docs/reliability.md): builds the libFuzzer targets of tests/fuzz with clang,
# AddressSanitizer and UndefinedBehaviorSanitizer in build-fuzz/, then runs each target for a
# bounded time from the seed corpus in tests/fuzz/corpus/<target>/ and the crashes kept in
# tests/fuzz/regressions/<target>/. Any crash, leak, timeout or sanitizer report fails the run;
# the input that caused it is left in build-fuzz/fuzz-runs/<target>/ (crash-*, leak-*,
# timeout-*): add it to tests/fuzz/regressions/<target>/ with the fix, and every build replays
# it from then on (ctest reliability.fuzz_replay.<target>).
#
# Usage: scripts/ci-fuzz.sh [SECONDS_PER_TARGET]   (default: $MCQGEN_FUZZ_SECONDS or 60)
# MCQGEN_JOBS (default 2) bounds the build; MCQGEN_CMAKE_ARGS adds configure arguments.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-${MCQGEN_FUZZ_SECONDS:-60}}
source scripts/ci-common.sh fuzz

MCQGEN_DEV_TOOLS=1 bash scripts/install-deps.sh

start=$SECONDS
cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
    -DMCQGEN_SANITIZE=address,undefined -DMCQGEN_BUILD_FUZZERS=ON \
    -DCMAKE_C_FLAGS="-fno-sanitize-recover=all" -DCMAKE_CXX_FLAGS="-fno-sanitize-recover=all" \
    -DMCQGEN_BUILD_TESTS=OFF -DMCQGEN_BUILD_EXAMPLES=OFF -DMCQGEN_INSTALL=OFF \
    "${extra_args[@]}" >/dev/null
known=$(cmake --build build-fuzz --target help)
targets=()
for source in tests/fuzz/fuzz_*.cpp; do
    name=$(basename "$source" .cpp)
    if grep -qx "\.\.\. $name" <<<"$known"; then
        targets+=("$name")
    fi
done
[ ${#targets[@]} -gt 0 ] || { echo "no fuzz targets configured" >&2; exit 1; }
cmake --build build-fuzz -j"$jobs" --target "${targets[@]}"
echo "fuzz.build: seconds=$((SECONDS - start)) targets=${#targets[@]}" | tee -a "$report" >&2

export ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:allocator_may_return_null=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
failed=()
for target in "${targets[@]}"; do
    name=${target#fuzz_}
    exe=$(find build-fuzz -name "$target" -type f -perm -u+x | head -n1)
    work=build-fuzz/fuzz-runs/$name
    rm -rf "$work"
    mkdir -p "$work/corpus"
    inputs=("$work/corpus") # new inputs go to the first directory, never into the repository
    for dir in "tests/fuzz/corpus/$name" "tests/fuzz/regressions/$name"; do
        [ -d "$dir" ] && inputs+=("$dir")
    done
    options=(-max_total_time="$seconds" -timeout=20 -rss_limit_mb=2560 -print_final_stats=1
        -artifact_prefix="$work/")
    [ -f "tests/fuzz/dicts/$name.dict" ] && options+=(-dict="tests/fuzz/dicts/$name.dict")
    echo "== $target for ${seconds}s" >&2
    status=0
    "$exe" "${options[@]}" "${inputs[@]}" >"$work/log" 2>&1 || status=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -n1)
    peak=$(sed -n 's/^stat::peak_rss_mb: *//p' "$work/log" | tail -n1)
    corpus=$(find "$work/corpus" -type f | wc -l)
    cov=$(grep -o 'cov: [0-9]*' "$work/log" | tail -n1 | cut -d' ' -f2)
    echo "fuzz.$name: seconds=$seconds executions=${runs:-0} coverage=${cov:-0}" \
        "new_corpus=$corpus peak_rss_mb=${peak:-0} status=$status" | tee -a "$report" >&2
    if [ "$status" -ne 0 ]; then
        failed+=("$target")
        tail -n 60 "$work/log" >&2
        ls "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-* 2>/dev/null >&2 || true
    fi
done

echo "== figures ($report)" >&2
cat "$report" >&2
if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzzing found problems in: ${failed[*]} (inputs in build-fuzz/fuzz-runs/)" >&2
    exit 1
fi
