"""Entry points: one document in, the bytes of a .docx or a .pdf out, and a file name for it."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, time
from typing import Any

from dangbo.core.text import fold
from dangbo.documents import content, minutes, pdf, word
from dangbo.documents.content import Layout
from dangbo.documents.data import (
    AdmissionDecision,
    Document,
    MeetingMinutes,
    MeetingResolution,
    RecognitionDecision,
    TransferLetter,
)

DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_MEDIA_TYPE = "application/pdf"

# Each kind of document: how its words are laid out, and how its file is named.
_LAYOUT: dict[type, Callable[[Any], Layout]] = {
    AdmissionDecision: content.admission,
    RecognitionDecision: content.recognition,
    TransferLetter: content.transfer,
    MeetingMinutes: minutes.minutes,
    MeetingResolution: minutes.resolution,
}
_FILE_PREFIX = {
    AdmissionDecision: "quyet-dinh-ket-nap",
    RecognitionDecision: "quyet-dinh-cong-nhan-dang-vien-chinh-thuc",
    TransferLetter: "giay-gioi-thieu-sinh-hoat-dang",
    MeetingMinutes: "bien-ban",
    MeetingResolution: "nghi-quyet",
}


def layout(doc: Document) -> Layout:
    """The parts of ``doc`` as the renderers draw them."""
    try:
        make = _LAYOUT[type(doc)]
    except KeyError:
        raise TypeError(f"Không có mẫu văn bản cho {type(doc).__name__}.") from None
    return make(doc)


def _stamp(doc: Document) -> datetime:
    # The file's own creation date is the date of issue, so rendering the same document twice gives the same metadata.
    return datetime.combine(doc.issued_on, time(8, 0))


def render_docx(doc: Document) -> bytes:
    """The document as a Word file (Times New Roman, A4, margins of HD 36-HD/VPTW)."""
    return word.render(layout(doc), issued_on=_stamp(doc))


def render_pdf(doc: Document) -> bytes:
    """The document as PDF, with Liberation Serif (metric-compatible with Times New Roman) embedded."""
    return pdf.render(layout(doc), issued_on=_stamp(doc))


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")


def filename(doc: Document, ext: str) -> str:
    """An ASCII file name: "quyet-dinh-ket-nap-nguyen-thi-hang.docx",
    "bien-ban-chi-bo-thon-phu-ha-2026-11-05.pdf"."""
    try:
        prefix = _FILE_PREFIX[type(doc)]
    except KeyError:
        raise TypeError(f"Không có mẫu văn bản cho {type(doc).__name__}.") from None
    if isinstance(doc, MeetingMinutes | MeetingResolution):
        name = "-".join(part for part in (_slug(doc.body_name), doc.held_on.isoformat()) if part)
    else:
        name = _slug(doc.person.full_name)
    stem = f"{prefix}-{name}" if name else prefix
    ext = re.sub(r"[^a-z0-9]", "", ext.lower())
    return f"{stem}.{ext}" if ext else stem
