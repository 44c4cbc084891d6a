"""Render a .docx template with a context, and validate templates an administrator uploads.

Templates are untrusted input: inline placeholders are Jinja expressions rendered in a
`SandboxedEnvironment` with strict undefined names, no `**`, a cap on `*` repetition and on output
length. Values are written as text nodes through the XML API (never spliced into markup), so a
value cannot inject XML; that is why Jinja's string autoescape is off.
"""
from __future__ import annotations

import io
import re
import zipfile

from docx import Document
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph
from jinja2 import StrictUndefined, TemplateSyntaxError, meta
from jinja2.exceptions import SecurityError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment

from ..kernel.errors import ChithiError, FieldProblem, FormError, NotFound
from ..kernel.resources import templates_dir
from . import docxkit as kit
from . import rules
from .blocks import write_block
from .kinds import BLOCK_KEYS, INLINE_KEYS, DocumentContext, check_side, kind_spec, sample_context

MAX_TEMPLATE_BYTES = 2 * 1024 * 1024
MAX_UNZIPPED_BYTES = 30 * 1024 * 1024
MAX_VALUE_CHARS = 20_000
TAG_RE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
T_TAG = qn("w:t")
BLOCK_RE = re.compile(r"\s*\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}\s*")


class TemplateRejected(FormError):
    """An uploaded template was refused; each field problem names the placeholder at fault."""

    code = "invalid_template"


class RenderError(ChithiError):
    """A template could not be rendered with the given context (names the placeholder)."""

    code = "render_failed"
    http_status = 422


class _Sandbox(SandboxedEnvironment):
    intercepted_binops = frozenset(["*", "**"])

    def call_binop(self, context, operator, left, right):
        """Refuse `**` and string/list repetition beyond 100 (memory exhaustion)."""
        if operator == "**":
            raise SecurityError("phép lũy thừa (**) không được dùng trong mẫu")
        if operator == "*" and any(isinstance(v, (str, list, tuple)) for v in (left, right)):
            count = right if isinstance(left, (str, list, tuple)) else left
            if isinstance(count, int) and count > 100:
                raise SecurityError("lặp chuỗi quá 100 lần không được phép trong mẫu")
        return super().call_binop(context, operator, left, right)


def _environment() -> SandboxedEnvironment:
    return _Sandbox(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)


def shipped_template(kind: str, side: str) -> bytes:
    """The shipped template of a kind and side from templates/ (built by templates/build.py)."""
    kind_spec(kind)
    path = templates_dir() / f"{kind}.{check_side(side)}.docx"
    if not path.exists():
        raise NotFound(f"thiếu mẫu {path.name}; chạy python templates/build.py")
    return path.read_bytes()


def render_document(kind: str, context: DocumentContext | dict, *,
                    template_bytes: bytes | None = None) -> bytes:
    """Render `kind` with `context` (from build_context) into .docx bytes."""
    spec = kind_spec(kind)
    side = check_side(context.get("side", "state"))
    data = template_bytes if template_bytes is not None else shipped_template(kind, side)
    doc = Document(io.BytesIO(data))
    env = _environment()
    inline = {k: context.get(k, "") for k in INLINE_KEYS}
    for paragraph in _paragraphs(doc):
        if not _may_hold_tags(paragraph):
            continue
        text = paragraph.text
        block = BLOCK_RE.fullmatch(text)
        if block and block.group(1) in spec.blocks:
            write_block(block.group(1), paragraph, context.get(block.group(1)), side)
            continue
        _render_inline(env, paragraph, inline)
    rules.fit_rules(doc)
    rules.fit_boxes(doc)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _may_hold_tags(paragraph: Paragraph) -> bool:
    """Cheap pre-check on the raw text nodes (python-docx's .text costs an XPath per paragraph)."""
    return any("{" in (t.text or "") or "}" in (t.text or "") for t in paragraph._p.iter(T_TAG))


def _paragraphs(doc) -> list[Paragraph]:
    """Every paragraph of the body (tables included) and of the headers/footers, in order."""
    found = [Paragraph(p, doc._body) for p in doc.element.body.iter(qn("w:p"))]
    for section in doc.sections:
        for part in (section.header, section.first_page_header, section.even_page_header,
                     section.footer, section.first_page_footer, section.even_page_footer):
            if part.is_linked_to_previous:
                continue
            found += [Paragraph(p, part) for p in part._element.iter(qn("w:p"))]
    return found


def _render_inline(env, paragraph: Paragraph, values: dict) -> None:
    runs = paragraph.runs
    try:
        pieces = [_render_text(env, r.text, values) if "{" in r.text else None for r in runs]
    except TemplateSyntaxError:  # a tag split across runs by the editor: render the joined text
        pieces = None
    if pieces is None:
        rendered = _render_text(env, paragraph.text, values)
        for extra in runs[1:]:
            extra._r.getparent().remove(extra._r)
        runs = runs[:1]
        pieces = [rendered]
    for run, piece in zip(runs, pieces):
        if piece is not None:
            kit.write_text(run, piece)
    if not paragraph.text.strip():
        _drop_paragraph(paragraph)


SIMPLE_TAG_RE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


def _render_text(env, text: str, values: dict) -> str:
    # Fast path: plain `{{ name }}` tags need no Jinja compile (most placeholders are like this).
    rest = SIMPLE_TAG_RE.sub("", text)
    if not any(mark in rest for mark in ("{{", "}}", "{%", "%}", "{#", "#}")):
        try:
            return SIMPLE_TAG_RE.sub(lambda m: _plain(values[m.group(1)]), text)
        except KeyError as exc:
            raise RenderError(f"không điền được chỗ giữ chỗ {_snippet(text)}: thiếu {exc}") from exc
    try:
        result = env.from_string(text).render(values)
    except TemplateSyntaxError:
        raise
    except (UndefinedError, SecurityError, TypeError, ValueError) as exc:
        raise RenderError(f"không điền được chỗ giữ chỗ {_snippet(text)}: {exc}") from exc
    if len(result) > MAX_VALUE_CHARS:
        raise RenderError(f"chỗ giữ chỗ {_snippet(text)} sinh ra văn bản quá dài")
    return result


