"""Root module variables, resolved as ``terraform plan`` would resolve them, with provenance.

On real repositories the values that matter (redirect URIs, CORS origins, lifespans) live in
variable defaults and ``.tfvars`` files; a linter that stops at ``var.x`` checks none of them.
This module gives each root variable the value Terraform would give it, and says where that
value came from (``terraform.tfvars:3``, ``-var``, ``TF_VAR_ttl``, the default), so that a
finding can quote it.

Precedence, lowest first, as ``internal/command/arguments/vars.go`` (``CollectValues``) does it:

1. the ``default`` of the declaration;
2. ``TF_VAR_name`` environment variables;
3. ``terraform.tfvars``, then ``terraform.tfvars.json``;
4. ``*.auto.tfvars`` and ``*.auto.tfvars.json``, in lexical order of their names;
5. ``-var-file`` files in the order given, then ``-var`` values in the order given.

Terraform interleaves ``-var`` and ``-var-file`` in command-line order; orylint takes its
``--var-file`` files first and its ``--var`` values after them (they differ only when one run
sets the same variable with a ``--var`` *before* a ``--var-file`` that sets it too).

A value given as a string (``-var``, ``TF_VAR_``) is taken literally for a primitive type or a
variable without ``type``, and parsed as an HCL expression otherwise (``VariableParsingMode`` in
``internal/configs/named_values.go``). The value is then converted to the type constraint after
filling ``optional()`` defaults (``PrepareFinalInputVariableValue`` in
``internal/terraform/eval_variable.go``); ``nullable = false`` turns ``null`` into the default;
``sensitive = true`` marks the value.

Anything Terraform would refuse (a value of the wrong type, a broken ``.tfvars`` file, an invalid
declaration) is reported as a :class:`VariableDiagnostic` and leaves the variables it concerns
unknown, never wrong. A variable with no value at all is unknown too: it would be prompted for.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from lark import Token, Tree

from orylint.terraform import recorder
from orylint.terraform.discover import AUTOMATIC_VAR_FILES, AUTOMATIC_VAR_SUFFIXES
from orylint.terraform.document import Block, BlockAttribute, Document, LoadError
from orylint.terraform.hcl_loader import load_hcl
from orylint.terraform.source import decode_source
from orylint.terraform.tfjson_loader import load_tfvars_json
from orylint.terraform.types import (
    NO_CONSTRAINT,
    ConversionError,
    TypeConstraint,
    TypeExpressionError,
    UnresolvedTypeError,
    contains_call,
    convert,
    parse_type_constraint,
    parse_type_string,
)
from orylint.terraform.values import Span, Unknown, mark

ENV_PREFIX = "TF_VAR_"
NO_VALUE = "root variable without a value"


@dataclass(frozen=True)
class VariableDiagnostic:
    """Something Terraform would report about a variable value; orylint goes on without it.

    ``severity`` is ``error`` where Terraform would stop, ``warning`` where it only warns.
    Messages name variables and files, never values (a value may be a secret).
    """

    message: str
    span: Span | None = None
    severity: str = "error"


@dataclass(frozen=True)
class ResolvedVariable:
    """A root variable's value for this run and where it came from.

    ``source`` is ``default``, ``file`` (a ``.tfvars`` file), ``-var``, ``environment`` or
    ``none``; ``origin`` says it for people (``terraform.tfvars:3``, ``-var``, ``TF_VAR_ttl``,
    ``variables.tf:3 (default)``), and ``span`` is where the winning value is written, when it
    is written in a file (a SARIF related location).
    """

    name: str
    value: object
    source: str
    origin: str
    span: Span | None
    declaration: Span
    sensitive: bool = False

    def describe(self, shown: str) -> str:
        """``var.ttl = "1d" (terraform.tfvars:3)``, with the value as the caller shows it."""
        return f"var.{self.name} = {shown} ({self.origin})"


@dataclass(frozen=True)
class _Declaration:
    name: str
    span: Span
    constraint: TypeConstraint
    has_default: bool
    default: object
    default_span: Span | None
    nullable: bool
    sensitive: bool


@dataclass(frozen=True)
class _Given:
    """A value for a variable from one source; ``text`` for strings still to parse."""

    source: str
    origin: str
    value: object = None
    text: str | None = None
    span: Span | None = None
    broken: bool = False


def resolve_root_variables(
    declarations: Iterable[Block],
    directory: str,
    *,
    var_files: Sequence[str] = (),
    vars: Mapping[str, str] | None = None,
    environ: Mapping[str, str] | None = None,
    diagnostics: list[VariableDiagnostic] | None = None,
) -> dict[str, ResolvedVariable]:
    """Every root variable declared in ``declarations`` (the module's blocks), resolved.

    ``directory`` is the root module's directory as paths are displayed (``.`` for the working
    directory): ``terraform.tfvars`` and ``*.auto.tfvars`` are read there. ``var_files`` are
    paths as displayed too. Problems go to ``diagnostics`` when a list is given.
    """
    problems: list[VariableDiagnostic] = diagnostics if diagnostics is not None else []
    declared, invalid = _declarations(declarations, problems)
    given: dict[str, _Given] = {}

    def broken(origin: str) -> None:
        for name in declared:
            given[name] = _Given("file", origin, broken=True)

    for key, text in (environ or {}).items():
        if key.startswith(ENV_PREFIX) and len(key) > len(ENV_PREFIX):
            given[key[len(ENV_PREFIX) :]] = _Given("environment", key, text=text)
    for path in _automatic_files(directory):
        _read_file(path, given, declared, problems, broken)
    for path in var_files:
        _read_file(path, given, declared, problems, broken)
    for name, text in (vars or {}).items():
        if name not in declared:
            problems.append(
                VariableDiagnostic(
                    f"a variable named {name!r} was given a value (--var or the configuration's "
                    f"vars), but the root module in {directory} declares no variable of that name"
                )
            )
            continue
        given[name] = _Given("-var", "-var", text=text)
    result: dict[str, ResolvedVariable] = {}
    for name, declaration in declared.items():
        if name in invalid:
            result[name] = _unknown(declaration, "an invalid variable declaration")
            continue
        result[name] = _resolve(declaration, given.get(name), problems)
    return result


def _automatic_files(directory: str) -> list[str]:
    """``terraform.tfvars``, ``terraform.tfvars.json``, then ``*.auto.tfvars(.json)`` sorted."""
    base = Path(directory)
    for name in AUTOMATIC_VAR_FILES:
        recorder.probe(base / name)
    found = [name for name in AUTOMATIC_VAR_FILES if (base / name).exists()]
    recorder.directory(base)
    try:
        names = sorted(os.listdir(base))
    except OSError:
        names = []
    found += [name for name in names if name.endswith(AUTOMATIC_VAR_SUFFIXES)]
    return [name if directory in ("", ".") else posixpath.join(directory, name) for name in found]


# --- declarations -------------------------------------------------------------------------------


def _declarations(
    blocks: Iterable[Block], problems: list[VariableDiagnostic]
) -> tuple[dict[str, _Declaration], set[str]]:
    """The ``variable`` blocks, and the names whose declaration Terraform would reject."""
    declared: dict[str, _Declaration] = {}
    invalid: set[str] = set()
    for block in blocks:
        if block.type != "variable" or len(block.labels) != 1:
            continue
        name = block.labels[0]
        try:
            declaration = _declaration(block)
        except _Invalid as error:
            problems.append(VariableDiagnostic(f"variable {name!r}: {error}", error.span))
            invalid.add(name)
            declaration = _Declaration(
                name, block.header_span, NO_CONSTRAINT, False, None, None, True, False
            )
        except UnresolvedTypeError:
            invalid.add(name)
            declaration = _Declaration(
                name, block.header_span, NO_CONSTRAINT, False, None, None, True, False
            )
        if name in declared:
            problems.append(
                VariableDiagnostic(f"duplicate declaration of variable {name!r}", block.header_span)
            )
            invalid.add(name)
            continue
        declared[name] = declaration
    return declared, invalid


class _Invalid(ValueError):
    def __init__(self, message: str, span: Span | None = None) -> None:
        super().__init__(message)
        self.span = span


def _declaration(block: Block) -> _Declaration:
    name = block.labels[0]
    attributes = block.attributes
    constraint = NO_CONSTRAINT
    if "type" in attributes:
        type_attribute = attributes["type"]
        try:
            constraint = _constraint(type_attribute)
        except TypeExpressionError as error:
            raise _Invalid(f"invalid type: {error}", type_attribute.attribute.value_span) from None
    nullable = _flag(attributes.get("nullable"), True)
    sensitive = _flag(attributes.get("sensitive"), False)
    default_attribute = attributes.get("default")
    default: object = None
    default_span = None
    if default_attribute is not None:
        default_span = default_attribute.attribute.value_span
        default = _constant(default_attribute, "the default")
        if default is not None and not isinstance(default, Unknown):
            try:
                default = convert(default, constraint)
            except ConversionError as error:
                raise _Invalid(
                    "the default value is not compatible with the type constraint: "
                    + error.prefixed("default"),
                    default_span,
                ) from None
        if default is None and not nullable:
            raise _Invalid("a null default value is not valid when nullable = false", default_span)
    return _Declaration(
        name,
        block.header_span,
        constraint,
        default_attribute is not None,
        default,
        default_span,
        nullable,
        sensitive,
    )


def _constraint(attribute: BlockAttribute) -> TypeConstraint:
    expression = _syntax(attribute)
    if isinstance(expression, Tree | Token):  # native syntax: the lark node
        return parse_type_constraint(expression)
    if isinstance(expression, str):  # JSON syntax: the type as a string
        return parse_type_string(expression)
    raise TypeExpressionError("a type must be a type expression such as list(string)")


def _syntax(attribute: BlockAttribute) -> object:
    return attribute.expression.syntax if attribute.expression is not None else None


def _flag(attribute: BlockAttribute | None, absent: bool) -> bool:
    if attribute is None:
        return absent
    value = attribute.attribute.value
    if not isinstance(value, bool):
        raise _Invalid(
            f"{attribute.attribute.name} must be true or false, written literally",
            attribute.attribute.value_span,
        )
    return value


def _constant(attribute: BlockAttribute, what: str) -> object:
    """A value Terraform evaluates without any scope: no references, no function calls."""
    if attribute.references:
        raise _Invalid(f"variables may not be used in {what}", attribute.attribute.value_span)
    if contains_call(_syntax(attribute)):
        raise _Invalid(f"functions may not be called in {what}", attribute.attribute.value_span)
    return attribute.attribute.value


# --- values -------------------------------------------------------------------------------------


def _read_file(
    path: str,
    given: dict[str, _Given],
    declared: Mapping[str, _Declaration],
    problems: list[VariableDiagnostic],
    broken: Callable[[str], None],
) -> None:
    """Add the values of one ``.tfvars`` or ``.tfvars.json`` file (``addVarsFromFile``)."""
    document = _load_tfvars(path)
    if isinstance(document, LoadError):
        problems.append(
            VariableDiagnostic(
                document.message,
                Span(document.path, document.line, document.column, document.line, document.column),
            )
        )
        broken(path)
        return
    if document.blocks:
        block = document.blocks[0]
        what = (
            f"a variable block ({block.labels[0]!r}) in a .tfvars file: declare variables in "
            ".tf files; a .tfvars file only assigns values (name = value)"
            if block.type == "variable" and block.labels
            else "a block in a .tfvars file, which may only assign values (name = value)"
        )
        problems.append(VariableDiagnostic(what, block.header_span))
        broken(path)
        return
    seen: set[str] = set()
    for attribute in document.attributes:
        name = attribute.attribute.name
        if name in seen:
            problems.append(
                VariableDiagnostic(
                    f"the value of {name!r} is assigned twice in {path}", attribute.attribute.span
                )
            )
            broken(path)
            return
        seen.add(name)
    for attribute in document.attributes:
        name = attribute.attribute.name
        span = attribute.attribute.value_span
        origin = f"{path}:{span.start_line}"
        try:
            value = _constant(attribute, f"a .tfvars file ({name})")
        except _Invalid as error:
            if name in declared:
                problems.append(VariableDiagnostic(str(error), error.span))
            given[name] = _Given("file", origin, span=span, broken=True)
            continue
        given[name] = _Given("file", origin, value=value, span=span)


def _load_tfvars(path: str) -> Document | LoadError:
    recorder.file(path)
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        return LoadError(path, 1, 1, f"the variables file {path} does not exist")
    except OSError as error:
        return LoadError(path, 1, 1, f"cannot read the variables file: {error.strerror or error}")
    text = decode_source(path, data)
    if isinstance(text, LoadError):
        return text
    if path.endswith(".json"):
        return load_tfvars_json(path, text)
    return load_hcl(path, text)


def _resolve(
    declaration: _Declaration, given: _Given | None, problems: list[VariableDiagnostic]
) -> ResolvedVariable:
    """``PrepareFinalInputVariableValue``: the value given, or the default, converted."""
    name = declaration.name
    if given is None or given.broken:
        if given is not None:
            return _unknown(declaration, f"the value from {given.origin} cannot be read", given)
        if not declaration.has_default:
            return _unknown(declaration, NO_VALUE)
        origin = _default_origin(declaration)
        return _final(declaration, declaration.default, "default", origin, declaration.default_span)
    value = given.value
    if given.text is not None:
        try:
            value = _parse_string(name, given.text, declaration.constraint, given.origin)
        except _Invalid as error:
            problems.append(VariableDiagnostic(str(error)))
            return _unknown(declaration, str(error), given)
    if isinstance(value, Unknown):
        return _final(declaration, value, given.source, given.origin, given.span)
    if value is not None:
        try:
            value = convert(value, declaration.constraint)
        except ConversionError as error:
            sensitive = " (a sensitive variable)" if declaration.sensitive else ""
            problems.append(
                VariableDiagnostic(
                    f"the value of var.{name}{sensitive} from {given.origin} is not valid for its "
                    f"type: {error.prefixed('var.' + name)}",
                    given.span or declaration.span,
                )
            )
            return _unknown(declaration, "a value Terraform rejects", given)
    if value is None and not declaration.nullable:
        if declaration.has_default:
            origin = _default_origin(declaration)
            return _final(
                declaration, declaration.default, "default", origin, declaration.default_span
            )
        problems.append(
            VariableDiagnostic(
                f"var.{name} is set to null from {given.origin}, but it is required and "
                "not nullable",
                given.span or declaration.span,
            )
        )
        return _unknown(declaration, "null for a required variable", given)
    return _final(declaration, value, given.source, given.origin, given.span)


def _parse_string(name: str, text: str, constraint: TypeConstraint, origin: str) -> object:
    """``VariableParsingMode.Parse``: a literal string, or an HCL expression without scope."""
    if constraint.literal_strings:
        return text
    where = f"<value for var.{name}>"
    document = load_hcl(where, f"value = {text}\n")
    if (
        isinstance(document, LoadError)
        or document.blocks
        or len(document.attributes) != 1
        or document.attributes[0].attribute.name != "value"
    ):
        raise _Invalid(
            f"the value of var.{name} from {origin} is not an expression orylint can parse"
        )
    attribute = document.attributes[0]
    if attribute.references:
        raise _Invalid(f"variables may not be used in the value of var.{name} from {origin}")
    if contains_call(_syntax(attribute)):
        raise _Invalid(f"functions may not be called in the value of var.{name} from {origin}")
    return attribute.attribute.value


def _final(
    declaration: _Declaration, value: object, source: str, origin: str, span: Span | None
) -> ResolvedVariable:
    return ResolvedVariable(
        declaration.name,
        mark(value, declaration.sensitive),
        source,
        origin,
        span,
        declaration.span,
        declaration.sensitive,
    )


def _unknown(
    declaration: _Declaration, reason: str, given: _Given | None = None
) -> ResolvedVariable:
    value = mark(Unknown(reason, f"var.{declaration.name}"), declaration.sensitive)
    if given is None:
        return ResolvedVariable(
            declaration.name,
            value,
            "none",
            "no value",
            None,
            declaration.span,
            declaration.sensitive,
        )
    return ResolvedVariable(
        declaration.name,
        value,
        given.source,
        given.origin,
        given.span,
        declaration.span,
        declaration.sensitive,
    )


def _default_origin(declaration: _Declaration) -> str:
    span = declaration.default_span or declaration.span
    return f"{span.path}:{span.start_line} (default)"
