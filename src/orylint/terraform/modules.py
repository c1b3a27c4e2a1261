"""Module instances as Terraform expands them: variables, locals, calls, outputs, ``for_each``.

A module directory is a *configuration*; Terraform evaluates it once per *instance*: a root
module once, a called module once per call and per ``count``/``for_each`` key, to any depth.
Each instance has its own input variables, its own locals and its own outputs, and its
resources get addresses such as ``module.apps["web"].ory_oauth2_client.this["admin"]``. This
module builds that tree from the loaded documents and answers, for one instance, what
``var.``, ``local.``, ``each.``, ``count.index``, ``module.`` and ``path.`` mean
(:class:`InstanceScope`).

What is not knowable without a provider stays :class:`~orylint.terraform.values.Unknown`: a root
variable without a value, a ``for_each`` over a resource attribute (one instance without a key
then stands for all of them), every resource and data source attribute. Errors Terraform would
report (an undeclared variable, a cycle between locals) make the values involved unknown, and
a cycle is recorded once in :attr:`ModuleInstance.problems`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from lark import Token, Tree

from orylint.terraform import functions, recorder
from orylint.terraform.document import Block, BlockAttribute, Document
from orylint.terraform.evaluator import Namespace, Scope, render_template_file
from orylint.terraform.functions import Context
from orylint.terraform.types import (
    ConversionError,
    TypeExpressionError,
    UnresolvedTypeError,
    convert,
    parse_type_constraint,
    parse_type_string,
)
from orylint.terraform.values import Span, Unknown, mark, unmark, unmark_deep

#: Block types whose attributes are not evaluated in an instance (they describe Terraform itself).
_META_ARGUMENTS = frozenset({"source", "version", "count", "for_each", "providers", "depends_on"})
#: An instance key: a string (``for_each``), a number (``count``), or unknown.
InstanceKey = str | int | Unknown | None


@dataclass
class ModuleConfig:
    """The blocks of one module directory that evaluation needs, by kind and name."""

    directory: str
    variables: dict[str, Block] = field(default_factory=dict)
    locals: dict[str, BlockAttribute] = field(default_factory=dict)
    outputs: dict[str, Block] = field(default_factory=dict)
    calls: dict[str, Block] = field(default_factory=dict)
    resources: list[Block] = field(default_factory=list)

    @classmethod
    def from_documents(cls, directory: str, documents: Iterable[Document]) -> ModuleConfig:
        """Collect the blocks of a directory's documents (the first of duplicate names wins)."""
        config = cls(directory)
        for document in documents:
            for block in document.blocks:
                config.add(block)
        return config

    def add(self, block: Block) -> None:
        """Add one top-level block."""
        if block.type == "variable" and len(block.labels) == 1:
            self.variables.setdefault(block.labels[0], block)
        elif block.type == "locals":
            for name, attribute in block.attributes.items():
                self.locals.setdefault(name, attribute)
        elif block.type == "output" and len(block.labels) == 1:
            self.outputs.setdefault(block.labels[0], block)
        elif block.type == "module" and len(block.labels) == 1:
            self.calls.setdefault(block.labels[0], block)
        elif block.type == "resource" and len(block.labels) == 2:
            self.resources.append(block)

    def call_target(self, name: str) -> str | None:
        """The directory a call loads, when its ``source`` is a literal local path."""
        block = self.calls.get(name)
        return local_source(self.directory, block) if block is not None else None


def local_source(directory: str, call: Block) -> str | None:
    """The directory a ``module`` block loads, when its ``source`` is a literal local path."""
    source = call.attributes.get("source")
    value = source.attribute.value if source is not None else None
    if isinstance(value, str) and value.startswith(("./", "../")):
        return os.path.normpath(os.path.join(directory, value)).replace(os.sep, "/")
    return None


@dataclass(frozen=True)
class Provenance:
    """Where a variable's value came from: ``default``, ``terraform.tfvars``, a call argument."""

    description: str
    span: Span | None = None


