"""unspin — find and undo article spinning.

>>> import unspin
>>> report = unspin.check("The model was fitted on crude information.")
>>> [(f.text, f.suggestions[0].text) for f in report.findings]
[('crude information', 'raw data')]
>>> unspin.restore("The model was fitted on crude information.").text
'The model was fitted on raw data.'
"""
from typing import Any

from unspin.api import Edit, InputError, Report, Restored, apply_edits, check, restore
from unspin.config import Config
from unspin.doc import Finding, Suggestion
from unspin.scan.many import check_many

__all__ = [
    "check", "check_many", "restore", "apply_edits", "trace",
    "Config", "Report", "Restored", "Edit", "Finding", "Suggestion", "InputError",
]


def trace(text: str, index: Any, k: int = 5, aligned: bool = True) -> Any:
    """The likely sources of ``text`` in a trace ``index`` (a path or :class:`unspin.tracing.TraceIndex`).

    Returns a :class:`unspin.tracing.Trace`: candidates best first, the best one aligned with ``text``.
    Build an index with ``unspin index build`` or :func:`unspin.tracing.create_index`.
    """
    from unspin.tracing import trace as _trace

    return _trace(text, index, k=k, aligned=aligned)
__version__ = "0.1.0"
