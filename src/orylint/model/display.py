r"""Text from the input made safe to show: one function for terminals, one for XML.

Labels, file names, comments, source lines and quoted values come from files anyone can write.
Shown raw, a control character can move the cursor or recolour the terminal (``ESC [``), a
bidirectional control (U+202E, U+2066 to U+2069) can make a line read differently from what it is,
a zero-width character can hide a difference, and XML 1.0 forbids most C0 controls outright, so a
JUnit report holding one does not parse. Every such character is written as a visible escape
(``\u001b``, ``\u202e``, ``\U000e0001``) instead: what Python's ``str.isprintable`` refuses is
escaped, which covers the C0 and C1 controls, the format characters (bidi controls, zero-width
spaces and joiners, the BOM), line and paragraph separators, surrogates, private-use and
unassigned code points.
"""

from __future__ import annotations


def _escape_char(char: str) -> str:
    r"""One character as the escape JSON, HCL and Go read back: ``\u001b`` or ``\U000e0001``."""
    code = ord(char)
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def escape_terminal(text: str, *, keep: str = "") -> str:
    r"""``text`` with every character that is not printable escaped, except those in ``keep``.

    A finding's line in the text format is one terminal line, so by default even line feeds and
    tabs are escaped; a multi-line block (an XML text node) keeps them with ``keep="\n\t"``.
    """
    if text.isprintable():  # the common case, and fast
        return text
    return "".join(
        char if char.isprintable() or char in keep else _escape_char(char) for char in text
    )


def escape_xml(text: str) -> str:
    """``text`` safe in an XML 1.0 document, in an attribute or an element.

    XML 1.0 allows only tab, line feed and carriage return below U+0020 and forbids surrogates
    and U+FFFE/U+FFFF; those would make the document ill-formed. The terminal escape is a
    superset of them, and a JUnit report is read in terminals and web pages, where bidi controls
    mislead just as much, so XML keeps only tabs and line feeds (carriage returns are escaped:
    an XML parser would turn them into line feeds).
    """
    return escape_terminal(text, keep="\n\t")
