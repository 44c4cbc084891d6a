"""The template context of each kind, built from a Directive plus extras (the `build` of each entry
of the registry in kinds.py; call `engine.documents.build_context`).

Extras per kind (keyword arguments; dates are `datetime.date`):

* every kind: ``number`` (int, the document's own number; blank when None), ``issued_on`` (date;
  blank date line when None), ``signature`` (Signature or dict; default the directive's signer),
  ``unit`` (drafting unit for ký hiệu/Lưu; default the directive's), ``urgency``.
* directive_draft / directive_final: nothing more (final needs ``number`` and ``issued_on``, from
  the directive or the extras).
* submission_slip: ``drafter`` (name), ``drafter_unit``, ``reviewers`` (list of {name, role,
  opinion}), ``proposal`` (text), ``addressee`` (default "<signer title>").
* transmittal_letter: ``addressees`` (list of str; default the directive's non-archive recipients).
* reminder_letter / chasing_letter: ``addressee`` (body name), ``report_name``, ``period``,
  ``due_date`` (date), ``days_late`` (int, chasing), ``new_due_date`` (date, chasing, optional).
* body_report: ``signature`` (required: the body's signer), ``body_name`` (printed issuer, upper
  case), ``body_symbol`` ("SYT"), ``parent_name``,
  ``period``, ``paragraphs`` (list of str), ``figures`` (list of {label, value}).
* consolidated_report / closeout_report: ``rows`` (list of {body, status, summary}), ``period``,
  ``paragraphs`` (list of str).
* register_page, incoming_register_page, incoming_followup_page: ``rows`` (register rows, see
  kinds.py), ``year``, ``printed_on`` (date), ``period`` (the printed span, e.g. "Từ ngày … đến ngày …").
* incoming_slip: ``incoming`` (dict: document_type, number_symbol, document_date, sender, subject,
  arrival_number, received_on, lead, partners, deadline, instruction, leader, assigned_on,
  proposal, proposer, proposed_on), ``issued_on`` (the date printed).
* consultation_summary: ``rows`` (list of {body, comment, handling, response}), ``issued_on``.
"""
from __future__ import annotations

from dataclasses import asdict, is_dataclass
from datetime import date
from typing import Any

from ..kernel.errors import FieldProblem, FormError
from ..model.directive import TYPE_NAMES, Directive, Side

DocumentContext = dict[str, Any]

BLANK_NUMBER = "     "


def two(n: int) -> str:
    """Day or number with a leading zero below 10."""
    return f"{n:02d}"


def place_date(place: str, when: date | None, month: int | None = None, year: int | None = None) -> str:
    """"Lạng Sơn, ngày 05 tháng 01 năm 2025": leading zero on days < 10 and months 1 and 2."""
    if when is None:
        m = "" if month is None else (two(month) if month <= 2 else str(month))
        return f"{place}, ngày      tháng {m or '     '} năm {year or '        '}".rstrip()
    month_text = two(when.month) if when.month <= 2 else str(when.month)
    return f"{place}, ngày {two(when.day)} tháng {month_text} năm {when.year}"


def number_line(side: str, number: int | None, type_abbr: str | None, issuer_symbol: str,
                unit: str | None = None) -> str:
    """"Số: 05/CT-UBND", "Số: 12/UBND-KGVX" (công văn), "Số 25-CT/TU"; blank number in drafts."""
    num = BLANK_NUMBER if number is None else two(number)
    if side == Side.PARTY.value:
        return f"Số {num}-{type_abbr or 'CV'}/{issuer_symbol}"
    symbol = f"{type_abbr}-{issuer_symbol}" if type_abbr else f"{issuer_symbol}-{unit}"
    return f"Số: {num}/{symbol}"


def short_date(d: date) -> str:
    """16/5/2024, as dates are written inside running text."""
    return f"{d.day}/{d.month}/{d.year}"


def directive_citation(d: Directive) -> str:
    """"Chỉ thị số 05/CT-UBND ngày 16/5/2024 của …" without the subject."""
    type_name = TYPE_NAMES.get(d.instrument, "Công văn").capitalize()
    line = number_line(d.side.value, d.number, d.instrument.value, d.issuer_symbol, d.drafting_unit)
    ref = line.replace("Số: ", "").replace("Số ", "").strip()
    when = f" ngày {short_date(d.issued_on)}" if d.issued_on else ""
    return f"{type_name} số {ref}{when}"