def _plain(value) -> str:
    return "" if value is None else str(value)


def _drop_paragraph(paragraph: Paragraph) -> None:
    parent = paragraph._p.getparent()
    if parent.tag == qn("w:tc") and len(parent.findall(qn("w:p"))) == 1:
        return
    parent.remove(paragraph._p)


def _snippet(text: str) -> str:
    tags = TAG_RE.findall(text)
    chosen = tags[0] if tags else text.strip()
    return chosen if len(chosen) <= 80 else chosen[:77] + "…"


def validate_template(kind: str, data: bytes, side: str = "state") -> list[str]:
    """Check an uploaded template; returns its placeholders or raises TemplateRejected naming each fault.

    Static checks first (every tag parsed, names known, blocks present and alone), then a trial
    render with sample data, which catches what only the sandbox sees (e.g. `x.__class__`)."""
    spec = kind_spec(kind)
    if len(data) > MAX_TEMPLATE_BYTES:
        raise TemplateRejected([FieldProblem(
            "template", f"tệp quá lớn ({len(data) // 1024} KB; tối đa {MAX_TEMPLATE_BYTES // 1024} KB)")])
    doc = _open_docx(data)
    env = _environment()
    problems: list[FieldProblem] = []
    seen_blocks: set[str] = set()
    placeholders: list[str] = []
    for paragraph in _paragraphs(doc):
        text = paragraph.text
        if not any(mark in text for mark in ("{{", "{%", "{#", "}}", "%}")):
            continue
        block = BLOCK_RE.fullmatch(text)
        if block and block.group(1) in BLOCK_KEYS:
            name = block.group(1)
            if name not in spec.blocks:
                problems.append(FieldProblem(f"{{{{ {name} }}}}",
                                             f"khối {name!r} không dùng được trong mẫu {kind}"))
            seen_blocks.add(name)
            placeholders.append(name)
            continue
        problems += _check_inline(env, text, placeholders)
    for name in spec.blocks:
        if name not in seen_blocks:
            problems.append(FieldProblem(f"{{{{ {name} }}}}",
                                         f"mẫu thiếu khối {{{{ {name} }}}} (đặt riêng một đoạn)"))
    if problems:
        raise TemplateRejected(problems)
    try:
        render_document(kind, sample_context(kind, side), template_bytes=data)
    except RenderError as exc:
        raise TemplateRejected([FieldProblem("template", str(exc))]) from exc
    return placeholders


def _check_inline(env, text: str, placeholders: list[str]) -> list[FieldProblem]:
    leftover = TAG_RE.sub("", text)
    for mark in ("{{", "}}", "{%", "%}", "{#", "#}"):
        if mark in leftover:
            where = leftover[max(0, leftover.find(mark) - 20): leftover.find(mark) + 30].strip()
            return [FieldProblem(where, f"thẻ giữ chỗ bị hỏng hoặc chưa đóng ({mark!r}) trong «{where}»")]
    try:
        ast = env.parse(text)
    except TemplateSyntaxError as exc:
        return [FieldProblem(_snippet(text), f"thẻ giữ chỗ sai cú pháp {_snippet(text)}: {exc.message}")]
    problems = []
    for name in sorted(meta.find_undeclared_variables(ast)):
        placeholders.append(name)
        if name in BLOCK_KEYS:
            problems.append(FieldProblem(f"{{{{ {name} }}}}",
                                         f"khối {{{{ {name} }}}} phải đứng riêng một đoạn"))
        elif name not in INLINE_KEYS:
            problems.append(FieldProblem(f"{{{{ {name} }}}}",
                                         f"chỗ giữ chỗ không biết: {{{{ {name} }}}}; dùng một trong "
                                         f"{', '.join(sorted(INLINE_KEYS))}"))
    return problems


EXTERNAL_RE = re.compile(rb'<Relationship\b[^>]*TargetMode="External"[^>]*>')


def _refuse_active_content(archive: zipfile.ZipFile, names: list[str]) -> None:
    """No macros and no external links other than hyperlinks (they would fetch remote content)."""
    if any(n.lower().endswith("vbaproject.bin") for n in names) or \
            b"macroEnabled" in archive.read("[Content_Types].xml"):
        raise TemplateRejected([FieldProblem("template", "mẫu chứa macro (.docm); lưu lại dạng .docx")])
    for name in names:
        if name.endswith(".rels"):
            for rel in EXTERNAL_RE.findall(archive.read(name)):
                if b"/hyperlink" not in rel:
                    raise TemplateRejected([FieldProblem(
                        "template", f"mẫu liên kết tới tài nguyên bên ngoài ({name}); hãy nhúng hoặc xóa")])


def _open_docx(data: bytes):
    bad = TemplateRejected([FieldProblem("template", "tệp không phải .docx (Word/LibreOffice)")])
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            if "word/document.xml" not in names or "[Content_Types].xml" not in names:
                raise bad
            if sum(info.file_size for info in archive.infolist()) > MAX_UNZIPPED_BYTES:
                raise TemplateRejected([FieldProblem("template", "tệp .docx giải nén quá lớn")])
            _refuse_active_content(archive, names)
        return Document(io.BytesIO(data))
    except TemplateRejected:
        raise
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError, OSError,
            SyntaxError) as exc:  # lxml's XMLSyntaxError is a SyntaxError
        raise bad from exc
