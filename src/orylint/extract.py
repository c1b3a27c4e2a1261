"""Documents of one scan to the model: clients, outputs, locals and module calls per module.

This is the only place that knows which Terraform block types matter to orylint.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator

from orylint.document import Block, Document
from orylint.model import (
    RESOURCE_TYPE,
    Client,
    Local,
    Module,
    ModuleCall,
    Origin,
    Output,
    Project,
    Reference,
)


def add_documents(
    project: Project, directory: str, documents: Iterable[Document], origin: Origin
) -> None:
    """Add every block of interest from a module directory's documents to the project."""
    module = project.module(directory)
    module.has_sources = True
    imported: set[str] = set()
    for document in documents:
        for block in document.blocks:
            _add_block(module, block, origin)
            if block.type == "import" and "to" in block.attributes:
                imported.update(ref.text for ref in block.attributes["to"].references)
    for client in module.clients:
        if client.address in imported:
            client.importing = True


def mark_roots(project: Project) -> None:
    """A module directory is a root module unless another scanned module calls it."""
    called = set(project.callers())
    for directory, module in project.modules.items():
        module.is_root = directory not in called


def _add_block(module: Module, block: Block, origin: Origin) -> None:
    if block.type == "resource" and len(block.labels) == 2 and block.labels[0] == RESOURCE_TYPE:
        module.clients.append(_client(module.directory, block, origin))
    elif block.type == "output" and len(block.labels) == 1:
        module.outputs.append(_output(module.directory, block))
    elif block.type == "locals":
        for name, attribute in block.attributes.items():
            module.locals[name] = Local(name, attribute.attribute.span, attribute.references)
    elif block.type == "module" and len(block.labels) == 1:
        module.module_calls.append(_module_call(module.directory, block))
    module.all_references.extend(_references(block))


def _client(directory: str, block: Block, origin: Origin) -> Client:
    name = block.labels[1]
    client = Client(
        address=f"{RESOURCE_TYPE}.{name}",
        name=name,
        span=block.header_span,
        origin=origin,
        module_dir=directory,
        attributes={key: value.attribute for key, value in block.attributes.items()},
        duplicate_attributes=[duplicate.attribute for duplicate in block.duplicates],
        nested_blocks=[(nested.type, nested.header_span) for nested in block.blocks],
    )
    return client


def _output(directory: str, block: Block) -> Output:
    value = block.attributes.get("value")
    sensitive = block.attributes.get("sensitive")
    flag: bool | None = False
    if sensitive is not None:
        raw = sensitive.attribute.value
        flag = raw if isinstance(raw, bool) else (None if raw is not None else False)
        if raw in ("true", "false"):
            flag = raw == "true"
    return Output(
        name=block.labels[0],
        span=block.header_span,
        module_dir=directory,
        value_span=value.attribute.value_span if value else block.header_span,
        references=value.references if value else [],
        sensitive=flag,
        sensitive_attribute=sensitive.attribute if sensitive else None,
    )


def _module_call(directory: str, block: Block) -> ModuleCall:
    source_attribute = block.attributes.get("source")
    source = source_attribute.attribute.value if source_attribute else None
    source_text = source if isinstance(source, str) else None
    target = None
    if source_text is not None and source_text.startswith(("./", "../")):
        target = os.path.normpath(os.path.join(directory, source_text))
    return ModuleCall(
        name=block.labels[0],
        span=block.header_span,
        source=source_text,
        module_dir=directory,
        target_dir=target,
        has_for_each="for_each" in block.attributes,
        has_count="count" in block.attributes,
    )


def _references(block: Block) -> Iterator[Reference]:
    for attribute in block.attributes.values():
        yield from attribute.references
    for nested in block.blocks:
        yield from _references(nested)
