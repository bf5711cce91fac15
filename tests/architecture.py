"""An import-linter contract for the server's domain recipe (``pyproject.toml`` uses it).

A domain is a folder ``accord.server.<domain>`` with ``models``, ``schemas``, ``service``,
``router`` and, where it has web pages, ``pages``. Another domain (or the CLI) may import a
domain's ``service`` or ``schemas`` only: its tables and internal modules are its own. Models
may import other models, for foreign keys and relationships. Imports made only for type
checking are excluded from the graph (``exclude_type_checking_imports``), so an entity type a
service returns may be named in annotations.
"""

from __future__ import annotations

from dataclasses import dataclass

import grimp
from importlinter import Contract, ContractCheck, fields, output


@dataclass(frozen=True)
class _Crossing:
    importer: str
    imported: str
    line_numbers: tuple[int, ...]


class DomainsContract(Contract):
    """Domains (and ``outsiders``, such as the CLI) reach a domain only through its
    ``public`` modules; ``shared`` modules (every domain's models) may reach each other."""

    type_name = "domains"

    domains = fields.ListField(subfield=fields.StringField())
    public = fields.ListField(subfield=fields.StringField())
    shared = fields.ListField(subfield=fields.StringField())
    outsiders = fields.ListField(subfield=fields.StringField(), required=False)

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        # import-linter has filled each field with the configured value by now.
        domains: list[str] = list(getattr(self, "domains"))  # noqa: B009
        public = set(getattr(self, "public"))  # noqa: B009
        shared = set(getattr(self, "shared"))  # noqa: B009
        outsiders: list[str] = list(getattr(self, "outsiders", None) or [])
        crossings: list[_Crossing] = []
        for domain in domains:
            for imported in sorted(graph.find_descendants(domain)):
                layer = imported.removeprefix(domain + ".").split(".")[0]
                if layer in public:
                    continue
                for importer in sorted(graph.find_modules_that_directly_import(imported)):
                    if _inside(importer, domain) or not _belongs(importer, domains + outsiders):
                        continue
                    importer_layer = _layer_of(importer, domains)
                    if layer in shared and importer_layer in shared:
                        continue
                    details = graph.get_import_details(importer=importer, imported=imported)
                    lines = tuple(detail["line_number"] for detail in details)
                    crossings.append(_Crossing(importer, imported, lines))
        return ContractCheck(kept=not crossings, metadata={"crossings": crossings})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for crossing in check.metadata["crossings"]:
            lines = ", ".join(str(n) for n in crossing.line_numbers)
            output.print_error(
                f"{crossing.importer} -> {crossing.imported} (l. {lines}): "
                "call the domain's service instead",
                bold=False,
            )


def _inside(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def _belongs(module: str, packages: list[str]) -> bool:
    return any(_inside(module, package) for package in packages)


def _layer_of(module: str, domains: list[str]) -> str | None:
    for domain in domains:
        if module.startswith(domain + "."):
            return module.removeprefix(domain + ".").split(".")[0]
    return None
