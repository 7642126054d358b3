"""unspin — find and undo article spinning.

>>> import unspin
>>> report = unspin.check("We trained an irregular woodland on the crude information.")
>>> [f.suggestions[0].text for f in report.findings]
['random forest', 'raw data']
>>> unspin.restore("We trained an irregular woodland.").text
'We trained an random forest.'
"""
from unspin.api import Edit, InputError, Report, Restored, apply_edits, check, restore
from unspin.config import Config
from unspin.doc import Finding, Suggestion

__all__ = ["check", "restore", "apply_edits", "Config", "Report", "Restored", "Edit", "Finding", "Suggestion", "InputError"]
__version__ = "0.1.0"
