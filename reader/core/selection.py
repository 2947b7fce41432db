"""Selections made by hand snap to whole words, so a note never starts at "t the footage".

A drag rarely lands exactly on a word boundary; the passage a person means is the words it
touches. Punctuation and spaces at either end are dropped, a word cut in half is completed.
"""

from __future__ import annotations


def snap_to_words(text: str, start: int, end: int) -> tuple[int, int]:
    """``[start, end)`` widened to whole words and trimmed of surrounding spaces; unchanged if it
    holds no word character at all (a selected comma stays a comma)."""
    start, end = max(0, min(start, len(text))), max(0, min(end, len(text)))
    if end <= start:
        return start, end
    a, b = start, end
    while a < b and not text[a].isalnum():
        a += 1
    while b > a and not text[b - 1].isalnum():
        b -= 1
    if a >= b:
        return start, end
    # complete a word cut in half (letters and digits on both sides of the cut); an apostrophe or
    # hyphen is a boundary already, so "Tokayev" of "Tokayev’s" stays as chosen
    while a > 0 and text[a - 1].isalnum() and text[a].isalnum():
        a -= 1
    while b < len(text) and text[b].isalnum() and text[b - 1].isalnum():
        b += 1
    return a, b
