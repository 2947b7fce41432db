"""Optional pieces a format needs, loaded on first use and reported as one actionable line.

A plain ``pip install`` can miss a piece (pip older than 23.3 did not install jusText's
``lxml[html_clean]`` extra under lxml 6's spelling ``html-clean``): the user then sees
"HTML import needs lxml_html_clean: pip install lxml_html_clean", never an ImportError.
"""

from __future__ import annotations

import importlib
import logging
from types import ModuleType

from reader.core.importer.model import Skip

log = logging.getLogger(__name__)

#: Module -> the distribution that provides it.
DISTRIBUTIONS = {
    "lxml_html_clean": "lxml_html_clean",
    "lxml.html.clean": "lxml_html_clean",
    "trafilatura": "trafilatura",
    "pypdfium2": "pypdfium2",
    "pypdfium2.raw": "pypdfium2",
    "docx": "python-docx",
    "lxml": "lxml",
}


class MissingPiece(Skip):
    """A format's library is not installed; ``reason`` says what to install."""


def missing(feature: str, module: str) -> MissingPiece:
    dist = DISTRIBUTIONS.get(module, module.split(".")[0])
    return MissingPiece(f"{feature} needs {dist}: pip install {dist}")


def need(module: str, feature: str) -> ModuleType:
    """``module`` imported, or :class:`MissingPiece` naming the package to install."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise missing(feature, module) from None


def module_named_in(exc: ImportError) -> str:
    """Which module an ImportError is about (lxml's own message names the cleaner project)."""
    text = str(exc)
    if "lxml_html_clean" in text or "html.clean" in text or "html_clean" in text:
        return "lxml_html_clean"
    return exc.name or "a library"