@dataclass
class ModuleInstance:
    """One instance of a module: its address, its configuration and its input values."""

    address: str
    config: ModuleConfig
    inputs: dict[str, object]
    provenance: dict[str, Provenance] = field(default_factory=dict)
    tree: InstanceTree | None = None
    each: tuple[object, object] | None = None
    count_index: object = None
    root_dir: str = "."
    ancestors: tuple[str, ...] = ()
    """The directories of the instances above this one (a module must not include itself)."""
    providers_remapped: bool = False
    """A call above passes ``providers = {...}``: which project a client is in is not known."""
    problems: list[tuple[str, Span | None]] = field(default_factory=list)
    _locals: dict[str, object] = field(default_factory=dict)
    _evaluating: list[str] = field(default_factory=list)
    _children: dict[str, list[tuple[InstanceKey, ModuleInstance]]] = field(default_factory=dict)
    _expanding: set[str] = field(default_factory=set)
    _outputs: dict[str, object] | None = None
    _computing_outputs: bool = False

    def scope(self, each: tuple[object, object] | None = None, count_index: object = None) -> Scope:
        """The scope of an expression in this instance (a resource's own ``each``/``count``)."""
        return InstanceScope(self, each, count_index)

    # --- locals and outputs -------------------------------------------------------------------

    def local(self, name: str) -> object:
        """``local.name``, evaluated once; a cycle is an error, reported once."""
        if name in self._locals:
            return self._locals[name]
        attribute = self.config.locals.get(name)
        if attribute is None:
            # Terraform refuses the configuration; orylint lints the rest with this unknown
            return Unknown(f'undeclared local value "{name}"')
        if name in self._evaluating:
            cycle = [*self._evaluating[self._evaluating.index(name) :], name]
            message = "cycle between local values: " + " -> ".join(f"local.{n}" for n in cycle)
            problem = (f"{message}; Terraform refuses the configuration", attribute.attribute.span)
            if problem not in self.problems:
                self.problems.append(problem)
            return Unknown(message)
        self._evaluating.append(name)
        try:
            value = _evaluate(attribute, self.scope())
        finally:
            self._evaluating.pop()
        self._locals[name] = value
        return value

    def outputs(self) -> dict[str, object] | Unknown:
        """Every output of this instance (``sensitive = true`` marks the value).

        An output that needs, through the caller, this instance's own outputs is a cycle:
        unknown, as the values involved are for Terraform until it reports the cycle.
        """
        if self._computing_outputs:
            return Unknown(f"outputs of {self.address or 'the root module'} depend on themselves")
        if self._outputs is None:
            self._computing_outputs = True
            outputs: dict[str, object] = {}
            try:
                for name, block in self.config.outputs.items():
                    outputs[name] = self._output(block)
            finally:
                self._computing_outputs = False
            self._outputs = outputs
        return self._outputs

    def _output(self, block: Block) -> object:
        value_attribute = block.attributes.get("value")
        value = _evaluate(value_attribute, self.scope()) if value_attribute is not None else None
        sensitive = block.attributes.get("sensitive")
        return mark(value, sensitive is not None and sensitive.attribute.value is True)

    # --- module calls -------------------------------------------------------------------------

    def children(self) -> dict[str, list[tuple[InstanceKey, ModuleInstance]]]:
        """The instances of each module call of this instance, keyed as Terraform keys them."""
        for name in self.config.calls:
            self.call_instances(name)
        return self._children

    def call_instances(self, name: str) -> list[tuple[InstanceKey, ModuleInstance]] | None:
        """The instances of one call, expanded once; None while it is being expanded (a cycle).

        Calls are expanded on demand, in the order references need them: one call's argument
        may use another call's output (``x = module.other.value``).
        """
        if name in self._children:
            return self._children[name]
        block = self.config.calls.get(name)
        if block is None or self.tree is None or name in self._expanding:
            return None
        self._expanding.add(name)
        try:
            instances = list(self.tree.call_instances(self, name, block))
        finally:
            self._expanding.discard(name)
        self._children[name] = instances
        return instances

    def module_value(self, name: str) -> object:
        """``module.name``: an object of outputs, or a map/list of them with for_each/count."""
        block = self.config.calls.get(name)
        if block is None:
            return Unknown(f'undeclared module call "{name}"')
        target = self.config.call_target(name)
        if self.tree is None or target is None or target not in self.tree.configs:
            return Unknown(f"outputs of module.{name}, whose source orylint did not read")
        instances = self.call_instances(name)
        if instances is None:
            return Unknown(f"module.{name} is used in its own arguments")
        if not instances:
            return [] if "count" in block.attributes else {}
        if len(instances) == 1 and isinstance(instances[0][0], Unknown):
            return Unknown(f"instances of module.{name} are known only at apply time")
        if "for_each" in block.attributes:
            return {str(key): child.outputs() for key, child in instances}
        if "count" in block.attributes:
            return [child.outputs() for _, child in instances]
        return instances[0][1].outputs()

    def descendants(self) -> Iterator[ModuleInstance]:
        """The instance itself and every instance below it, depth first, in key order."""
        yield self
        for name in sorted(self.children()):
            for _, child in self.children()[name]:
                yield from child.descendants()

    # --- resources ----------------------------------------------------------------------------

    def resource_instances(self, block: Block) -> list[tuple[str, Scope]]:
        """The address and scope of each instance of a resource block in this instance."""
        base = f"{self.address}.{block.labels[0]}.{block.labels[1]}".lstrip(".")
        return [
            (_keyed(base, key), self.scope(each, count_index))
            for key, each, count_index in _expand(block, self.scope())
        ]


