"""``terraform show -json`` plan and state documents, read into plain data for the model.

Plans show what Terraform will actually create: module inputs resolved, ``for_each``/``count``
expanded. They also hold secrets in clear text (``client_secret`` in updates and states,
sensitive outputs and variables); every value Terraform marks sensitive is collected into
``redactions`` so that no report can ever print it.

Facts relied on (``spec/terraform-plan-json.md``): unknown attributes are absent from ``after``
and marked in ``after_unknown`` (list positions become ``null`` placeholders); empty lists of
resources or child modules are omitted; ``format_version`` major 0 and 1 are readable and
unknown keys are ignored.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from orylint.terraform.document import LoadError
from orylint.terraform.resources import CLIENT_RESOURCE_TYPES

PlanKind = Literal["plan", "state"]
_SKIPPED_ACTIONS = ({"delete"}, {"forget"}, {"read"})
_INSTANCE_KEY = re.compile(r'\[(?:"(?:[^"\\]|\\.)*"|\d+|\*)\]')


@dataclass
class PlanResource:
    """One client resource instance to lint, as the plan or state describes it."""

    address: str
    module_path: tuple[str, ...]
    name: str
    values: dict[str, Any]
    unknown: dict[str, Any]
    sensitive: dict[str, Any]
    configured: set[str] | None
    importing: bool = False
    replace_paths: list[list[str]] = field(default_factory=list)
    actions: tuple[str, ...] = ()
    line: int = 1
    type: str = "ory_oauth2_client"


@dataclass
class PlanOutput:
    """An output from the plan's configuration: its flag and the references Terraform lists."""

    name: str
    sensitive: bool
    references: list[str]


@dataclass
class PlanModule:
    """One module of the plan's configuration (root is the empty path)."""

    path: tuple[str, ...]
    outputs: list[PlanOutput] = field(default_factory=list)
    calls: dict[str, str | None] = field(default_factory=dict)


@dataclass
class PlanDocument:
    """Everything orylint reads from one plan or state file."""

    path: str
    kind: PlanKind
    errored: bool
    resources: list[PlanResource] = field(default_factory=list)
    modules: dict[tuple[str, ...], PlanModule] = field(default_factory=dict)
    redactions: set[str] = field(default_factory=set)
    output_lines: dict[str, int] = field(default_factory=dict)


def decode_json_bytes(data: bytes) -> str:
    """Decode UTF-8 (with or without BOM) or UTF-16 (PowerShell's ``>`` writes it)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if len(data) >= 2 and data[0] != 0 and data[1] == 0:
        return data.decode("utf-16-le")
    return data.decode("utf-8-sig")


def load_plan(path: str, data: bytes) -> PlanDocument | LoadError:
    """Parse a plan or state document; anything else is a fatal load error with a reason."""
    try:
        text = decode_json_bytes(data)
    except UnicodeDecodeError:
        return LoadError(
            path, 1, 1, "not a Terraform plan or state: not UTF-8 or UTF-16 text", fatal=True
        )
    if not text.strip():
        return LoadError(path, 1, 1, "not a Terraform plan or state: the file is empty", fatal=True)
    try:
        document = json.loads(text, parse_int=_parse_int)
    except json.JSONDecodeError as error:
        truncated = error.pos >= len(text.rstrip())
        reason = "the file is truncated" if truncated else f"invalid JSON ({error.msg})"
        return LoadError(
            path, error.lineno, error.colno, f"not a readable plan or state: {reason}", fatal=True
        )
    except RecursionError:
        return LoadError(path, 1, 1, "not a readable plan or state: nested too deeply", fatal=True)
    if _SURROGATE_ESCAPE.search(text):
        document = _without_surrogates(document)
    if not isinstance(document, dict) or "format_version" not in document:
        return LoadError(
            path,
            1,
            1,
            "this JSON is not a Terraform plan or state (no `format_version`); produce one with "
            "`terraform show -json plan.bin > plan.json`",
            fatal=True,
        )
    version = document["format_version"]
    if not isinstance(version, str):
        return LoadError(
            path,
            1,
            1,
            f"malformed plan or state: `format_version` is {json.dumps(version)[:40]}, "
            'not a version string such as "1.2"',
            fatal=True,
        )
    major = version.split(".", 1)[0]
    if major not in ("0", "1"):
        return LoadError(
            path,
            1,
            1,
            f"plan/state format version {version} is not supported (orylint reads 0.x and 1.x); "
            "upgrade orylint",
            fatal=True,
        )
    try:
        return _read(path, text, document)
    except (TypeError, AttributeError, KeyError, ValueError) as error:
        return LoadError(
            path, 1, 1, f"malformed plan or state ({type(error).__name__}: {error})", fatal=True
        )


_MAX_INT_DIGITS = 4000
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _parse_int(text: str) -> int | float:
    """An integer; beyond Python's int-string limit (4,300 digits), the nearest float."""
    return int(text) if len(text) <= _MAX_INT_DIGITS else float(text)


