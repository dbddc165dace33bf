#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test (C++, C, Python, CLI) with ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
cd "${MCQGEN_BUILD_DIR:-build}"
ctest --output-on-failure -j"$(nproc)" --timeout 600
