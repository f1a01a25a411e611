"""Files for the court-document tests, built in the tests: a real PDF with text, real images, and
hostile files (a truncated or encrypted PDF, HTML or SVG in disguise, polyglots...)."""

from __future__ import annotations

import io
import struct
import zlib


def pdf_bytes(pages: list[str], *, extra_catalog: str = "") -> bytes:
    """A small, valid PDF: one page per string, its text in Helvetica (extractable by pypdf)."""
    objects = [f"<< /Type /Catalog /Pages 2 0 R {extra_catalog}>>"]
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(len(pages)))
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>")
    objects.append("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    for i, text in enumerate(pages):
        escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        stream = f"BT /F1 14 Tf 72 720 Td ({escaped}) Tj ET"
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> "
            f"/Contents {5 + 2 * i} 0 R >>"
        )
        objects.append(f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1"))
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def encrypted_pdf_bytes() -> bytes:
    """A password-protected copy of a one-page PDF (pypdf's own RC4 needs no extra library)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(pdf_bytes(["Secret order"]))).pages:
        writer.add_page(page)
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_bytes(width: int = 2, height: int = 2) -> bytes:
    """A valid grey PNG."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(rows)) + _chunk(b"IEND", b"")


def jpeg_bytes() -> bytes:
    """The markers the checks read: start of image ... end of image (a minimal JFIF shell)."""
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    return b"\xff\xd8" + app0 + b"\xff\xd9"


def webp_bytes() -> bytes:
    body = b"WEBP" + b"VP8L" + struct.pack("<I", 6) + b"\x2f\x00\x00\x00\x00\x00"
    return b"RIFF" + struct.pack("<I", len(body)) + body


HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.domain)</script></svg>'


def hostile_files() -> dict[str, tuple[str, bytes]]:
    """name -> (the uploaded file's name, its bytes): every one must be refused."""
    pdf = pdf_bytes(["Judgment"])
    return {
        "html renamed .pdf": ("judgment.pdf", HTML),
        "svg with a script": ("order.svg", SVG),
        "svg renamed .png": ("order.png", SVG),
        "truncated pdf": ("judgment.pdf", pdf[: len(pdf) // 2]),
        "encrypted pdf": ("judgment.pdf", encrypted_pdf_bytes()),
        "zero bytes": ("empty.pdf", b""),
        "pdf header then html (polyglot)": ("judgment.pdf", b"%PDF-1.4\n" + HTML + b"\n%%EOF\n"),
        "png then html (polyglot)": ("scan.png", png_bytes() + HTML),
        "jpeg then html (polyglot)": ("scan.jpg", jpeg_bytes() + HTML),
        "nul bytes": ("judgment.pdf", b"\x00" * 4096),
        "pdf with javascript": (
            "judgment.pdf",
            pdf_bytes(["Judgment"], extra_catalog="/OpenAction << /S /JavaScript /JS (app.alert(1)) >> "),
        ),
        "../ and unicode in the name": ("../../../etc/پاسورڈ\u202e.pdf", HTML),
        "truncated png": ("scan.png", png_bytes()[:-6]),
        "webp with a wrong length": ("scan.webp", webp_bytes() + b"junk"),
    }