class InstanceScope:
    """What names mean inside one module instance (and one resource instance in it)."""

    def __init__(
        self,
        instance: ModuleInstance,
        each: tuple[object, object] | None,
        count_index: object,
    ) -> None:
        self.instance = instance
        self.each = each if each is not None else instance.each
        self.count_index = count_index if count_index is not None else instance.count_index

    def root(self, name: str) -> object:
        """``var``, ``local``, ``each``, ``count``, ``module``, ``path``, ``terraform``, …."""
        instance = self.instance
        if name == "var":
            return Namespace("var", self._variable)
        if name == "local":
            return Namespace("local", instance.local)
        if name == "module":
            return Namespace("module", instance.module_value)
        if name == "each":
            if self.each is None:
                return Unknown('"each" used where for_each is not set')
            key, value = self.each
            return {"key": key, "value": value}
        if name == "count":
            if self.count_index is None:
                return Unknown('"count" used where count is not set')
            return {"index": self.count_index}
        if name == "path":
            # relative to the root module, as Terraform gives them; files are read from there
            module = os.path.relpath(instance.config.directory, instance.root_dir)
            return {"module": module.replace(os.sep, "/"), "root": ".", "cwd": "."}
        if name == "terraform":
            return {"workspace": _workspace(instance.root_dir)}
        tree = instance.tree
        if tree is not None and name in tree.readable_resources:
            return Namespace(name, lambda label: self._resource(name, label))
        # resources, data sources, self: known only at apply time
        return Unknown("reference")

    def _resource(self, kind: str, label: str) -> object:
        """A resource whose written attributes are known before apply (the project's own)."""
        block = next((b for b in self.instance.config.resources if b.labels == [kind, label]), None)
        if block is None or "count" in block.attributes or "for_each" in block.attributes:
            return Unknown(f"{kind}.{label} is known only at apply time")
        scope = self.instance.scope()

        def attribute(name: str) -> object:
            written = block.attributes.get(name)
            if written is None:
                return Unknown(f"{kind}.{label}.{name} is computed at apply time")
            return _evaluate(written, scope)

        return Namespace(f"{kind}.{label}", attribute)

    def call(self, name: str, args: Sequence[object]) -> object:
        """Functions of the library in force for the scan."""
        instance = self.instance
        context = Context(instance.root_dir, self._render)
        return functions.call_strict(name, args, context)

    def _render(self, text: str, variables: Mapping[str, object]) -> object:
        """``templatefile``: files are found relative to the root module, as Terraform does."""
        root = self.instance.root_dir
        return render_template_file(root, text, variables, Context(root, self._render))

    def _variable(self, name: str) -> object:
        if name not in self.instance.inputs:
            # Terraform refuses the configuration; orylint lints the rest with this unknown
            return Unknown(f'undeclared input variable "{name}"')
        return self.instance.inputs[name]


