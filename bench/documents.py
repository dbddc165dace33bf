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


if __name__ == "__main__":
    import sys
    sys.stdout.write(make_document(Path(sys.argv[1]), int(sys.argv[2])))
