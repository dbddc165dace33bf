#!/usr/bin/env bash
# The main job, offline: build, then turn the sample document into a stored 10-question test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
./build/examples/mcqgen generate examples/documents/indian_constitution.txt -n 10 --db demo.db "$@"