def _without_surrogates(document: Any) -> Any:
    r"""Replace unpaired surrogates (``"\ud800"``) with U+FFFD, as Go's encoding/json decodes them.

    Python keeps them, and no report could print them. Strings are rebuilt in place, without
    recursion (plans can be nested deeply).
    """
    stack = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for old_key in list(node):
                value = node[old_key]
                key = old_key
                if isinstance(old_key, str) and _has_surrogate(old_key):
                    del node[old_key]
                    key = _replace_surrogates(old_key)
                    node[key] = value
                if isinstance(value, str):
                    node[key] = _replace_surrogates(value)
                else:
                    stack.append(value)
        elif isinstance(node, list):
            for index, value in enumerate(node):
                if isinstance(value, str):
                    node[index] = _replace_surrogates(value)
                else:
                    stack.append(value)
    return _replace_surrogates(document) if isinstance(document, str) else document


_SURROGATE = re.compile("[\ud800-\udfff]")


def _has_surrogate(text: str) -> bool:
    return _SURROGATE.search(text) is not None


def _replace_surrogates(text: str) -> str:
    return _SURROGATE.sub("\ufffd", text)


def _read(path: str, text: str, document: dict[str, Any]) -> PlanDocument:
    is_plan = any(
        key in document for key in ("planned_values", "resource_changes", "configuration")
    )
    result = PlanDocument(
        path=path,
        kind="plan" if is_plan else "state",
        errored=bool(document.get("errored", False)),
    )
    configuration = document.get("configuration") or {}
    config_resources: dict[tuple[tuple[str, ...], str], set[str]] = {}
    _read_configuration(configuration.get("root_module") or {}, (), result, config_resources)
    lines = _address_lines(text)
    result.output_lines = _output_lines(text)
    if is_plan:
        for change in document.get("resource_changes") or []:
            resource = _from_change(change, config_resources)
            if resource is not None:
                resource.line = lines.get(resource.address, 1)
                result.resources.append(resource)
    else:
        values = document.get("values") or {}
        for item in _walk_state_module(values.get("root_module") or {}):
            resource = _from_state(item)
            if resource is not None:
                resource.line = lines.get(resource.address, 1)
                result.resources.append(resource)
    _collect_redactions(document, result.redactions)
    return result


def _read_configuration(
    module: dict[str, Any],
    path: tuple[str, ...],
    result: PlanDocument,
    config_resources: dict[tuple[tuple[str, ...], str], set[str]],
) -> None:
    plan_module = PlanModule(path)
    result.modules[path] = plan_module
    for name, output in (module.get("outputs") or {}).items():
        expression = output.get("expression") or {}
        plan_module.outputs.append(
            PlanOutput(
                name=name,
                sensitive=bool(output.get("sensitive", False)),
                references=[str(ref) for ref in expression.get("references") or []],
            )
        )
    for resource in module.get("resources") or []:
        if resource.get("type") in CLIENT_RESOURCE_TYPES and resource.get("mode") == "managed":
            key = (path, f"{resource.get('type')}.{resource.get('name')}")
            config_resources[key] = set((resource.get("expressions") or {}).keys())
    for call_name, call in (module.get("module_calls") or {}).items():
        plan_module.calls[call_name] = call.get("source")
        _read_configuration(call.get("module") or {}, (*path, call_name), result, config_resources)


def strip_instance_keys(address: str) -> str:
    """``module.a["x"].ory_oauth2_client.b[0]`` → ``module.a.ory_oauth2_client.b``."""
    return _INSTANCE_KEY.sub("", address)


def module_path_of(address: str) -> tuple[str, ...]:
    """``module.a["x"].module.b.ory_oauth2_client.c`` → ``("a", "b")`` (instance keys dropped)."""
    plain = strip_instance_keys(address)
    parts = plain.split(".")
    return tuple(parts[i + 1] for i in range(0, len(parts) - 1) if parts[i] == "module")


def _from_change(
    change: dict[str, Any], config_resources: dict[tuple[tuple[str, ...], str], set[str]]
) -> PlanResource | None:
    if (
        change.get("type") not in CLIENT_RESOURCE_TYPES
        or change.get("mode", "managed") != "managed"
    ):
        return None
    body = change.get("change") or {}
    actions = tuple(str(action) for action in body.get("actions") or [])
    after = body.get("after")
    if not isinstance(after, dict) or set(actions) in _SKIPPED_ACTIONS:
        return None
    address = str(change["address"])
    module_path = module_path_of(address)
    name = str(change.get("name") or address.rsplit(".", 1)[-1])
    return PlanResource(
        address=address,
        module_path=module_path,
        name=name,
        values=after,
        unknown=_as_dict(body.get("after_unknown")),
        sensitive=_as_dict(body.get("after_sensitive")),
        configured=config_resources.get((module_path, f"{change['type']}.{name}")),
        importing=bool(body.get("importing")),
        replace_paths=[list(map(str, p)) for p in body.get("replace_paths") or []],
        actions=actions,
        type=str(change["type"]),
    )


