"""PDF export through LibreOffice (`soffice --headless`), in a private temporary profile."""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from ..kernel.errors import ChithiError


class OfficeSuiteMissing(ChithiError):
    """LibreOffice (soffice) is not installed, so PDF export is unavailable."""

    code = "office_suite_missing"
    http_status = 503


class PdfConversionFailed(ChithiError):
    """LibreOffice ran but produced no PDF (damaged document or timeout)."""

    code = "pdf_conversion_failed"
    http_status = 500


def soffice_path() -> str:
    """Path of the soffice binary, or OfficeSuiteMissing saying what to install."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        raise OfficeSuiteMissing("không tìm thấy LibreOffice (soffice); cài gói libreoffice-writer "
                                 "để xuất PDF")
    return found


def convert_to_pdf(docx_bytes: bytes, timeout: float = 60) -> bytes:
    """Convert one .docx to PDF bytes with LibreOffice."""
    return convert_many_to_pdf([docx_bytes], timeout=timeout)[0]


def convert_many_to_pdf(documents: list[bytes], timeout: float = 120) -> list[bytes]:
    """Convert several .docx files in one soffice run (start-up dominates the cost)."""
    binary = soffice_path()
    with tempfile.TemporaryDirectory(prefix="chithi-pdf-") as tmp:
        root = Path(tmp)
        profile = root / "profile"
        out = root / "out"
        out.mkdir()
        inputs = []
        for i, data in enumerate(documents):
            path = root / f"doc{i:04d}.docx"
            path.write_bytes(data)
            inputs.append(path)
        cmd = [binary, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
               "--convert-to", "pdf:writer_pdf_Export", "--outdir", str(out), *map(str, inputs)]
        try:
            result = subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as exc:
            raise PdfConversionFailed(f"LibreOffice quá thời gian ({timeout} s)") from exc
        pdfs = []
        for path in inputs:
            pdf = out / (path.stem + ".pdf")
            if not pdf.exists() or pdf.stat().st_size == 0:
                detail = (result.stderr or result.stdout).decode("utf-8", "replace").strip()[-300:]
                raise PdfConversionFailed(f"LibreOffice không chuyển được {path.name} sang PDF: {detail}")
            pdfs.append(pdf.read_bytes())
        return pdfs
