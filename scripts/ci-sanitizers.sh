#!/usr/bin/env bash
# Sanitizer builds for CI (docs/reliability.md has the choices and the measured times):
#
#   asan  AddressSanitizer + UndefinedBehaviorSanitizer (gcc) in build-asan/: every target, then
#         the whole ctest suite. Python loads the sanitized library with libasan preloaded (set
#         up by tests/python and tests/reliability); the 50 MB document runs once, through the
#         C++ API, instead of through all four interfaces. No install rules (MCQGEN_INSTALL=OFF),
#         so no packaging test: its consumer project is built without the sanitizer flags and
#         cannot link an instrumented library.
#   tsan  ThreadSanitizer (gcc) in build-tsan/: only the test programs that run threads and
#         sockets, each run directly with its concurrent suites selected: the generator, job and
#         WordNet suites and the fake server (unit tests), the Claude pipeline and HTTPS client
#         (integration tests), crash/network/security (reliability tests), and the C ABI test.
#
# Any report fails the run: -fno-sanitize-recover=all and halt_on_error=1 turn the first one
# into a non-zero exit. Usage: scripts/ci-sanitizers.sh [asan|tsan|all]   (default: all)
# MCQGEN_JOBS (default 2) bounds the build and ctest parallelism; MCQGEN_CMAKE_ARGS adds
# configure arguments.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-all}
case $mode in asan | tsan | all) ;; *) echo "usage: $0 [asan|tsan|all]" >&2; exit 2 ;; esac
source scripts/ci-common.sh sanitizers
export MCQGEN_RELIABILITY_REPORT=$report # the tests write their figures there too

bash scripts/install-deps.sh

step() { # step NAME COMMAND...: runs and times one step, records the time, keeps its status
    local name=$1 start=$SECONDS status=0
    shift
    echo "== $name" >&2
    "$@" || status=$?
    echo "sanitizers.$name: seconds=$((SECONDS - start)) status=$status" | tee -a "$report" >&2
    return "$status"
}

configure() { # configure DIR SANITIZERS
    cmake -S . -B "$1" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMCQGEN_SANITIZE="$2" \
        -DCMAKE_C_FLAGS="-fno-sanitize-recover=all" -DCMAKE_CXX_FLAGS="-fno-sanitize-recover=all" \
        -DMCQGEN_BUILD_TESTS=ON -DMCQGEN_BUILD_EXAMPLES=ON -DMCQGEN_INSTALL=OFF \
        "${extra_args[@]}" >/dev/null
}

if [ "$mode" != tsan ]; then
    ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:strict_string_checks=1
    ASAN_OPTIONS+=:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1
    export ASAN_OPTIONS
    export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
    step asan_configure configure build-asan "address,undefined"
    step asan_build cmake --build build-asan -j"$jobs"
    # -LE packaging: python.pip_install_venv builds its own, uninstrumented library from
    # scratch (minutes, and nothing for a sanitizer to see). The other packaging tests are not
    # registered here anyway (MCQGEN_INSTALL=OFF).
    MCQGEN_SKIP_BIG_DOCUMENT=1 step asan_ctest \
        ctest --test-dir build-asan --output-on-failure -j"$jobs" --timeout 1200 -LE packaging
    unset ASAN_OPTIONS UBSAN_OPTIONS
fi

if [ "$mode" != asan ]; then
    export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:history_size=4
    # gcc 12's TSan cannot map its shadow under the high ASLR entropy of newer kernels; running
    # without address randomisation is the documented workaround (when the sandbox allows it).
    tsan_run=()
    if [ "$(cat /proc/sys/vm/mmap_rnd_bits 2>/dev/null || echo 28)" -gt 28 ] &&
        setarch "$(uname -m)" -R true 2>/dev/null; then
        tsan_run=(setarch "$(uname -m)" -R)
    fi
    step tsan_configure configure build-tsan thread
    tsan_targets=(mcqgen_unit_tests mcqgen_integration_tests mcqgen_reliability_tests
        mcqgen_reliability_child mcqgen_cli)
    known=$(cmake --build build-tsan --target help)
    if grep -qx '\.\.\. mcqgen_capi_test' <<<"$known"; then
        tsan_targets+=(mcqgen_capi_test)
    fi
    step tsan_build cmake --build build-tsan -j"$jobs" --target "${tsan_targets[@]}"
    tsan_suites() {
        local failed=0 pids=() exe
        # Two programs at a time: the suites wait on sockets and timers more than on the CPU.
        "${tsan_run[@]}" build-tsan/tests/mcqgen_unit_tests \
            -ts=generator,job,contracts,fake_claude,wordnet --no-intro=true &
        pids+=($!)
        "${tsan_run[@]}" build-tsan/tests/mcqgen_integration_tests --no-intro=true &
        pids+=($!)
        for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
        exe=$(find build-tsan -name mcqgen_reliability_tests -type f -perm -u+x | head -n1)
        "${tsan_run[@]}" "$exe" -ts=reliability_crash,reliability_network,reliability_security \
            --no-intro=true || failed=1
        exe=$(find build-tsan -name mcqgen_capi_test -type f -perm -u+x | head -n1)
        if [ -n "$exe" ]; then
            # Every C test function in one process, its files under build-tsan.
            mkdir -p build-tsan/capi-files
            env MCQGEN_API_KEY= ANTHROPIC_API_KEY= CLAUDE_API_KEY= MCQGEN_OFFLINE=1 \
                "${tsan_run[@]}" "$exe" all build-tsan/capi-files || failed=1
        fi
        return $failed
    }
    step tsan_tests tsan_suites
fi

echo "== figures ($report)" >&2
cat "$report" >&2
