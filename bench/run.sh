#!/usr/bin/env bash
# The benchmarks as one command (issue 6). From the repository root:
#
#   bash bench/run.sh           builds what is needed into build-bench/, installs the npm
#                               packages into bench/sdk/ and gnuplot if missing, runs every part
#                               (about 15 minutes on 2 cores, plus the first build) and
#                               rewrites docs/benchmarks.md and docs/benchmarks.png
#   bash bench/run.sh --smoke   every part with tiny sizes (well under 2 minutes); writes to a
#                               temporary directory, never to docs/
#
# Options: --build-dir DIR (default build-bench, or $MCQGEN_BENCH_BUILD_DIR), --no-build (use
# the programs already built in DIR), --out-dir DIR (where the report goes), --parts LIST
# (client,pipeline,scale), --report-only RESULTS.json (rewrite the report from the raw results
# a previous run left in DIR/bench-results.json).
set -euo pipefail
cd "$(dirname "$0")/.."

smoke=0
build=1
build_dir=${MCQGEN_BENCH_BUILD_DIR:-build-bench}
out_dir=""
parts="client,pipeline,scale"
report_only=""
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) smoke=1 ;;
    --no-build) build=0 ;;
    --build-dir) build_dir=$2; shift ;;
    --out-dir) out_dir=$2; shift ;;
    --parts) parts=$2; shift ;;
    --report-only) report_only=$2; shift ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "bench/run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

export PYTHONDONTWRITEBYTECODE=1 # no __pycache__ in bench/
say() { echo "[bench] $*" >&2; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# ---- tools -------------------------------------------------------------------------------------
install_gnuplot() {
  [ "$(id -u)" -eq 0 ] || command -v sudo >/dev/null || return 1
  say "installing gnuplot-nox"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get install -y -qq --no-install-recommends gnuplot-nox >/dev/null 2>&1 ||
    { as_root apt-get update -qq &&
      as_root apt-get install -y -qq --no-install-recommends gnuplot-nox >/dev/null; }
}
if ! command -v gnuplot >/dev/null && ! install_gnuplot; then
  if [ "$smoke" -eq 0 ]; then
    echo "bench/run.sh: gnuplot is missing and could not be installed" >&2
    exit 1
  fi
  say "gnuplot could not be installed: the smoke run skips the plot"
fi
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "bench/run.sh: Node.js (20.18 or later) and npm are needed for the SDK benchmark" >&2
  exit 1
fi
if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number);
              process.exit(a > 20 || (a === 20 && b >= 18) ? 0 : 1)'; then
  echo "bench/run.sh: Node.js $(node --version) is too old; undici 7 needs 20.18 or later" >&2
  exit 1
fi
if [ -z "$report_only" ]; then
  # npm ci only when the lock file changed since the last install.
  if [ ! -f bench/sdk/node_modules/.package-lock.json ] ||
     [ bench/sdk/package-lock.json -nt bench/sdk/node_modules/.package-lock.json ]; then
    say "installing the npm packages into bench/sdk"
    (cd bench/sdk && npm ci --no-audit --no-fund --loglevel=error >&2)
  fi
fi

# ---- build -------------------------------------------------------------------------------------
jobs=$(nproc)
[ "$jobs" -gt 2 ] && jobs=2 # the machine is shared: never more than two compile jobs
if [ "$build" -eq 1 ] && [ -z "$report_only" ]; then
  bash scripts/install-deps.sh
  say "building into $build_dir"
  cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE="${CMAKE_BUILD_TYPE:-RelWithDebInfo}" \
    -DMCQGEN_BUILD_BENCH=ON >/dev/null
  if ! cmake --build "$build_dir" -j"$jobs" --target mcqgen_bench >&2; then
    echo "bench/run.sh: the build failed (is add_subdirectory(bench) in CMakeLists.txt?)" >&2
    exit 1
  fi
fi

# ---- run ---------------------------------------------------------------------------------------
args=(--build-dir "$build_dir" --parts "$parts" --command "bash bench/run.sh")
[ -n "$report_only" ] && args+=(--from-results "$report_only")
if [ "$smoke" -eq 1 ]; then
  scratch=""
  if [ -z "$out_dir" ]; then
    scratch=$(mktemp -d "${TMPDIR:-/tmp}/mcqgen-bench-smoke.XXXXXX")
    trap 'rm -rf "$scratch"' EXIT
    out_dir=$scratch
  fi
  python3 bench/driver.py "${args[@]}" --smoke --out-dir "$out_dir"
  test -s "$out_dir/benchmarks.md"
  if command -v gnuplot >/dev/null && [[ ",$parts," == *,client,* ]]; then
    test -s "$out_dir/benchmarks.png"
  fi
  say "smoke run passed (report in $out_dir${scratch:+, removed})"
else
  [ -z "$report_only" ] && args+=(--results "$build_dir/bench-results.json")
  python3 bench/driver.py "${args[@]}" --out-dir "${out_dir:-docs}"
fi
