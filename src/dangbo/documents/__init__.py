"""Party documents printed from plain data: admission and recognition decisions, transfer letters,
the minutes and the resolution of a meeting.

Pure functions, no database: callers build the dataclasses in ``data`` and call
``render.render_docx`` / ``render.render_pdf``. The layout follows Hướng dẫn
36-HD/VPTW (2018) on the format of Party documents; see docs/documents.md.
"""
