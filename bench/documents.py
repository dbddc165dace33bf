"""Large benchmark documents stitched from the repository's sample documents.

The two samples in examples/documents/ hold about 9.5 KB of text (96 sentences). A larger
document starts with both samples verbatim, then adds rewritten copies until it reaches the size
asked for. In each copy:
- the sentences are shuffled (seeded by the copy number) and regrouped into paragraphs of three
  to six, so that no two copies have the same passages;
- every proper name (a word that the samples capitalise in the middle of a sentence) becomes an
  invented name built from syllables, the same within a copy and different between copies;
- every number is shifted by an amount that depends on the copy (years stay plausible years).

What still repeats is the sentence structure: a 1 MB document holds each of the 96 sentence
shapes about a hundred times, with other names and numbers. A term-based generator therefore
finds many sentences that differ only in their names and numbers, and the pipeline's
near-duplicate gate turns some of its candidates down; a real long document (minutes, a
catalogue, a law code) is formulaic in the same way, though less so.
"""

import gzip
import hashlib
import random
import re
from pathlib import Path

SYLLABLES = ["ka", "ran", "vel", "mo", "ta", "shi", "len", "dor", "pa", "ri", "su", "gan",
             "bel", "no", "vik", "te", "mer", "lo", "zan", "tur", "il", "sa", "ko", "ven"]
# Capitalised mid-sentence, but not names.
NOT_NAMES = {"I", "A", "B", "N", "R"}
WORD = re.compile(r"\b[A-Z][a-z]+\b")
NUMBER = re.compile(r"\b\d+\b")
# A sentence ends at . ! or ? followed by a capital, except after an initial ("B. R. Ambedkar").
SENTENCE_END = re.compile(r"(?<!\s[A-Z]\.)(?<=[.!?])\s+(?=[A-Z])")


def sample_sentences(samples_dir: Path) -> list[str]:
    sentences = []
    for path in sorted(samples_dir.glob("*.txt")):
        for paragraph in path.read_text(encoding="utf-8").split("\n\n"):
            paragraph = " ".join(paragraph.split())
            if paragraph.endswith((".", "!", "?")):  # headings have no full stop
                sentences += SENTENCE_END.split(paragraph)
    return sentences


def proper_names(sentences: list[str]) -> set[str]:
    names = set()
    for sentence in sentences:
        for match in WORD.finditer(sentence):
            if match.start() > 0 and match.group(0) not in NOT_NAMES:
                names.add(match.group(0))
    return names


def invented_name(word: str, copy: int) -> str:
    digest = hashlib.sha256(f"{word}/{copy}".encode()).digest()
    count = 2 + digest[0] % 2
    return "".join(SYLLABLES[digest[1 + i] % len(SYLLABLES)] for i in range(count)).capitalize()


def shift_number(text: str, copy: int) -> str:
    value = int(text)
    if 1000 <= value <= 2100:  # a year: stays a plausible year
        return str(value - 150 + (copy * 37) % 300)
    return str(value + copy % 97 + 1)


def rewritten_copy(sentences: list[str], names: set[str], copy: int) -> str:
    rng = random.Random(copy)
    order = sentences[:]
    rng.shuffle(order)

    def rename(match: re.Match) -> str:
        word = match.group(0)
        return invented_name(word, copy) if word in names else word

    rewritten = [NUMBER.sub(lambda m: shift_number(m.group(0), copy), WORD.sub(rename, s))
                 for s in order]
    paragraphs, i = [], 0
    while i < len(rewritten):
        size = rng.randint(3, 6)
        paragraphs.append(" ".join(rewritten[i:i + size]))
        i += size
    return f"Part {copy + 1}\n\n" + "\n\n".join(paragraphs)


def make_document(samples_dir: Path, size: int) -> str:
    """A document of about `size` bytes, cut at a paragraph boundary at or just past it."""
    originals = [p.read_text(encoding="utf-8").strip() for p in sorted(samples_dir.glob("*.txt"))]
    sentences = sample_sentences(samples_dir)
    names = proper_names(sentences)
    parts = ["Part 1\n\n" + "\n\n".join(originals)]
    copy = 1
    while sum(len(p.encode("utf-8")) + 2 for p in parts) < size:
        parts.append(rewritten_copy(sentences, names, copy))
        copy += 1
    text = "\n\n".join(parts)
    cut = text.find("\n\n", size)
    return (text if cut < 0 else text[:cut]) + "\n"



# ---- real documents ------------------------------------------------------------------------
# The long-document benchmark (bench/long_documents.py) reads real manuals, not stitched ones:
# the plain-text files of Debian documentation packages, concatenated in a fixed order. They
# are built on the machine that runs the benchmark and never committed.

PYTHON_SOURCES = "/usr/share/doc/python3.11/html/_sources"  # reST sources of the HTML manual
REAL_DOCUMENTS = {
    # name: (Debian packages, the files in order: a glob relative to a directory, or a file)
    "40 KB": (["python3-doc"], [f"{PYTHON_SOURCES}/tutorial/controlflow.rst.txt"]),
    "1 MB": (["debian-reference-en", "gnu-standards"],
             ["/usr/share/debian-reference/debian-reference.en.txt.gz",
              "/usr/share/doc/gnu-standards/standards.text.gz"]),
    # The whole Python 3.11 manual (tutorial, library and language reference, HOWTOs, FAQs,
    # What's New): a shelf of books.
    "10 MB": (["python3-doc"], [f"{PYTHON_SOURCES}/**/*.rst.txt"]),
}


def _read_text(path: Path) -> str:
    data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    return data.decode("utf-8", errors="replace")


def _expand(pattern: str) -> list[Path]:
    if "*" not in pattern:
        return [Path(pattern)]
    root, _, glob = pattern.partition("/**/")
    return sorted(Path(root).glob("**/" + glob))


def real_document(name: str) -> str:
    """The text of REAL_DOCUMENTS[name]: its files joined by blank lines."""
    packages, patterns = REAL_DOCUMENTS[name]
    files = [path for pattern in patterns for path in _expand(pattern)]
    if not files or not all(path.is_file() for path in files):
        raise SystemExit(f"the {name} document needs the Debian packages {' '.join(packages)}: "
                         f"apt-get install --no-install-recommends {' '.join(packages)}")
    return "\n\n".join(_read_text(path).strip() for path in files) + "\n"


if __name__ == "__main__":
    import sys
    sys.stdout.write(make_document(Path(sys.argv[1]), int(sys.argv[2])))