def issuer_short(d: Directive) -> str:
    """How the issuer names itself in running text."""
    name = " ".join(d.issuer_name.split()).upper()
    if d.side is Side.PARTY:
        return "Ban Thường vụ Thành ủy" if "THÀNH ỦY" in name else "Ban Thường vụ Tỉnh ủy"
    return "Ủy ban nhân dân tỉnh" if "TỈNH" in name else "Ủy ban nhân dân thành phố"


def body_items(d: Directive) -> list[dict]:
    """Preamble, sections with their sub-items, trailing and closing paragraphs, in print order."""
    items = [{"text": t} for t in d.preamble]
    for section in d.sections:
        items += _labelled(section.label, section.heading, section.paragraphs)
        for item in section.items:
            items += _labelled(item.label, item.heading, item.paragraphs)
        items += [{"text": t} for t in section.trailing]
    items += [{"text": t} for t in d.closing]
    return items


def _labelled(label: str, heading: str | None, paragraphs: list[str]) -> list[dict]:
    if heading:
        return [{"label": label, "heading": heading}] + [{"text": t} for t in paragraphs]
    first, rest = (paragraphs[0], paragraphs[1:]) if paragraphs else (None, [])
    return [{"label": label, "text": first}] + [{"text": t} for t in rest]


def recipients(d: Directive, unit: str) -> list[dict]:
    """Nơi nhận lines; an archive ("Lưu") line is added when the data has none."""
    lines = [{"text": r.text, "is_archive": r.is_archive} for r in d.recipients]
    if not any(r["is_archive"] for r in lines):
        lines.append({"text": _archive_line(d, unit), "is_archive": True})
    return lines


