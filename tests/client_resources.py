"""Writing an ``ory_oauth2_client`` configuration in another client resource's own syntax.

The inverse of the adapters in ``orylint.terraform.resources``: a ``scope`` string becomes the
``scopes`` list the community providers take, arguments are renamed, references follow the new
type. The translation is line for line, so the ``# expect:`` annotations of a rule fixture stay
on the lines they annotate. A configuration that uses an argument the target resource does not
have (a lifespan on ``hydra_oauth2_client``) cannot be translated exactly and is refused.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from orylint.terraform.document import Block, Document
from orylint.terraform.hcl_loader import load_hcl
from orylint.terraform.provider_schema import resource_schema
from orylint.terraform.resources import CLIENT_RESOURCES, ORY_OAUTH2_CLIENT

_SCOPE = re.compile(r'^(\s*)scope(\s*)=(\s*)"([^"\\$%]*)"(.*)$')
_HEADER = re.compile(r'resource(\s+)"ory_oauth2_client"')
_META = frozenset({"count", "for_each", "provider", "depends_on", "lifecycle"})


class Untranslatable(Exception):
    """The configuration uses something the target resource cannot express exactly."""


def translate_text(text: str, path: str, target: str) -> str:
    """The configuration with every ``ory_oauth2_client`` written as ``target``."""
    document = load_hcl(path, text)
    if not isinstance(document, Document):
        raise Untranslatable(f"{path} does not parse")
    resource = CLIENT_RESOURCES[target]
    properties = resource_schema(target)["properties"]
    renamed_lines: dict[int, tuple[str, str, int, int]] = {}
    for block in document.blocks:
        if block.type != "resource" or block.labels[:1] != [ORY_OAUTH2_CLIENT]:
            continue
        for name, attribute in block.attributes.items():
            written = resource.written_name(name)
            if written not in properties or properties[written].get("readOnly"):
                raise Untranslatable(f"{target} has no argument {name!r}")
            shape = resource.shapes.get(written)
            if shape is not None and shape != "join":
                raise Untranslatable(f"{name} of {target} has another shape")
            if written != name:
                line = attribute.attribute.span.start_line
                if attribute.attribute.span.end_line != line:
                    raise Untranslatable(f"{name} spans several lines")
                value = attribute.attribute.value_span
                renamed_lines[line] = (name, written, value.start_column, value.end_column)
        _check_nested(block, target)
    lines = text.split("\n")
    for number, (name, written, start, end) in renamed_lines.items():
        shape = resource.shapes.get(written)
        lines[number - 1] = _rewrite(lines[number - 1], name, written, shape, (start, end))
    result = "\n".join(lines)
    result = _HEADER.sub(lambda match: f'resource{match.group(1)}"{target}"', result)
    return re.sub(r"\bory_oauth2_client\.", f"{target}.", result)


def _check_nested(block: Block, target: str) -> None:
    for nested in block.blocks:
        if nested.type not in _META and nested.type not in ("provisioner", "connection"):
            raise Untranslatable(f"{target} has no block {nested.type!r}")


def _rewrite(
    line: str, name: str, written: str, shape: str | None, columns: tuple[int, int]
) -> str:
    """One line in the target's syntax: ``scope = "a b"`` as ``scopes = ["a", "b"]``.

    A scope that is not a plain literal becomes ``split(" ", <expression>)``: the provider joins
    the list with spaces again, so the value sent is the same.
    """
    if shape == "join":
        match = _SCOPE.match(line)
        if match is not None and name == "scope":
            indent, before, after, value, rest = match.groups()
            items = ", ".join(json.dumps(item) for item in value.split(" "))
            return f"{indent}{written}{before}={after}[{items}]{rest}"
        start, end = columns[0] - 1, columns[1] - 1
        head = line[:start].replace(name, written, 1)
        return f'{head}split(" ", {line[start:end]}){line[end:]}'
    pattern = re.compile(rf"^(\s*){re.escape(name)}\b")
    if not pattern.match(line):
        raise Untranslatable(f"{name} is not at the start of its line")
    return pattern.sub(lambda match: f"{match.group(1)}{written}", line, count=1)


def translatable(source: Path, target: str) -> bool:
    """Whether a fixture (a file or a directory) can be written exactly in ``target``'s syntax."""
    files = [source] if source.is_file() else sorted(p for p in source.rglob("*") if p.is_file())
    try:
        for file in files:
            if file.name == ".orylint.toml" and "[provider]" in file.read_text(encoding="utf-8"):
                raise Untranslatable("pins an ory/ory provider release (provider.version)")
            if file.name.endswith(".json"):
                raise Untranslatable(f"{file.name}: JSON syntax is not translated")
            if file.suffix == ".tf":
                translate_text(file.read_text(encoding="utf-8"), str(file), target)
    except Untranslatable:
        return False
    return True


def translate_tree(source: Path, destination: Path, target: str) -> None:
    """Copy a fixture (a file or a directory) with every client written as ``target``."""
    files = [source] if source.is_file() else sorted(p for p in source.rglob("*") if p.is_file())
    for file in files:
        relative = Path(file.name) if source.is_file() else file.relative_to(source)
        out = destination / relative
        out.parent.mkdir(parents=True, exist_ok=True)
        if file.suffix == ".tf":
            text = file.read_text(encoding="utf-8")
            out.write_text(translate_text(text, str(file), target), encoding="utf-8")
        elif file.name.endswith(".tf.json") or file.suffix == ".json":
            raise Untranslatable(f"{file.name}: JSON syntax is not translated")
        else:
            out.write_bytes(file.read_bytes())
