"""The follow-up pages: the board (cells by status, filters, the summary line equal to the database,
PDF), the assigned body's workspace (its deadlines, its assignment's section), the leader's dashboard
(rates by body and directive equal to the board's, the SVG chart), and who may see them."""
from __future__ import annotations

import re
from datetime import timedelta

from engine.directives import tracking

from .directive_helpers import user
from .followup_helpers import DUE_1, followed_directive, some_reports


def _figures(html: str, container: str) -> dict[str, str]:
    part = html[html.index(f'id="{container}"'):]
    part = part[:part.index("</p>")]
    return dict(re.findall(r'data-figure="(\w+)">([^<]+)<', part))


def test_board_shows_each_body_and_period_with_the_databases_figures(client, auth, engine, clock):
    did, ids = followed_directive(engine, clock)
    some_reports(engine, did)
    clock.set(DUE_1 + timedelta(days=3))
    user(engine, "lanhdao")
    auth.login("lanhdao")
    response = client.get(f"/directives/{did}/board")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    with engine.db.session() as s:
        board = tracking.board(s, did, clock.now())
        rates = tracking.directive_rates(s, did, clock.now())
    assert html.count('class="cell st-on-time"') == rates.on_time == 1
    assert html.count('class="cell st-late"') == rates.late == 1
    assert html.count('class="cell st-overdue"') == rates.overdue == len(ids) - 2
    figures = _figures(html, "board-summary")
    assert figures["on_time"] == "1" and figures["late"] == "1" and figures["overdue"] == str(rates.overdue)
    assert figures["on_time_rate"] == "50,0%"
    assert figures["completion_rate"] == f"{rates.completion_rate * 100:.1f}%".replace(".", ",")
    for row in board.rows:
        assert row.body_name in html
    assert "LS.SGDDT" not in html.replace('value="LS.SGDDT"', "")  # bodies by name, never by code
    assert "07/06/2024" in html

    only_late = client.get(f"/directives/{did}/board?status=late").get_data(as_text=True)
    assert only_late.count("<tr data-body=") == 1
    one_body = client.get(f"/directives/{did}/board?body=LS.SGDDT").get_data(as_text=True)
    assert one_body.count("<tr data-body=") == 1 and "Sở Giáo dục" in one_body
    assert client.get(f"/directives/{did}/board?status=nonsense").status_code == 400


