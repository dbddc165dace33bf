#!/usr/bin/env bash
# Installs the Debian packages mcqgen needs to build and test, and only those that are missing.
# Idempotent: a second run installs nothing. Run as root (or with sudo available).
set -euo pipefail

packages=(
  build-essential cmake pkg-config git
  clang-format # version 14 on Debian 12: scripts/check-format.sh
  libboost1.81-dev libboost-json1.81-dev
  libssl-dev openssl
  libsqlite3-dev sqlite3 libsqlitecpp-dev
  doctest-dev
  libxml2-dev libzip-dev zip  # HTML, DOCX and EPUB readers; zip builds test fixtures
  libpoppler-cpp-dev qpdf      # the PDF component (MCQGEN_WITH_PDF); qpdf encrypts test PDFs
  wordnet-dev wordnet-base     # offline distractors: WordNet's library and database
  python3 python3-pip python3-venv
  # real documents for the offline quality tests (tests/quality/make_corpus.py)
  doc-debian jargon-text r-doc-html postgresql-doc-15 maint-guide debian-faq
)
# Extra tools for the reliability checks (sanitizers, fuzzing); opt in with MCQGEN_DEV_TOOLS=1.
if [ "${MCQGEN_DEV_TOOLS:-0}" = 1 ]; then
  packages+=(clang libclang-rt-dev)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
