"""Documents, figures and database checks shared by the Python reliability tests."""

import os
import random
import sqlite3


def varied_document(size, seed=1):
    """Prose of about `size` bytes that never repeats itself (as reliability_support.hpp)."""
    rng = random.Random(seed)
    syllables = ["var", "nok", "tel", "lin", "bra", "dos", "mir", "ka", "zu", "ren", "ost", "el",
                 "vi", "tam", "gor", "sha"]

    def name():
        return "".join(rng.choice(syllables) for _ in range(rng.randint(2, 3))).capitalize()

    def year():
        return str(rng.randint(1400, 2019))

    def number():
        return str(rng.randint(12, 9011))

    shapes = [
        lambda: f"In {year()}, the Council of {name()} elected {name()} {name()} as its chair "
                f"with {number()} votes.",
        lambda: f"The {name()} Assembly has {number()} members and meets in {name()} every "
                f"{rng.choice(['spring', 'winter', 'autumn', 'summer'])}.",
        lambda: f"{name()} {name()} founded the {name()} Institute of "
                f"{rng.choice(['Astronomy', 'Law', 'Botany', 'Medicine'])} in {year()}.",
        lambda: f"The river {name()} flows for {number()} kilometres through {name()} before it "
                f"reaches the {name()} Sea.",
        lambda: f"Under the {name()} Act of {year()}, the {name()} Tribunal hears appeals on "
                f"{rng.choice(['land', 'water', 'tax', 'trade'])} disputes.",
        lambda: f"A census in {year()} counted {number()} households in the valley of {name()}.",
        lambda: f"The {name()} Library keeps {number()} manuscripts, the oldest of them copied "
                f"in {year()}.",
        lambda: f"Merchants from {name()} brought {rng.choice(['silk', 'salt', 'copper', 'tea'])} "
                f"to the port of {name()} after the treaty of {year()}.",
    ]
    parts, total, sentence = [], 0, 0
    while total < size:
        text = rng.choice(shapes)() + ("\n\n" if sentence % 5 == 4 else " ")
        parts.append(text)
        total += len(text)
        sentence += 1
    return "".join(parts)



def report(line):
    """Appends a figure to MCQGEN_RELIABILITY_REPORT, if set (docs/reliability.md)."""
    path = os.environ.get("MCQGEN_RELIABILITY_REPORT")
    if path:
        with open(path, "a", encoding="utf-8") as out:
            out.write(line + "\n")


def rows(db):
    """(tests, questions) in the database at `db`, read without writing to it."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        return (conn.execute("SELECT count(*) FROM tests").fetchone()[0],
                conn.execute("SELECT count(*) FROM questions").fetchone()[0])
