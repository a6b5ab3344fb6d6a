"""Sentences: where they end in prose (a preview quotes an abstract's first sentences,
and a card's "Discussed in" the sentence around each mention of its paper), and how
a count reads in one that the build says."""

from __future__ import annotations

import re
from collections.abc import Iterator

#: Words that end with a full stop inside a sentence.
_ABBREVIATIONS = frozenset(
    "al e.g i.e cf vs etc fig figs eq eqs sec ref refs approx resp no dr prof".split())
_SENTENCE_END = re.compile(r"[.!?](?=\s+[\"'(\[]?[A-Z0-9])")


def sentence_ends(text: str) -> Iterator[int]:
    """Where each sentence of ``text`` but its last ends (just past its full stop)."""
    for match in _SENTENCE_END.finditer(text):
        word = text[:match.start()].rsplit(" ", 1)[-1].lstrip("([{\"'").casefold()
        # "et al.", "e.g." and initials ("J. Smith") end no sentence.
        if word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
            continue
        yield match.end()


def first_sentences(text: str, count: int, limit: int) -> str:
    """The first ``count`` sentences of ``text``, cut at a word before ``limit`` characters."""
    text = " ".join(text.split())
    end = 0
    for end in sentence_ends(text):
        count -= 1
        if not count:
            break
    excerpt = text[:end] if end and not count else text
    if len(excerpt) <= limit:
        return excerpt
    return excerpt[:limit].rsplit(" ", 1)[0].rstrip(",;:") + " …"


def sentence_at(text: str, position: int, limit: int) -> str:
    """The sentence of ``text`` (whitespace already single spaces) that holds
    ``position``; where it is longer than ``limit`` characters, the words around
    ``position`` that fit, marked cut with "…"."""
    start, end = 0, len(text)
    for stop in sentence_ends(text):
        if stop <= position:
            start = stop
        else:
            end = stop
            break
    sentence = text[start:end].strip()
    position -= start + (len(text[start:end]) - len(text[start:end].lstrip()))
    if len(sentence) <= limit:
        return sentence
    # As much before the position as after it, each side cut at a word.
    left = max(0, position - limit // 2)
    right = min(len(sentence), left + limit)
    left = max(0, right - limit)
    excerpt = sentence[left:right]
    if left:
        excerpt = "… " + excerpt.split(" ", 1)[-1]
    if right < len(sentence):
        excerpt = excerpt.rsplit(" ", 1)[0].rstrip(",;:") + " …"
    return excerpt


def counted(number: int, noun: str) -> str:
    """``1 paper``, ``2 papers``: ``noun`` is one whose plural takes an s."""
    return f"{number} {noun}{'' if number == 1 else 's'}"