def _walk_state_module(module: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield from module.get("resources") or []
    for child in module.get("child_modules") or []:
        yield from _walk_state_module(child)


def _from_state(item: dict[str, Any]) -> PlanResource | None:
    if item.get("type") not in CLIENT_RESOURCE_TYPES or item.get("mode", "managed") != "managed":
        return None
    values = item.get("values")
    if not isinstance(values, dict):
        return None
    address = str(item["address"])
    return PlanResource(
        address=address,
        module_path=module_path_of(address),
        name=str(item.get("name") or address.rsplit(".", 1)[-1]),
        values=values,
        unknown={},
        sensitive=_as_dict(item.get("sensitive_values")),
        configured=None,
        type=str(item["type"]),
    )


def _as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _address_lines(text: str) -> dict[str, int]:
    """The line of each ``"address": "..."`` so plan-only findings point into the plan file."""
    lines: dict[str, int] = {}
    counter = _LineCounter(text)
    for match in re.finditer(r'"address"\s*:\s*"((?:[^"\\]|\\.)*)"', text):
        address = match.group(1)
        if "\\" in address:
            try:
                address = json.loads(f'"{address}"')
            except json.JSONDecodeError:
                continue
        if address not in lines:
            lines[address] = counter.line(match.start())
    return lines


class _LineCounter:
    """Line numbers of increasing offsets, counting each newline once (a plan has thousands)."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._offset = 0
        self._line = 1

    def line(self, offset: int) -> int:
        """The 1-based line of ``offset``; offsets must not decrease between calls."""
        self._line += self._text.count("\n", self._offset, offset)
        self._offset = offset
        return self._line


def _output_lines(text: str) -> dict[str, int]:
    """The line of each output in the configuration section (first match after its start)."""
    start = text.find('"configuration"')
    if start < 0:
        return {}
    lines: dict[str, int] = {}
    block = re.compile(r'"outputs"\s*:\s*\{').search(text, start)
    if block is None:
        return lines
    counter = _LineCounter(text)
    for match in re.finditer(
        r'\n\s*"((?:[^"\\]|\\.)*)"\s*:\s*\{\s*\n\s*"(?:expression|sensitive|description|depends_on)"',
        text[block.end() :],
    ):
        if match.group(1) not in lines:
            lines[match.group(1)] = counter.line(block.end() + match.start()) + 1
    return lines


_MARKED = (
    ("after", "after_sensitive"),
    ("before", "before_sensitive"),
    ("values", "sensitive_values"),
)


def _collect_redactions(document: Any, redactions: set[str]) -> None:
    """Every string that Terraform marks sensitive anywhere in the document.

    Sensitive marks come as a mirror structure next to the values (``after_sensitive``,
    ``before_sensitive``, ``sensitive_values``), as a flag on outputs, and for variables only in
    the configuration; ``client_secret`` is always collected, marked or not.
    """

    def walk(node: Any, mark: Any) -> None:
        if mark is True:
            _strings(node, redactions)
        elif isinstance(node, dict) and isinstance(mark, dict):
            for key, value in node.items():
                if key in mark:
                    walk(value, mark[key])
        elif isinstance(node, list) and isinstance(mark, list):
            for value, item_mark in zip(node, mark, strict=False):
                walk(value, item_mark)

    # one pass over every value of the document, without recursion (a plan of 20,000 resources
    # holds millions of values); pushing scalars too and dropping them when popped costs a third
    # of filtering them out before
    stack: list[Any] = [document]
    while stack:
        node = stack.pop()
        kind = type(node)
        if kind is list:
            stack.extend(node)
        elif kind is dict:
            for values_key, marks_key in _MARKED:
                if values_key in node and marks_key in node:
                    walk(node[values_key], node[marks_key])
            if node.get("sensitive") is True and "value" in node:
                _strings(node["value"], redactions)
            secret = node.get("client_secret")
            if isinstance(secret, str):
                redactions.add(secret)
            stack.extend(node.values())
    root_variables = ((document.get("configuration") or {}).get("root_module") or {}).get(
        "variables"
    ) or {}
    for name, variable in root_variables.items():
        if isinstance(variable, dict) and variable.get("sensitive"):
            value = (document.get("variables") or {}).get(name, {}).get("value")
            _strings(value, redactions)
    redactions.discard("")


def _strings(node: Any, into: set[str]) -> None:
    if isinstance(node, str):
        into.add(node)
    elif isinstance(node, dict):
        for value in node.values():
            _strings(value, into)
    elif isinstance(node, list):
        for value in node:
            _strings(value, into)
