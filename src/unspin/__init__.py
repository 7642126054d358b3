"""unspin — find and undo article spinning.

>>> import unspin
>>> report = unspin.check("The model was fitted on crude information.")
>>> [(f.text, f.suggestions[0].text) for f in report.findings]
[('crude information', 'raw data')]
>>> unspin.restore("The model was fitted on crude information.").text
'The model was fitted on raw data.'
"""
from unspin.api import Edit, InputError, Report, Restored, apply_edits, check, restore
from unspin.config import Config
from unspin.doc import Finding, Suggestion
from unspin.scan.many import check_many

__all__ = ["check", "check_many", "restore", "apply_edits", "Config", "Report", "Restored", "Edit", "Finding", "Suggestion", "InputError"]
__version__ = "0.1.0"
