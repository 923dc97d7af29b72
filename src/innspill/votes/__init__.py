"""Live votes during a meeting: the ``innspill.live/1`` results format.

Pure Python (numpy + scikit-learn, no Django): the web app exports its votes as an
``innspill.live/1`` dict, :func:`build_results` adds counts, opinion groups, consensus and
divisive statements, and :mod:`innspill.votes.polis` writes / reads Pol.is's export CSVs.
See ``docs/live-format.md``.
"""

from innspill.votes.results import SCHEMA, LiveFormatError, build_results, validate

__all__ = ["SCHEMA", "LiveFormatError", "build_results", "validate"]