def _signature(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    return dict(value)


def _common(d: Directive, extra: dict) -> DocumentContext:
    sig = _signature(extra.get("signature", d.signature))
    return {
        "side": d.side.value,
        "parent_issuer": d.parent_issuer_name or "",
        "issuer": d.issuer_name,
        "urgency": extra.get("urgency", "") or "",
        "draft_label": "",
        "cv_subject": "",
        "type_name": "",
        "subject": "",
        "signature": sig,
        "signer_name": sig.get("name", ""),
        "place_date": place_date(d.place, extra.get("issued_on"), d.month, d.year),
    }


def _directive(d: Directive, extra: dict, final: bool) -> DocumentContext:
    number = extra.get("number", d.number)
    issued_on = extra.get("issued_on", d.issued_on)
    if final and (number is None or issued_on is None):
        raise FormError([FieldProblem("number", "chỉ thị ban hành cần số và ngày ban hành "
                                                "(văn thư cấp số trước khi in bản chính thức)")])
    ctx = _common(d, {**extra, "issued_on": issued_on if final else None})
    ctx.update(
        number_line=number_line(d.side.value, number if final else None, d.instrument.value,
                                d.issuer_symbol, d.drafting_unit),
        type_name=TYPE_NAMES.get(d.instrument, ""),
        subject=d.subject,
        urgency=extra.get("urgency", d.urgency) or "",
        legal_basis=list(d.legal_basis),
        body=body_items(d),
        recipients=recipients(d, extra.get("unit", d.drafting_unit)),
    )
    if not final and d.side is Side.PARTY:
        ctx["draft_label"] = f"DỰ THẢO LẦN {d.draft_number}" if d.draft_number else "DỰ THẢO"
    return ctx


def _letter(d: Directive, extra: dict, cv_subject: str, paragraphs: list[str],
            addressees: list[str]) -> DocumentContext:
    unit = extra.get("unit", d.drafting_unit)
    ctx = _common(d, extra)
    ctx.update(
        number_line=number_line(d.side.value, extra.get("number"), None, d.issuer_symbol, unit),
        cv_subject=cv_subject,
        addressees=addressees,
        body=[{"text": t} for t in extra.get("paragraphs", paragraphs)],
        recipients=[{"text": "Như trên", "is_archive": False},
                    {"text": _archive_line(d, unit), "is_archive": True}],
    )
    return ctx


def transmittal(d: Directive, extra: dict) -> DocumentContext:
    cite = directive_citation(d)
    names = extra.get("addressees") or [r.text for r in d.recipients if not r.is_archive]
    text = [f"{issuer_short(d)} gửi kèm theo Công văn này {cite} {_inline_subject(d)}.",
            "Đề nghị các cơ quan, đơn vị nghiên cứu, tổ chức triển khai thực hiện nghiêm túc, "
            "hiệu quả các nội dung của văn bản và báo cáo kết quả theo quy định./."]
    return _letter(d, extra, f"V/v gửi {cite}", text, names)


def _reminder(d: Directive, extra: dict, chasing: bool) -> DocumentContext:
    cite = directive_citation(d)
    who, report = _need(extra, "addressee"), _need(extra, "report_name")
    period, due = extra.get("period", ""), _need(extra, "due_date")
    base = f"Thực hiện {cite} {_inline_subject(d)}"
    report_text = f"{report}{' ' + period if period else ''}"
    if chasing:
        late = _need(extra, "days_late")
        new_due = extra.get("new_due_date")
        text = [f"{base}, {who} có trách nhiệm gửi {report_text} trước ngày {short_date(due)}.",
                f"Đến nay, {who} chưa gửi báo cáo, chậm {late} ngày so với thời hạn quy định.",
                f"{issuer_short(d)} đề nghị {who} khẩn trương hoàn thành và gửi báo cáo"
                + (f" trước ngày {short_date(new_due)}" if new_due else "")
                + "; trường hợp chậm trễ, báo cáo rõ lý do và trách nhiệm của tập thể, cá nhân liên quan./."]
        return _letter(d, extra, f"V/v đôn đốc gửi {report_text}", text, [who])
    text = [f"{base}, {issuer_short(d)} đề nghị {who} gửi {report_text} trước ngày {short_date(due)} "
            "để tổng hợp, báo cáo theo quy định./."]
    return _letter(d, extra, f"V/v gửi {report_text}", text, [who])


def _inline_subject(d: Directive) -> str:
    """The subject as it reads inside a sentence: one line, lower-case first letter."""
    flat = " ".join(d.subject.split())
    return flat[:1].lower() + flat[1:]


def _archive_line(d: Directive, unit: str) -> str:
    """Lưu line: "Lưu: VT, KGVX" (State); "Lưu Văn phòng Thành ủy" / "… Tỉnh ủy" (Party)."""
    if d.side is Side.STATE:
        return f"Lưu: VT, {unit}"
    return "Lưu Văn phòng Thành ủy" if "THÀNH ỦY" in " ".join(d.issuer_name.split()).upper() \
        else "Lưu Văn phòng Tỉnh ủy"


def _need(extra: dict, key: str):
    if extra.get(key) in (None, ""):
        raise FormError([FieldProblem(key, "cần có giá trị để lập văn bản này")])
    return extra[key]


def _named(d: Directive, extra: dict, type_name: str, type_abbr: str, subject: str,
           issuer_symbol: str | None = None) -> DocumentContext:
    ctx = _common(d, extra)
    ctx.update(
        number_line=number_line(d.side.value, extra.get("number"), type_abbr,
                                issuer_symbol or d.issuer_symbol),
        type_name=type_name,
        subject=subject,
        recipients=[{"text": "Như trên", "is_archive": False},
                    {"text": _archive_line(d, extra.get("unit", d.drafting_unit)), "is_archive": True}],
    )
    return ctx


def _about(d: Directive) -> str:
    return f"{directive_citation(d)} {_inline_subject(d)}"


def slip(d: Directive, extra: dict) -> DocumentContext:
    kind_word = TYPE_NAMES.get(d.instrument, "văn bản").lower()
    ctx = _named(d, extra, "PHIẾU TRÌNH", "PTr", f"Về việc ban hành {kind_word} {_inline_subject(d)}",
                 issuer_symbol=extra.get("drafter_unit", d.drafting_unit))
    drafter = _need(extra, "drafter")
    ctx["addressees"] = [extra.get("addressee") or _slip_addressee(d)]
    ctx["body"] = [
        {"label": "Người soạn thảo:", "text": f"{drafter} ({extra.get('drafter_unit', d.drafting_unit)})"},
        {"label": "Nội dung trình:", "text": f"Dự thảo {kind_word} {_inline_subject(d)}."},
        {"label": "Đề xuất:", "text": extra.get("proposal", "Kính trình lãnh đạo xem xét, ký ban hành.")},
        {"label": "Ý kiến của các đơn vị, cá nhân thẩm định:"},
    ]
    ctx["opinions"] = list(extra.get("reviewers", []))
    sig = extra.get("signature") or {"authority": None, "title": "NGƯỜI TRÌNH", "name": drafter}
    ctx["signature"] = _signature(sig)
    ctx["signer_name"] = ctx["signature"].get("name", "")
    return ctx


def _slip_addressee(d: Directive) -> str:
    """Whom a submission slip goes to: the Standing members (Party) or the signer of the People's Committee."""
    if d.side is Side.PARTY:
        return issuer_short(d).replace("Ban Thường vụ", "Thường trực")
    return f"{d.signature.title.capitalize()} {issuer_short(d)}"


def body_report(d: Directive, extra: dict) -> DocumentContext:
    period = extra.get("period", "")
    subject = f"Kết quả thực hiện {_about(d)}" + (f" ({period})" if period else "")
    ctx = _named(d, extra, "BÁO CÁO", "BC", subject, issuer_symbol=_need(extra, "body_symbol"))
    ctx["issuer"] = _need(extra, "body_name")
    ctx["parent_issuer"] = extra.get("parent_name", " ".join(d.issuer_name.split()))
    ctx["addressees"] = [issuer_short(d)]
    ctx["body"] = [{"text": t} for t in extra.get("paragraphs", [])]
    ctx["figures"] = list(extra.get("figures", []))
    ctx["signature"] = _signature(_need(extra, "signature"))  # the body's own signer, not the directive's
    ctx["signer_name"] = ctx["signature"].get("name", "")
    return ctx


def _rows_report(d: Directive, extra: dict, closeout: bool) -> DocumentContext:
    rows = list(extra.get("rows", []))
    period = extra.get("period", "")
    counts = {s: sum(1 for r in rows if r.get("status") == s) for s in ("on_time", "late", "overdue", "missing")}
    word = "Tổng kết" if closeout else "Tổng hợp kết quả"
    subject = f"{word} thực hiện {_about(d)}" + (f" ({period})" if period else "")
    ctx = _named(d, extra, "BÁO CÁO", "BC", subject)
    summary = (f"Tổng số {len(rows)} cơ quan, đơn vị được giao nhiệm vụ: {counts['on_time']} báo cáo "
               f"đúng hạn, {counts['late']} báo cáo chậm hạn, "
               + (f"{counts['overdue']} có kỳ báo cáo quá hạn, " if counts["overdue"] else "")
               + f"{counts['missing']} chưa báo cáo.")
    ctx["body"] = [{"text": t} for t in extra.get("paragraphs", [])] + [{"text": summary}]
    ctx["report_rows"] = rows
    return ctx


def _register(d: Directive, extra: dict, title: str, block: str) -> DocumentContext:
    year = extra.get("year") or (extra.get("printed_on") or date(d.year or 2000, 1, 1)).year
    subject = f"Năm {year}" + (f" — {extra['period']}" if extra.get("period") else "")
    ctx = _named(d, extra, title, "", subject)
    ctx["number_line"] = ""
    ctx["place_date"] = place_date(d.place, extra["printed_on"]) if extra.get("printed_on") else ""
    ctx[block] = list(extra.get("rows", []))
    return ctx


def register_page(d: Directive, extra: dict) -> DocumentContext:
    """Sổ đăng ký văn bản đi (NĐ 30/2020 Phụ lục IV.I)."""
    return _register(d, extra, "SỔ ĐĂNG KÝ VĂN BẢN ĐI", "register_rows")


def incoming_register_page(d: Directive, extra: dict) -> DocumentContext:
    """Sổ đăng ký văn bản đến (Phụ lục IV.VI)."""
    return _register(d, extra, "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN", "incoming_rows")


def incoming_followup_page(d: Directive, extra: dict) -> DocumentContext:
    """Sổ theo dõi giải quyết văn bản đến (Phụ lục IV.VIII)."""
    return _register(d, extra, "SỔ THEO DÕI GIẢI QUYẾT VĂN BẢN ĐẾN", "followup_rows")


def incoming_slip(d: Directive, extra: dict) -> DocumentContext:
    """Phiếu giải quyết văn bản đến (Phụ lục IV.VII): the leader's instruction on the arrived
    document, the unit's, and the handler's proposal."""
    info = _need(extra, "incoming")
    ctx = _named(d, extra, "PHIẾU GIẢI QUYẾT VĂN BẢN ĐẾN", "", incoming_title(info))
    ctx["number_line"] = ""
    lead = info.get("lead") or "…"
    partners = ", ".join(info.get("partners") or []) or "không"
    deadline = info.get("deadline")
    body = [{"label": "1.", "heading": "Ý kiến của lãnh đạo cơ quan, tổ chức"},
            {"text": f"- Giao đơn vị chủ trì: {lead};"},
            {"text": f"- Đơn vị phối hợp giải quyết: {partners};"},
            {"text": f"- Thời hạn giải quyết: {short_date(deadline) if deadline else 'không ấn định'};"},
            {"text": f"- Ý kiến chỉ đạo: {info.get('instruction') or '…'}"},
            {"text": f"- Ngày cho ý kiến: {short_date(info['assigned_on']) if info.get('assigned_on') else '…'}"
                     f"{' — ' + info['leader'] if info.get('leader') else ''}."},
            {"label": "2.", "heading": "Ý kiến của lãnh đạo đơn vị"},
            {"text": f"- Giao cho cá nhân: {info.get('handler') or '…'}; thời hạn: "
                     f"{short_date(deadline) if deadline else '…'}."},
            {"label": "3.", "heading": "Ý kiến đề xuất của người giải quyết"},
            {"text": f"- {info.get('proposal') or '…'}"},
            {"text": f"- Ngày đề xuất: {short_date(info['proposed_on']) if info.get('proposed_on') else '…'}"
                     f"{' — ' + info['proposer'] if info.get('proposer') else ''}."}]
    ctx["body"] = body
    return ctx


def incoming_title(info: dict) -> str:
    """"Chỉ thị số 15/CT-TTg ngày 16/5/2024 của Thủ tướng Chính phủ về …" (tên loại; số, ký hiệu;
    ngày; cơ quan ban hành; trích yếu), as the slip and the registers name an arrived document."""
    written = info.get("document_date")
    when = f" ngày {short_date(written)}" if written else ""
    subject = " ".join(str(info.get("subject") or "").split())
    return (f"{info.get('document_type') or 'Văn bản'} số {info.get('number_symbol', '')}{when} của "
            f"{info.get('sender', '')}{' ' + subject if subject else ''}")


def consultation_summary(d: Directive, extra: dict) -> DocumentContext:
    """Bản tổng hợp, tiếp thu, giải trình ý kiến góp ý dự thảo."""
    kind_word = TYPE_NAMES.get(d.instrument, "văn bản").capitalize()
    ctx = _named(d, extra, "BẢN TỔNG HỢP", "", f"Tiếp thu, giải trình ý kiến góp ý dự thảo {kind_word} "
                                                 f"{_inline_subject(d)}")
    ctx["number_line"] = ""
    rows = list(extra.get("rows", []))
    accepted = sum(1 for r in rows if r.get("handling") == "Tiếp thu")
    ctx["body"] = [{"text": f"Đơn vị soạn thảo đã nhận ý kiến góp ý của {len(rows)} cơ quan, đơn vị; tiếp thu "
                            f"{accepted} ý kiến, giải trình {len(rows) - accepted} ý kiến như sau:"}]
    ctx["comment_rows"] = rows
    return ctx


def draft(d: Directive, extra: dict) -> DocumentContext:
    """Dự thảo: a blank number and date; a Party draft carries "DỰ THẢO LẦN n"."""
    return _directive(d, extra, final=False)


def final(d: Directive, extra: dict) -> DocumentContext:
    """The issued directive: its number and date are required."""
    return _directive(d, extra, final=True)


def reminder(d: Directive, extra: dict) -> DocumentContext:
    """Công văn nhắc: a report (or an acknowledgement) is due soon."""
    return _reminder(d, extra, chasing=False)


def chasing(d: Directive, extra: dict) -> DocumentContext:
    """Công văn đôn đốc: a report is overdue."""
    return _reminder(d, extra, chasing=True)


def consolidated(d: Directive, extra: dict) -> DocumentContext:
    """Báo cáo tổng hợp of the assigned bodies' reports."""
    return _rows_report(d, extra, closeout=False)


def closeout(d: Directive, extra: dict) -> DocumentContext:
    """Báo cáo tổng kết at close-out."""
    return _rows_report(d, extra, closeout=True)

