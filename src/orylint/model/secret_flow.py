"""Follow references to a client's ``client_secret`` through locals and module outputs.

Terraform marks ``client_secret`` sensitive; the mark travels through locals, function calls and
whole-object references, and across module outputs. The rules about secret exposure (ORY701,
ORY702) need to know, for one reference, whether its value carries the secret. This module
answers that statically, erring on the side of "unknown" only where the configuration does.
"""

from __future__ import annotations

from dataclasses import dataclass

from orylint.model.project import Module, Project
from orylint.terraform.provider_schema import RESOURCE_TYPE, is_whole_client
from orylint.terraform.values import Reference

SECRET_ATTRIBUTE = "client_secret"


@dataclass(frozen=True)
class SecretPath:
    """How a reference reaches a secret: the client and the chain of names in between."""

    client: str
    via: tuple[str, ...]
    unmasked: bool
    module_dir: str = ""

    def describe(self) -> str:
        """``ory_oauth2_client.web.client_secret`` (via local.creds)."""
        chain = f" (via {' -> '.join(self.via)})" if self.via else ""
        return f"{self.client}{chain}"

    @property
    def address(self) -> str:
        """The client resource (``ory_oauth2_client.web``), found in ``module_dir``."""
        return ".".join(self.client.split(".")[:2])

    @property
    def names_secret(self) -> bool:
        """Whether the path selects ``client_secret`` itself rather than the whole object."""
        return self.client.endswith(f".{SECRET_ATTRIBUTE}")


class SecretFlow:
    """Resolves references of one project (module calls are indexed once, on creation)."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self._calls = {
            (module.directory, call.name): call
            for module in project.modules.values()
            for call in module.module_calls
        }

    def reaches(self, module: Module, reference: Reference) -> list[SecretPath]:
        """Every way ``reference`` (written in ``module``) carries a client secret."""
        return self._resolve(module, reference.parts, reference.unmasked, (), frozenset())

    def _resolve(
        self,
        module: Module,
        parts: tuple[str, ...],
        unmasked: bool,
        via: tuple[str, ...],
        seen: frozenset[tuple[str, str]],
    ) -> list[SecretPath]:
        if len(parts) < 2:
            return []
        head = parts[0]
        if head == RESOURCE_TYPE:
            if len(parts) == 2 or parts[2] == SECRET_ATTRIBUTE:
                client = f"{RESOURCE_TYPE}.{parts[1]}"
                if len(parts) > 2:
                    client += f".{SECRET_ATTRIBUTE}"
                return [SecretPath(client, via, unmasked, module.directory)]
            return []
        if head == "local":
            return self._through_local(module, parts, unmasked, via, seen)
        if head == "module":
            return self._through_module(module, parts, unmasked, via, seen)
        return []

    def _through_local(
        self,
        module: Module,
        parts: tuple[str, ...],
        unmasked: bool,
        via: tuple[str, ...],
        seen: frozenset[tuple[str, str]],
    ) -> list[SecretPath]:
        key = (module.directory, f"local.{parts[1]}")
        local = module.locals.get(parts[1])
        if local is None or key in seen:
            return []
        references = local.references
        rest = parts[2:]
        if local.members is not None and rest:
            # `local.creds.id` of `locals { creds = { id = ..., secret = ... } }` holds only `id`
            references = local.members.get(rest[0], [])
            rest = rest[1:]
        paths = []
        for reference in references:
            inner = reference.parts
            if is_whole_client(inner) and rest:
                inner = inner + rest
            paths.extend(
                self._resolve(
                    module,
                    inner,
                    unmasked or reference.unmasked,
                    (*via, f"local.{parts[1]}"),
                    seen | {key},
                )
            )
        return paths

    def _through_module(
        self,
        module: Module,
        parts: tuple[str, ...],
        unmasked: bool,
        via: tuple[str, ...],
        seen: frozenset[tuple[str, str]],
    ) -> list[SecretPath]:
        call = self._calls.get((module.directory, parts[1]))
        if call is None or call.target_dir is None:
            return []
        child = self.project.modules.get(call.target_dir)
        if child is None:
            return []
        outputs = [o for o in child.outputs if len(parts) == 2 or o.name == parts[2]]
        paths = []
        for output in outputs:
            key = (child.directory, f"output.{output.name}")
            if key in seen:
                continue
            step = (*via, f"module.{parts[1]}.{output.name}")
            for reference in output.references:
                paths.extend(
                    self._resolve(
                        child, reference.parts, unmasked or reference.unmasked, step, seen | {key}
                    )
                )
        return paths
