"""Building blocks for rule fixes: edits that are safe only on literal source text.

A fix rewrites what the user wrote, so it applies only where the value is written literally in a
``.tf`` or ``.tf.json`` file: never to a value that came from a variable, a module argument or a
plan (the edit would land on the wrong text).
"""

from __future__ import annotations

from orylint.engine.findings import Edit, Fix
from orylint.model.project import Client
from orylint.terraform.values import Attribute, Element

_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def quote(text: str) -> str:
    r"""A string literal valid in both HCL and JSON.

    Only the escapes both syntaxes read: ``\"``, ``\\``, ``\n``, ``\r``, ``\t`` and ``\uXXXX``
    for the other control characters (JSON's ``\b`` and ``\f`` are not HCL). Everything else is
    written as itself, in UTF-8: a character outside the BMP (😀) as a JSON surrogate pair
    ``\ud83d\ude00`` is an invalid escape to Terraform. Both syntaxes escape template sequences
    the same way (``$${``).
    """
    quoted = "".join(
        _ESCAPES.get(char)
        or (f"\\u{ord(char):04x}" if char < " " or "\ud800" <= char <= "\udfff" else char)
        for char in text
    )
    return '"' + quoted.replace("${", "$${").replace("%{", "%%{") + '"'


def _editable(client: Client) -> bool:
    return client.origin in ("hcl", "hcl-json")


def _literal_string(attribute: Attribute) -> bool:
    source = attribute.source.strip()
    return (
        len(source) >= 2
        and source[0] == source[-1] == '"'
        and "${" not in source
        and "%{" not in source
    )


def replace_value(client: Client, attribute: Attribute, text: str, description: str) -> Fix | None:
    """Replace a literal string attribute value with the string ``text``."""
    if not _editable(client) or not _literal_string(attribute):
        return None
    return Fix(description, (Edit(attribute.value_span, quote(text)),))


def _literal_element(client: Client, attribute: Attribute, element: Element) -> bool:
    return (
        _editable(client)
        and attribute.source.lstrip().startswith("[")
        and element.span != attribute.value_span
        and isinstance(element.value, str)
    )


def replace_element(
    client: Client, attribute: Attribute, element: Element, text: str, description: str
) -> Fix | None:
    """Replace one literal string element of a list literal."""
    if not _literal_element(client, attribute, element):
        return None
    return Fix(description, (Edit(element.span, quote(text)),))


def drop_element(
    client: Client, attribute: Attribute, element: Element, description: str
) -> Fix | None:
    """Remove one literal element of a list literal, with its separator."""
    if not _literal_element(client, attribute, element):
        return None
    return Fix(description, (Edit(element.span, "", list_element=True),))