def test_board_pdf_and_xlsx(client, auth, engine, clock):
    from engine.directives.export import read_grid

    did, ids = followed_directive(engine, clock)
    some_reports(engine, did)
    user(engine, "donvi")
    auth.login("donvi")  # an assigned body downloads its own row only
    own = read_grid(client.get(f"/directives/{did}/board.xlsx").data)
    assert len(own) == 1
    auth.logout()
    clock.set(DUE_1 + timedelta(days=3))
    user(engine, "lanhdao")
    auth.login("lanhdao")
    waiting = client.get(f"/directives/{did}/board.pdf")  # converted in the background, like documents
    assert waiting.status_code == 202 and "Đang chuyển văn bản sang PDF" in waiting.get_data(as_text=True)
    assert engine.run_sweeps()["pdf"] == 1
    response = client.get(f"/directives/{did}/board.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    xlsx = client.get(f"/directives/{did}/board.xlsx")
    assert xlsx.status_code == 200 and xlsx.data.startswith(b"PK")
    with engine.db.session() as s:
        assert read_grid(xlsx.data) == tracking.board(s, did, clock.now()).status_grid()


def test_an_assigned_body_sees_its_own_row_and_its_workspace(client, auth, engine, clock):
    did, ids = followed_directive(engine, clock)
    some_reports(engine, did)
    user(engine, "donvi")  # body officer of LS.SGDDT
    auth.login("donvi")
    html = client.get(f"/directives/{did}/board").get_data(as_text=True)
    assert html.count("<tr data-body=") == 1 and "Công an tỉnh" not in html
    ws = client.get("/workspace").get_data(as_text=True)
    assert "Nhiệm vụ của đơn vị" in ws
    assert "Chỉ thị 05/CT-UBND" in ws
    assert "Đúng hạn" in ws  # the report it sent
    assert 'data-status="due_soon"' in ws or 'data-status="in_time"' in ws  # its next deadline
    assert "Chủ trì" in ws
    outsider = user(engine, "ngoai")
    assert outsider is not None
    auth.logout()
    auth.login("ngoai")
    assert client.get(f"/directives/{did}/board").status_code == 404


def test_dashboard_rates_equal_the_board_and_the_chart(client, auth, engine, clock):
    did, ids = followed_directive(engine, clock)
    some_reports(engine, did)
    clock.set(DUE_1 + timedelta(days=3))
    user(engine, "lanhdao")
    auth.login("lanhdao")
    html = client.get("/dashboard").get_data(as_text=True)
    board_html = client.get(f"/directives/{did}/board").get_data(as_text=True)
    assert _figures(html, "dashboard-summary") == {k: v for k, v in _figures(board_html, "board-summary").items()
                                                   if k in ("on_time", "late", "overdue", "on_time_rate",
                                                            "completion_rate")}
    assert '<svg' in html and 'data-month="06/2024" data-on-time="1"' in html and 'data-late="1"' in html
    assert "Theo dõi thực hiện" in html  # the stage of the directive
    assert "Công an tỉnh" in html  # overdue bodies, by name
    auth.logout()
    user(engine, "donvi")
    auth.login("donvi")
    assert client.get("/dashboard").status_code == 403


def test_board_pages_keep_the_totals_of_every_body(engine, clock):
    from engine.directives import oversight

    did, ids = followed_directive(engine, clock)
    some_reports(engine, did)
    clock.set(DUE_1 + timedelta(days=3))
    leader = user(engine, "lanhdao")
    whole = oversight.board_view(engine, did, leader, size=1000)
    assert whole.pages == 1 and len(whole.board.rows) == len(ids)
    seen = []
    pages = -(-len(ids) // 2)
    for page in range(1, pages + 1):
        part = oversight.board_view(engine, did, leader, page=page, size=2)
        assert part.pages == pages and part.matching == len(ids)
        assert part.board.rates.as_dict() == whole.board.rates.as_dict()
        seen += [r.body_name for r in part.board.rows]
    assert seen == [r.body_name for r in whole.board.rows]
    with engine.db.session() as s:
        assert whole.board.status_grid() == tracking.board(s, did, clock.now()).status_grid()
    late = oversight.board_view(engine, did, leader, status="late")
    assert [r.body_code for r in late.board.rows] == ["LS.CA"] and late.board.rates.late == 1


def test_the_issuing_office_chooses_whether_chasing_letters_wait_for_review(client, auth, engine, clock):
    from .conftest import csrf_token_of

    did, _ = followed_directive(engine, clock)
    user(engine, "donvi")
    auth.login("donvi")  # an assigned body neither sees the choice nor may make it
    assert 'id="chasing-mode"' not in client.get(f"/directives/{did}").get_data(as_text=True)
    token = csrf_token_of(client.get("/").get_data(as_text=True))
    assert client.post(f"/directives/{did}/chasing-mode", data={"automatic": "1", "csrf_token": token}).status_code \
        in (403, 404)
    auth.logout()
    user(engine, "chuyenvien")
    auth.login("chuyenvien")
    page = client.get(f"/directives/{did}").get_data(as_text=True)
    assert 'id="chasing-mode"' in page and 'id="open-board"' in page
    response = client.post(f"/directives/{did}/chasing-mode", data={"automatic": "1", "csrf_token": csrf_token_of(page)})
    assert response.status_code == 302
    page = client.get(f"/directives/{did}").get_data(as_text=True)
    assert "Thư đôn đốc từ nay được gửi tự động" in page
    assert 'value="1" checked' in page
    with engine.db.session() as s:
        from engine.directives.store import get_directive_row

        assert get_directive_row(s, did).chase_auto_send is True
