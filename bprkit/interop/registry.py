"""Exporters and importers: the registries ``bprkit export --to`` and ``bprkit import`` read.

An exporter turns checked ``.bpr`` files into another tool's file (BPMN 2.0, the Excel
time survey, Mermaid); an importer turns another tool's file into ``.bpr`` text. Each is
an object with the small interface below (:class:`Exporter`, :class:`Importer`); a new
format is one module plus one ``register_exporter``/``register_importer`` call, and the
CLI's choices, extension checks and size limits follow. Modules are imported when used.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from bprkit.assumptions.catalog import Assumptions
    from bprkit.text.loader import CheckReport


@dataclass(frozen=True)
class ExportJob:
    """What an exporter is given: files checked clean, and the options of the command."""

    report: CheckReport
    lang: str = "ja"
    process: str | None = None
    """The process asked for (None: the first of the file)."""
    assumptions: Assumptions | None = None
    levers: tuple[str, ...] | None = None
    samples: int = 10_000


class Exporter(Protocol):
    name: str
    """The ``--to`` word."""
    extensions: tuple[str, ...]
    """The output extensions that imply this exporter (the first is its own)."""
    many_files: bool
    """True: takes any number of files (the survey workbook); False: exactly one."""
    estimates: bool
    """True: reads assumptions, levers and samples (the survey workbook's savings)."""

    def export(self, job: ExportJob) -> bytes: ...


@dataclass
class Imported:
    """What an importer gives back: ``.bpr`` texts by name, and what it has to say."""

    files: dict[str, str]
    notes: list[str] = field(default_factory=list)
    """Lines for the user (already in their language): what was lost or guessed."""
    note_count: int = 0
    errors: bool = False
    processes: int = 0


class Importer(Protocol):
    name: str
    extensions: tuple[str, ...]
    folder: bool
    """True: may give many files (written into a folder); False: exactly one ``.bpr``, so
    the output is checked before the input is read."""

    def check_size(self, path: str, size: int) -> None:
        """Refuse a file over the importer's limit before it is read (a CatalogError)."""
        ...

    def read(self, path: str, data: bytes, lang: str) -> Imported: ...


class _Bpmn:
    name: str = "bpmn"
    extensions: tuple[str, ...] = (".bpmn", ".xml")
    many_files: bool = False
    estimates: bool = False
    folder: bool = False

    def export(self, job: ExportJob) -> bytes:
        from bprkit.interop import bpmn_export

        bundle = job.report.files[0].bundle
        assert bundle is not None  # checked clean by the caller
        return bpmn_export.export(bundle, lang=job.lang)

    def check_size(self, path: str, size: int) -> None:
        from bprkit.interop import limits
        from bprkit.interop.bpmn_import import BpmnImportError

        limits.check_input_size(path, size, limits.MAX_BPMN_BYTES, BpmnImportError,
                                "import_too_large")

    def read(self, path: str, data: bytes, lang: str) -> Imported:
        from bprkit.interop import bpmn_import

        result = bpmn_import.read(path, data)
        stem = os.path.splitext(os.path.basename(path))[0]
        return Imported({stem: result.text}, bpmn_import.describe(result.notes, path, lang),
                        note_count=len(result.notes), processes=result.processes)


class _Xlsx:
    name: str = "xlsx"
    extensions: tuple[str, ...] = (".xlsx",)
    many_files: bool = True
    estimates: bool = True
    folder: bool = True

    def export(self, job: ExportJob) -> bytes:
        from bprkit.interop import xlsx_export

        assert job.assumptions is not None  # an estimating exporter is given them
        return xlsx_export.export(job.report, job.assumptions, lang=job.lang,
                                  levers=list(job.levers) if job.levers else None,
                                  samples=job.samples)

    def check_size(self, path: str, size: int) -> None:
        from bprkit.interop import limits
        from bprkit.interop.xlsx_import import XlsxImportError

        limits.check_input_size(path, size, limits.MAX_XLSX_BYTES, XlsxImportError,
                                "import_xlsx_too_large")

    def read(self, path: str, data: bytes, lang: str) -> Imported:
        from bprkit.interop import xlsx_import

        result = xlsx_import.read(path, data, lang=lang)
        return Imported(dict(result.files), list(xlsx_import.describe(result, lang)),
                        errors=bool(result.errors), processes=len(result.files))


class _Mermaid:
    name: str = "mermaid"
    extensions: tuple[str, ...] = (".mmd", ".mermaid")
    many_files: bool = False
    estimates: bool = False

    def export(self, job: ExportJob) -> bytes:
        from bprkit.analysis.records import analyze_process
        from bprkit.render import drawing

        file = job.report.files[0]
        assert file.bundle is not None  # checked clean by the caller
        process = file.bundle.own(job.process)
        assert process is not None  # the caller said an unknown process
        analysis = analyze_process(process, file.bundle, with_findings=False)
        return drawing.diagram(analysis, file.bundle,
                               drawing.Options(lang=job.lang)).render("mmd")[0]


EXPORTERS: dict[str, Exporter] = {e.name: e for e in (_Bpmn(), _Xlsx(), _Mermaid())}
IMPORTERS: dict[str, Importer] = {i.name: i for i in (_Bpmn(), _Xlsx())}


def register_exporter(exporter: Exporter) -> None:
    EXPORTERS[exporter.name] = exporter


def register_importer(importer: Importer) -> None:
    IMPORTERS[importer.name] = importer


def exporter_for(extension: str) -> Exporter | None:
    """The exporter an output's extension implies (``.bpmn`` → bpmn), or None."""
    return next((e for e in EXPORTERS.values() if extension.lower() in e.extensions), None)


def importer_for(path: str) -> Importer | None:
    """The importer of a file, from its extension, or None."""
    ext = os.path.splitext(path)[1].lower()
    return next((i for i in IMPORTERS.values() if ext in i.extensions), None)


def import_extensions() -> tuple[str, ...]:
    return tuple(ext for i in IMPORTERS.values() for ext in i.extensions)
