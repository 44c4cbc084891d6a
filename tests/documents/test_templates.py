"""Shipped templates are reproducible from templates/build.py and valid; uploaded templates are
untrusted input: anything broken, unknown, oversized or not a .docx is refused, naming the fault."""
from __future__ import annotations

import copy
import importlib.util
import io
import re
import zipfile

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph

from engine.documents import TemplateRejected, render_document, validate_template
from engine.documents.kinds import sample_context
from engine.documents.render import MAX_TEMPLATE_BYTES, shipped_template

from .format_checker import check, full_text
from .helpers import ALL_KINDS, REPO, edit_part, expect_for


def _builder():
    spec = importlib.util.spec_from_file_location("chithi_template_build", REPO / "templates" / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {name: z.read(name) for name in z.namelist()}


def test_rebuilding_the_templates_reproduces_the_committed_files(tmp_path):
    written = _builder().build_all(tmp_path)
    assert len(written) == len(ALL_KINDS)
    for path in written:
        committed = REPO / "templates" / path.name
        assert committed.exists(), f"{path.name} is not committed; run python templates/build.py"
        fresh, old = _parts(path.read_bytes()), _parts(committed.read_bytes())
        assert sorted(fresh) == sorted(old), path.name
        for name in fresh:  # core.xml is fixed by the builder, so every part must match exactly
            assert fresh[name] == old[name], f"{path.name}:{name} differs; run python templates/build.py"


@pytest.mark.parametrize("kind,side", ALL_KINDS)
def test_shipped_template_passes_upload_validation(kind, side):
    placeholders = validate_template(kind, shipped_template(kind, side), side)
    assert "issuer" in placeholders


def _template_with(kind: str, old: str, new: str, side: str = "state") -> bytes:
    """The shipped template with one paragraph's text replaced, as an editor in Word would."""
    doc = Document(io.BytesIO(shipped_template(kind, side)))
    for p in doc.element.body.iter(qn("w:p")):
        para = Paragraph(p, doc._body)
        if para.text == old:
            runs = para.runs
            runs[0].text = new
            for r in runs[1:]:
                r.text = ""
            out = io.BytesIO()
            doc.save(out)
            return out.getvalue()
    raise AssertionError(f"{old!r} not in the template")


def _problems(exc: TemplateRejected) -> str:
    return " | ".join(f"{f.field}: {f.message}" for f in exc.fields)


def test_unknown_placeholder_is_refused_and_named():
    data = _template_with("directive_final", "{{ subject }}", "{{ subjekt }}")
    with pytest.raises(TemplateRejected) as err:
        validate_template("directive_final", data)
    assert "{{ subjekt }}" in _problems(err.value)


@pytest.mark.parametrize("bad,named", [
    ("{{ subject ", "{{"),
    ("{% if subject %}{{ subject }}", "{% if subject %}"),
    ("{{ subject | }}", "{{ subject | }}"),
    ("{{ subject }} }}", "}}"),
])
def test_broken_tag_is_refused_and_named(bad, named):
    data = _template_with("directive_final", "{{ subject }}", bad)
    with pytest.raises(TemplateRejected) as err:
        validate_template("directive_final", data)
    assert named in _problems(err.value)


def test_block_placeholder_inside_text_is_refused():
    data = _template_with("directive_final", "{{ subject }}", "Trích yếu: {{ body }}")
    with pytest.raises(TemplateRejected) as err:
        validate_template("directive_final", data)
    assert "{{ body }}" in _problems(err.value)


def test_template_missing_a_block_is_refused():
    data = _template_with("directive_final", "{{ legal_basis }}", "Căn cứ")
    with pytest.raises(TemplateRejected) as err:
        validate_template("directive_final", data)
    assert "{{ legal_basis }}" in _problems(err.value)


@pytest.mark.parametrize("expression", [
    "{{ subject.__class__.__mro__ }}",
    "{{ subject.format.__globals__ }}",
    "{{ 'x' * 100000000 }}",
    "{{ 9 ** 99999999 }}",
])
def test_sandbox_refuses_hostile_expressions_at_upload(expression):
    data = _template_with("directive_final", "{{ subject }}", expression)
    with pytest.raises(TemplateRejected):
        validate_template("directive_final", data)


def test_not_a_docx_is_refused():
    with pytest.raises(TemplateRejected) as err:
        validate_template("directive_final", b"%PDF-1.7 not a word file")
    assert ".docx" in _problems(err.value)
    other_zip = io.BytesIO()
    with zipfile.ZipFile(other_zip, "w") as z:
        z.writestr("hello.txt", "xin chào")
    with pytest.raises(TemplateRejected):
        validate_template("directive_final", other_zip.getvalue())


def test_oversized_upload_is_refused():
    with pytest.raises(TemplateRejected) as err:
        validate_template("directive_final", b"PK" + b"\0" * (MAX_TEMPLATE_BYTES + 1))
    assert "quá lớn" in _problems(err.value)


def test_edited_template_with_expressions_renders_and_keeps_the_format():
    data = _template_with("directive_final", "{{ type_name }}", "{{ type_name | upper }}")
    data = _template_with_bytes(data, "{{ subject }}", "{% if subject %}{{ subject }}{% endif %}")
    validate_template("directive_final", data)
    out = render_document("directive_final", sample_context("directive_final", "state"), template_bytes=data)
    assert check(out, expect_for("directive_final", "state")) == []
    assert "Về việc tăng cường công tác chỉ đạo" in full_text(out)


def test_tag_split_across_runs_by_the_editor_still_renders():
    doc = Document(io.BytesIO(shipped_template("directive_final", "state")))
    for p in doc.element.body.iter(qn("w:p")):
        para = Paragraph(p, doc._body)
        if para.text == "{{ subject }}":
            run = para.runs[0]
            run.text = "{{ sub"
            twin = para.add_run("ject }}")
            twin._r.insert(0, copy.deepcopy(run._r.rPr))
    out = io.BytesIO()
    doc.save(out)
    validate_template("directive_final", out.getvalue())
    rendered = render_document("directive_final", sample_context("directive_final", "state"),
                               template_bytes=out.getvalue())
    assert re.search(r"Về việc tăng cường", full_text(rendered))


def _template_with_bytes(data: bytes, old: str, new: str) -> bytes:
    doc = Document(io.BytesIO(data))
    for p in doc.element.body.iter(qn("w:p")):
        para = Paragraph(p, doc._body)
        if para.text == old:
            para.runs[0].text = new
            out = io.BytesIO()
            doc.save(out)
            return out.getvalue()
    raise AssertionError(old)


def test_values_that_look_like_placeholders_are_printed_literally():
    ctx = sample_context("directive_final", "state")
    ctx["subject"] = "{{ issuer }} {% if 1 %}x{% endif %}"
    text = full_text(render_document("directive_final", ctx))
    assert "{{ issuer }} {% if 1 %}x{% endif %}" in text


def test_template_linking_external_content_is_refused():
    data = edit_part(shipped_template("directive_final", "state"), "word/_rels/document.xml.rels",
                     "</Relationships>",
                     '<Relationship Id="rIdX" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                     'relationships/image" Target="http://attacker.example/pixel.png" TargetMode="External"/>'
                     "</Relationships>")
    with pytest.raises(TemplateRejected) as err:
        validate_template("directive_final", data)
    assert "bên ngoài" in _problems(err.value)


def test_macro_enabled_document_is_refused():
    data = edit_part(shipped_template("directive_final", "state"), "[Content_Types].xml",
                     "wordprocessingml.document.main+xml", "wordprocessingml.document.macroEnabled.main+xml")
    with pytest.raises(TemplateRejected) as err:
        validate_template("directive_final", data)
    assert "macro" in _problems(err.value)
