"""Checks on an uploaded court document before anything is stored.

A file is judged by its content, never by its name or the browser's claimed type: it must be a
PDF, PNG, JPEG or WebP by its first bytes, whole (a PDF readable by pypdf and ending in
``%%EOF``; an image whose structure runs exactly to the end of the file, so nothing such as HTML
rides along after it), not over ``settings.DOCUMENT_MAX_BYTES``, and a PDF neither encrypted nor
carrying active content (JavaScript, launch actions, embedded files, XFA forms). A PDF's pages
are counted and its text extracted for the case list's search. Every refusal is a ValidationError
with a message the uploader can act on.
"""

from __future__ import annotations

import hashlib
import io
import struct
import zlib
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class MediaType(models.TextChoices):
    """The kinds of file a document may be; the value is the Content-Type it is served with."""

    PDF = "application/pdf", "PDF"
    PNG = "image/png", "PNG image"
    JPEG = "image/jpeg", "JPEG image"
    WEBP = "image/webp", "WebP image"


EXTENSIONS = {MediaType.PDF: "pdf", MediaType.PNG: "png", MediaType.JPEG: "jpg", MediaType.WEBP: "webp"}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
NOT_ACCEPTED = gettext_lazy(
    "This file is not a PDF, PNG, JPEG or WebP image (judged by its content, not its name). "
    "Upload the document as a PDF or a photo or scan in one of those formats."
)


@dataclass(frozen=True)
class CheckedFile:
    """What the checks learnt about an accepted file."""

    media_type: str
    size: int
    pages: int | None  # PDFs only
    text: str  # a PDF's extracted text; "" for images
    sha256: str


def sniff(head: bytes) -> str | None:
    """The media type the file's first bytes announce, or None."""
    if head.startswith(b"%PDF-"):
        return MediaType.PDF
    if head.startswith(PNG_SIGNATURE):
        return MediaType.PNG
    if head.startswith(b"\xff\xd8\xff"):
        return MediaType.JPEG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return MediaType.WEBP
    return None


def check_upload(upload, *, max_bytes: int | None = None) -> CheckedFile:
    """Check `upload` (a Django File); return what was learnt or raise ValidationError."""
    limit = settings.DOCUMENT_MAX_BYTES if max_bytes is None else max_bytes
    size = upload.size
    if not size:
        raise ValidationError(_("The file is empty."), code="empty")
    if size > limit:
        raise ValidationError(
            _("The file is %(size)s; documents may be at most %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)},
            code="too_big",
        )
    upload.seek(0)
    data = upload.read(limit + 1)
    upload.seek(0)
    if len(data) > limit:  # the size given by the client was wrong
        raise ValidationError(
            _("The file is over the limit of %(limit)s.") % {"limit": filesizeformat(limit)}, code="too_big"
        )
    media_type = sniff(data[:16])
    if media_type is None:
        raise ValidationError(NOT_ACCEPTED, code="type")
    pages, text = None, ""
    if media_type == MediaType.PDF:
        pages, text = read_pdf(data)
    else:
        IMAGE_CHECKS[media_type](data)
    return CheckedFile(media_type, len(data), pages, text, hashlib.sha256(data).hexdigest())


# PDFs --------------------------------------------------------------------------------------------

UNREADABLE_PDF = gettext_lazy(
    "The PDF cannot be read: it is damaged or not a real PDF. Save or scan it again and upload the new copy."
)


def read_pdf(data: bytes) -> tuple[int, str]:
    """The page count and text of a whole, unencrypted PDF without active content."""
    from pypdf import PdfReader

    # A PDF ends with %%EOF (give or take a line end); a cut-off download does not.
    if b"%%EOF" not in data[-1024:]:
        raise ValidationError(
            _("The PDF is incomplete (it does not end as a PDF must): the download or scan was probably cut off."),
            code="truncated",
        )
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise ValidationError(
                _("The PDF is encrypted or password-protected: upload a copy without a password."), code="encrypted"
            )
        pages = len(reader.pages)
        active = active_content(reader)
        text = "\n".join((page.extract_text() or "") for page in reader.pages) if not active else ""
    except ValidationError:
        raise
    except Exception as error:  # pypdf raises many kinds of error on a damaged file
        raise ValidationError(UNREADABLE_PDF, code="unreadable") from error
    if not pages:
        raise ValidationError(_("The PDF has no pages."), code="unreadable")
    if active:
        raise ValidationError(
            _(
                "The PDF carries active content (%(active)s), which a court document never needs: "
                "print it to a new PDF and upload that."
            )
            % {"active": active},
            code="active",
        )
    # PostgreSQL text cannot hold NUL; some PDFs' text layers contain it.
    return pages, text.replace("\x00", "")


ACTIONS = ("/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/RichMediaExecute")


def active_content(reader) -> str:
    """What active content the PDF carries ("" for none): scripts, launch actions, embedded files, XFA."""
    root = reader.trailer["/Root"].get_object()
    names = root.get("/Names")
    names = names.get_object() if names is not None else {}
    if "/JavaScript" in names:
        return "JavaScript"
    if "/EmbeddedFiles" in names:
        return "embedded files"
    acroform = root.get("/AcroForm")
    if acroform is not None and "/XFA" in acroform.get_object():
        return "an XFA form"
    if "/AA" in root or _is_action(root.get("/OpenAction")):
        return "an action run on opening"
    for page in reader.pages:
        if "/AA" in page:
            return "a page action"
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            if "/AA" in annotation or _is_action(annotation.get("/A")):
                return "a scripted link"
            if annotation.get("/Subtype") == "/FileAttachment":
                return "an attached file"
    return ""


def _is_action(action) -> bool:
    if action is None:
        return False
    action = action.get_object()
    return isinstance(action, dict) and action.get("/S") in ACTIONS


# Images: the structure must run exactly to the end of the file -----------------------------------


def check_png(data: bytes) -> None:
    """Every chunk's CRC, IHDR first, IEND last and nothing after it."""
    position, first = len(PNG_SIGNATURE), True
    while True:
        if position + 12 > len(data):
            raise ValidationError(_("The PNG image is incomplete: it was probably cut off."), code="truncated")
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        end = position + 12 + length
        body = data[position + 4 : position + 8 + length]
        if end > len(data) or zlib.crc32(body) != struct.unpack(">I", data[end - 4 : end])[0]:
            raise ValidationError(_("The PNG image is damaged or incomplete."), code="damaged")
        if first and kind != b"IHDR":
            raise ValidationError(_("The PNG image is damaged (no header)."), code="damaged")
        first, position = False, end
        if kind == b"IEND":
            break
    if position != len(data):
        raise ValidationError(_("The PNG image has other data after its end."), code="trailing")


def check_jpeg(data: bytes) -> None:
    """A JPEG ends with its end-of-image marker: one that does not was cut off or has data appended."""
    if not data.endswith(b"\xff\xd9"):
        raise ValidationError(
            _("The JPEG image is incomplete or has other data after its end: save it again and upload the copy."),
            code="truncated",
        )


def check_webp(data: bytes) -> None:
    """The RIFF header gives the file's length."""
    if len(data) < 16 or struct.unpack("<I", data[4:8])[0] + 8 != len(data):
        raise ValidationError(_("The WebP image is incomplete or has other data after its end."), code="truncated")


IMAGE_CHECKS = {MediaType.PNG: check_png, MediaType.JPEG: check_jpeg, MediaType.WEBP: check_webp}