@dataclass
class InstanceTree:
    """Every module instance reachable from the root modules of a scan."""

    configs: Mapping[str, ModuleConfig]
    max_depth: int = 16
    readable_resources: frozenset[str] = frozenset()
    """Resource types whose written attributes references may read (the project's own)."""

    def root(
        self,
        directory: str,
        values: Mapping[str, object] | None = None,
        provenance: Mapping[str, Provenance] | None = None,
    ) -> ModuleInstance:
        """The instance of a root module, with the root variables' values where known.

        ``values`` come from tfvars files, ``-var`` and the environment; a variable with neither
        such a value nor a default is unknown, as it is for Terraform until someone supplies it.
        """
        config = self.configs[directory]
        inputs: dict[str, object] = {}
        origins: dict[str, Provenance] = {}
        given = values or {}
        for name, block in config.variables.items():
            if name in given:
                inputs[name] = given[name]
                if provenance and name in provenance:
                    origins[name] = provenance[name]
            else:
                default, origin = _default(block)
                inputs[name] = _typed(block, default)
                if origin is not None:
                    origins[name] = origin
            inputs[name] = _sensitive_variable(block, inputs[name])
        return ModuleInstance("", config, inputs, origins, tree=self, root_dir=directory)

    def call_instances(
        self, parent: ModuleInstance, name: str, block: Block
    ) -> Iterator[tuple[InstanceKey, ModuleInstance]]:
        """The instances of one module call of ``parent``, with their inputs evaluated."""
        target = parent.config.call_target(name)
        if target is None or target not in self.configs:
            return
        if target in parent.ancestors or target == parent.config.directory:
            parent.problems.append(
                (
                    f"module.{name} calls {target}, which contains the call itself: Terraform "
                    "cannot install a module that includes itself",
                    block.header_span,
                )
            )
            return
        if parent.address.count("module.") >= self.max_depth:
            return
        config = self.configs[target]
        for key, each, count_index in _expand(block, parent.scope()):
            address = _keyed(f"{parent.address}.module.{name}".lstrip("."), key)
            scope = parent.scope(each, count_index)
            inputs: dict[str, object] = {}
            origins: dict[str, Provenance] = {}
            for variable, declaration in config.variables.items():
                argument = block.attributes.get(variable)
                value: object = None
                if argument is not None:
                    value = _evaluate(argument, scope)
                    span = argument.attribute.value_span
                    origins[variable] = Provenance(
                        f"{address} argument ({os.path.basename(span.path)}:{span.start_line})",
                        span,
                    )
                if argument is None or (value is None and not _nullable(declaration)):
                    value, origin = _default(declaration)
                    if origin is not None:
                        origins[variable] = origin
                inputs[variable] = _sensitive_variable(declaration, _typed(declaration, value))
            yield (
                key,
                ModuleInstance(
                    address,
                    config,
                    inputs,
                    origins,
                    tree=self,
                    root_dir=parent.root_dir,
                    ancestors=(*parent.ancestors, parent.config.directory),
                    providers_remapped=parent.providers_remapped or "providers" in block.attributes,
                ),
            )


