"""Official documents: .docx in NĐ 30/2020 (State) or HD 36 (Party) format from editable templates,
stored with hash and version, previewed as HTML, exported to PDF through LibreOffice."""
from .kinds import KINDS, DocumentContext, build_context, kind_spec
from .pdf import OfficeSuiteMissing, PdfConversionFailed, convert_many_to_pdf, convert_to_pdf
from .preview import preview_html
from .render import TemplateRejected, render_document, validate_template
from .store import DocumentStore, DocumentTemplate, GeneratedDocument

__all__ = [
    "KINDS", "DocumentContext", "DocumentStore", "DocumentTemplate", "GeneratedDocument",
    "OfficeSuiteMissing", "PdfConversionFailed", "TemplateRejected", "build_context", "kind_spec",
    "convert_many_to_pdf", "convert_to_pdf", "preview_html", "render_document", "validate_template",
]
