#!/usr/bin/env python3
"""Extracts the real documents of the offline quality tests into OUTDIR.

Six documents of different fields, read from Debian's documentation packages at test time
(nothing of them is committed): each is decompressed, cut to a part when it is huge, or has the
bodies of a few HTML pages joined into one HTML file. HTML stays HTML, because the library
reads HTML itself. OUTDIR/manifest.tsv lists them: name, field, package, file, format.

A missing package is a loud failure naming it (scripts/install-deps.sh installs them all).
debian-history and python3-doc are deliberately not used: they are kept for a blind check.

Usage: make_corpus.py OUTDIR
"""

import gzip
import pathlib
import re
import sys

DOC = pathlib.Path("/usr/share/doc")


class MissingPackage(Exception):
    pass


def need(package, path):
    """The path, or a MissingPackage naming the package that ships it."""
    path = pathlib.Path(path)
    if not path.exists():
        raise MissingPackage(f"{path} is missing: install the Debian package {package} "
                             f"(scripts/install-deps.sh installs it)")
    return path


def read_text(package, path):
    path = need(package, path)
    data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    return data.decode("utf-8")


def between(package, text, start_pattern, end_pattern):
    """The text from the first line matching start_pattern up to the next matching end_pattern."""
    start = re.search(start_pattern, text, re.M)
    end = start and re.search(end_pattern, text[start.start():], re.M)
    if not start or not end:
        raise MissingPackage(f"{package}: the expected part ({start_pattern!r} .. "
                             f"{end_pattern!r}) was not found; has the package changed?")
    return text[start.start():start.start() + end.start()]


def body(package, path):
    """The inside of an HTML page's <body>."""
    html = read_text(package, path)
    match = re.search(r"<body[^>]*>(.*)</body>", html, re.S | re.I)
    if not match:
        raise MissingPackage(f"{path} ({package}) has no <body>")
    return match.group(1)


def chapters(package, path, ids):
    """The texinfo chapters with these ids, each up to where the next chapter begins."""
    html = read_text(package, path)
    parts = []
    for chapter_id in ids:
        start = html.find(f'<div class="chapter" id="{chapter_id}">')
        if start < 0:
            raise MissingPackage(f"{path} ({package}) has no chapter {chapter_id}")
        end = html.find('<div class="chapter"', start + 1)
        parts.append(html[start:end if end > 0 else len(html)])
    return parts


def html_document(title, parts):
    return ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + title +
            "</title></head>\n<body>\n" + "\n".join(parts) + "\n</body></html>\n")


def constitution():
    # Debian's governance texts together: the constitution is mostly lists, and on its own it
    # has too few sentences of prose for twenty questions.
    return "\n\n".join(read_text("doc-debian", DOC / "debian" / name) for name in
                        ("constitution.txt.gz", "social-contract.txt.gz", "debian-manifesto.gz"))


def jargon():
    # The lexicon itself is 1.7 MB; its introduction (chapters 1-12) is the prose part.
    text = read_text("jargon-text", DOC / "jargon-text/jargon.txt.gz")
    return between("jargon-text", text, r"^Chapter\s1\.\sHacker Slang", r"^Glossary$")


def r_intro():
    path = DOC / "r-doc-html/manual/R-intro.html"
    ids = ["Introduction-and-preliminaries", "Simple-manipulations-numbers-and-vectors",
           "Probability-distributions", "Statistical-models-in-R"]
    return html_document("An Introduction to R", chapters("r-doc-html", path, ids))


def postgresql():
    html = DOC / "postgresql-doc-15/html"
    pages = ["history", "tutorial-arch", "tutorial-concepts", "tutorial-sql-intro",
             "tutorial-fk", "tutorial-transactions", "tutorial-inheritance"]
    return html_document("PostgreSQL: history and tutorial",
                         [body("postgresql-doc-15", html / f"{p}.html") for p in pages])


def maint_guide():
    html = DOC / "maint-guide/html"
    pages = ["start", "first", "dreq", "upload"]
    return html_document("Debian New Maintainers' Guide",
                         [body("maint-guide", html / f"{p}.en.html") for p in pages])


def debian_faq():
    html = DOC / "debian/FAQ"
    pages = ["basic-defs", "compatibility", "software", "ftparchives", "support"]
    return html_document("The Debian GNU/Linux FAQ",
                         [body("debian-faq", html / f"{p}.en.html") for p in pages])


# name, field, package, file, format, extractor
DOCUMENTS = [
    ("constitution", "governance", "doc-debian", "constitution.txt", "text", constitution),
    ("jargon", "hacker culture", "jargon-text", "jargon.txt", "text", jargon),
    ("r-intro", "statistics", "r-doc-html", "r-intro.html", "html", r_intro),
    ("postgresql", "databases and their history", "postgresql-doc-15", "postgresql.html",
     "html", postgresql),
    ("maint-guide", "packaging", "maint-guide", "maint-guide.html", "html", maint_guide),
    ("debian-faq", "operating systems", "debian-faq", "debian-faq.html", "html", debian_faq),
]


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    out = pathlib.Path(argv[1])
    out.mkdir(parents=True, exist_ok=True)
    (out / "manifest.tsv").unlink(missing_ok=True)  # no stale corpus if this run fails
    rows, missing = ["name\tfield\tpackage\tfile\tformat"], []
    for name, field, package, file, fmt, extract in DOCUMENTS:
        try:
            (out / file).write_text(extract(), encoding="utf-8")
        except MissingPackage as error:
            missing.append((package, str(error)))
            continue
        rows.append("\t".join([name, field, package, file, fmt]))
    if missing:
        for _, message in missing:
            print("make_corpus: " + message, file=sys.stderr)
        packages = " ".join(sorted({package for package, _ in missing}))
        print(f"make_corpus: FAILED, install: apt-get install {packages}", file=sys.stderr)
        return 1
    (out / "manifest.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    for row in rows[1:]:
        name, _, _, file, _ = row.split("\t")
        print(f"{name}: {file}, {(out / file).stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
