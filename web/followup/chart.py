"""A bar chart drawn on the server as SVG (no script): reports per month, on time and late stacked."""
from __future__ import annotations

from markupsafe import Markup, escape

WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 720, 240, 36, 28, 26
ON_TIME_COLOUR, LATE_COLOUR = "#15803d", "#b45309"


def reports_chart(months) -> Markup:
    """Stacked bars (on time below, late above) per month; `months` has .month, .on_time, .late."""
    months = list(months)
    peak = max((m.on_time + m.late for m in months), default=0) or 1
    plot_w, plot_h = WIDTH - LEFT - 8, HEIGHT - BOTTOM - TOP
    slot = plot_w / max(len(months), 1)
    bar = max(slot * 0.6, 4)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" '
             f'style="max-width: {WIDTH}px" role="img" '
             f'aria-labelledby="chart-title" id="reports-chart">',
             '<title id="chart-title">Báo cáo nhận được theo tháng: đúng hạn và trễ hạn</title>',
             f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - 8}" y2="{TOP + plot_h}" stroke="#9ca3af"/>',
             f'<text x="{LEFT - 4}" y="{TOP + 4}" font-size="11" text-anchor="end">{peak}</text>',
             f'<text x="{LEFT - 4}" y="{TOP + plot_h}" font-size="11" text-anchor="end">0</text>']
    for i, m in enumerate(months):
        x = LEFT + i * slot + (slot - bar) / 2
        h_on = plot_h * m.on_time / peak
        h_late = plot_h * m.late / peak
        y_on = TOP + plot_h - h_on
        label = escape(m.month)
        if m.on_time:
            parts.append(f'<rect x="{x:.1f}" y="{y_on:.1f}" width="{bar:.1f}" height="{h_on:.1f}" '
                         f'fill="{ON_TIME_COLOUR}" data-month="{label}" data-on-time="{m.on_time}">'
                         f'<title>{label}: {m.on_time} đúng hạn</title></rect>')
        if m.late:
            parts.append(f'<rect x="{x:.1f}" y="{y_on - h_late:.1f}" width="{bar:.1f}" height="{h_late:.1f}" '
                         f'fill="{LATE_COLOUR}" data-month="{label}" data-late="{m.late}">'
                         f'<title>{label}: {m.late} trễ hạn</title></rect>')
        parts.append(f'<text x="{x + bar / 2:.1f}" y="{HEIGHT - 10}" font-size="10" text-anchor="middle">'
                     f'{label}</text>')
    parts.append(f'<rect x="{WIDTH - 190}" y="2" width="10" height="10" fill="{ON_TIME_COLOUR}"/>'
                 f'<text x="{WIDTH - 176}" y="11" font-size="11">Đúng hạn</text>'
                 f'<rect x="{WIDTH - 100}" y="2" width="10" height="10" fill="{LATE_COLOUR}"/>'
                 f'<text x="{WIDTH - 86}" y="11" font-size="11">Trễ hạn</text></svg>')
    return Markup("".join(parts))