def _workspace(root: str) -> object:
    """``terraform.workspace``: ``TF_WORKSPACE``, else the one selected in ``.terraform/``.

    Without either, the run that applies may select any workspace: unknown.
    """
    selected = os.environ.get("TF_WORKSPACE")
    if selected:
        return selected
    environment = os.path.join(root, ".terraform", "environment")
    recorder.file(environment)
    try:
        with open(environment, encoding="utf-8") as handle:
            return handle.read(256).strip() or "default"
    except OSError:
        return Unknown("the workspace is chosen when Terraform runs")


def _evaluate(attribute: BlockAttribute, scope: Scope) -> object:
    if attribute.expression is None:
        return attribute.attribute.value
    return attribute.expression.value(scope)


def _default(block: Block) -> tuple[object, Provenance | None]:
    default = block.attributes.get("default")
    if default is None:
        return Unknown("input variable without a value"), None
    span = default.attribute.value_span
    return default.attribute.value, Provenance(
        f"default ({os.path.basename(span.path)}:{span.start_line})", span
    )


def _nullable(block: Block) -> bool:
    nullable = block.attributes.get("nullable")
    return nullable is None or nullable.attribute.value is not False


def _typed(block: Block, value: object) -> object:
    """A module input converted to its variable's type, as Terraform does (optional() defaults).

    A value the type refuses is a Terraform error: the input is then unknown.
    """
    attribute = block.attributes.get("type")
    if attribute is None or isinstance(value, Unknown):
        return value
    syntax = attribute.expression.syntax if attribute.expression is not None else None
    try:
        if isinstance(syntax, Tree | Token):
            constraint = parse_type_constraint(syntax)
        elif isinstance(syntax, str):
            constraint = parse_type_string(syntax)
        else:
            return value
        return convert(value, constraint)
    except (TypeExpressionError, ConversionError, UnresolvedTypeError) as error:
        return Unknown(f"value refused by the variable's type: {error}")


def _sensitive_variable(block: Block, value: object) -> object:
    sensitive = block.attributes.get("sensitive")
    return mark(value, sensitive is not None and sensitive.attribute.value is True)


def _expand(
    block: Block, scope: Scope
) -> Iterator[tuple[InstanceKey, tuple[object, object] | None, object]]:
    """(key, each, count.index) of every instance of a block with ``count`` or ``for_each``.

    An unknown ``count`` or ``for_each`` gives one instance with an unknown key: it stands for
    all the instances Terraform will create, with ``each``/``count`` unknown inside it.
    """
    count = block.attributes.get("count")
    for_each = block.attributes.get("for_each")
    if for_each is not None:
        value = _evaluate(for_each, scope)
        plain, marked = unmark_deep(value)
        if marked:
            # Terraform refuses sensitive for_each values; their keys must never be shown
            unknown = Unknown("for_each over a sensitive value")
            yield unknown, (unknown, unknown), None
            return
        if isinstance(plain, dict) and all(not isinstance(k, Unknown) for k in plain):
            for key in sorted(plain):
                yield key, (key, plain[key]), None
            return
        if isinstance(plain, list) and all(isinstance(item, str) for item in plain):
            for key in sorted(set(plain)):  # a set of strings: each.value is the key
                yield key, (key, key), None
            return
        unknown = Unknown("for_each known only at apply time")
        yield unknown, (unknown, unknown), None
        return
    if count is not None:
        value, _ = unmark(_evaluate(count, scope))
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            for index in range(value):
                yield index, None, index
            return
        unknown = Unknown("count known only at apply time")
        yield unknown, None, unknown
        return
    yield None, None, None


def _keyed(address: str, key: InstanceKey) -> str:
    """An instance address as Terraform writes it: ``x["key"]`` or ``x[0]``."""
    if key is None or isinstance(key, Unknown):
        return address
    if isinstance(key, int):
        return f"{address}[{key}]"
    escaped = key.replace("\\", "\\\\").replace('"', '\\"')
    return f'{address}["{escaped}"]'


__all__ = [
    "InstanceScope",
    "InstanceTree",
    "ModuleConfig",
    "ModuleInstance",
    "Provenance",
    "local_source",
]
