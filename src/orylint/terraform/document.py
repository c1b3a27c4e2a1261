"""A format-neutral view of one configuration file: blocks, attributes, references, comments.

Both the native HCL loader and the ``.tf.json`` loader produce a :class:`Document`, so the step
that builds the model (``extract``) does not care which syntax a file used.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from orylint.terraform.values import Attribute, Element, Reference, Span

if TYPE_CHECKING:
    from orylint.terraform.evaluator import Scope


class Expression(Protocol):
    """An attribute's expression as written, to be evaluated again in a module instance's scope.

    The loader evaluates each expression once without a scope (``Attribute.value``); module
    evaluation asks again with ``var.``, ``local.``, ``each.`` and the rest bound.
    """

    def value(self, scope: Scope | None = None) -> object:
        """The value in ``scope`` (Terraform errors become unknowns)."""

    def elements(self, scope: Scope | None = None) -> tuple[Element, ...] | None:
        """Each element of a list literal with its own span, evaluated in ``scope``."""

    @property
    def syntax(self) -> object:
        """The expression as written: a lark node (native syntax), a JSON value (JSON syntax).

        Where Terraform reads syntax rather than values (a variable's ``type``), this is it.
        """


@dataclass
class BlockAttribute:
    """An attribute with the references its expression contains.

    ``members`` is set when the expression is an object literal: the references of each key, so
    that ``local.creds.id`` follows only what ``id`` holds. ``expression`` is the expression as
    written, for what needs its syntax rather than its value (a variable's ``type``):
    python-hcl2's lark node in native syntax, the decoded JSON value in JSON syntax.
    """

    attribute: Attribute
    references: list[Reference] = field(default_factory=list)
    members: dict[str, list[Reference]] | None = None
    expression: Expression | None = None


@dataclass
class Block:
    """A block such as ``resource "ory_oauth2_client" "web" { ... }``."""

    type: str
    labels: list[str]
    span: Span
    header_span: Span
    attributes: dict[str, BlockAttribute] = field(default_factory=dict)
    duplicates: list[BlockAttribute] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)


@dataclass(frozen=True)
class Comment:
    """A comment with its span; suppressions are read from these.

    ``target`` is set where the syntax itself says what the comment belongs to (a ``"//"``
    member of a ``.tf.json`` block belongs to that block).
    """

    span: Span
    text: str
    target: Span | None = None


@dataclass
class Document:
    """One parsed file.

    ``attributes`` are the top-level attributes, in file order with duplicates: the whole of a
    ``.tfvars`` file (in a ``.tf`` file Terraform allows none).
    """

    path: str
    text: str
    blocks: list[Block] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    attributes: list[BlockAttribute] = field(default_factory=list)


@dataclass(frozen=True)
class LoadError:
    """A file that could not be read or parsed, with where and why in plain words.

    ``fatal`` marks inputs that are not lintable at all (a malformed plan, say): they make the
    exit code 2, while a ``.tf`` syntax error is an ordinary finding (ORY001).
    """

    path: str
    line: int
    column: int
    message: str
    fatal: bool = False
