#!/usr/bin/env bash
# Fails when a tracked C or C++ file is not formatted as the checked-in .clang-format says.
# Needs clang-format 14 (Debian 12's `clang-format` package): other versions format some
# constructs differently, so their verdict would not match the tree's.
#   scripts/check-format.sh                          check every tracked C/C++ file
#   CLANG_FORMAT=clang-format-14 scripts/check-format.sh
# To fix what it reports, run the same files through `clang-format -i`.
set -euo pipefail
cd "$(dirname "$0")/.."

clang_format=${CLANG_FORMAT:-clang-format}
version=$("$clang_format" --version)
if [[ "$version" != *" version 14."* ]]; then
    echo "check-format.sh: needs clang-format 14; $clang_format is: $version" >&2
    exit 1
fi

mapfile -d '' files < <(git ls-files -z -- '*.c' '*.h' '*.cpp' '*.hpp')
if ! printf '%s\0' "${files[@]}" | xargs -0 "$clang_format" --dry-run --Werror; then
    echo "check-format.sh: the files above differ from .clang-format (fix: clang-format -i FILE)" >&2
    exit 1
fi
echo "check-format.sh: ${#files[@]} files match .clang-format" >&2
