"""The plan as one self-contained HTML page: the executive summary with its charts, printable to PDF.

No scripts, no external files: the styles are inline and the charts are SVG drawn here, so the
page opens anywhere and a browser's "Print to PDF" gives meeting material. Every text is escaped.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from pathlib import Path

from planner.business.executive import Executive, executive, study_tco, summary_blocks
from planner.io.headers import in_words
from planner.io.outputs import write_atomically
from planner.money import money
from planner.study.pipeline import Study

STYLE = """
body { font-family: -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif; color: #1b1b1b; margin: 2em auto;
       max-width: 60em; line-height: 1.4; }
h1 { color: #1f4e78; margin-bottom: 0.1em; } h2 { color: #1f4e78; margin-top: 1.4em; }
.sub { color: #555; } .verdict { font-size: 1.15em; background: #eef3f8; padding: 0.8em 1em; border-left: 4px solid #1f4e78; }
table { border-collapse: collapse; width: 100%; margin: 0.4em 0; } th { background: #1f4e78; color: white; text-align: left; }
th, td { padding: 0.3em 0.6em; border-bottom: 1px solid #ddd; vertical-align: top; }
.charts { display: flex; gap: 2em; flex-wrap: wrap; } figure { margin: 0; }
@media print { body { margin: 0; max-width: none; } h2 { break-after: avoid; } table, figure { break-inside: avoid; } }
"""
COLOURS = ("#8c8c8c", "#1f4e78")  # today, plan


def _table(rows: Sequence[Mapping[str, object]]) -> str:
    headers = list(rows[0])
    head = "".join(f"<th>{html.escape(in_words(h))}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape('' if r.get(h) is None else str(r.get(h)))}</td>" for h in headers) + "</tr>"
        for r in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def bar_svg(title: str, bars: Sequence[tuple[str, float]], unit: str = "") -> str:
    """A small column chart: one labelled column per figure, its value above it."""
    width, height, top = 320, 220, max((v for _, v in bars), default=1.0) or 1.0
    step = width / max(1, len(bars))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height + 40}" role="img">']
    parts.append(f"<title>{html.escape(title)}</title>")
    for n, (label, value) in enumerate(bars):
        h = height * 0.8 * value / top
        x = n * step + step * 0.2
        colour = COLOURS[min(n, len(COLOURS) - 1)]
        parts.append(f'<rect x="{x:.1f}" y="{height - h:.1f}" width="{step * 0.6:.1f}" height="{h:.1f}" fill="{colour}"/>')
        text = f"{value:,.0f}{unit}"
        parts.append(f'<text x="{x + step * 0.3:.1f}" y="{height - h - 5:.1f}" text-anchor="middle">{html.escape(text)}</text>')
        parts.append(f'<text x="{x + step * 0.3:.1f}" y="{height + 20}" text-anchor="middle">{html.escape(label)}</text>')
    parts.append("</svg>")
    return f"<figure>{''.join(parts)}<figcaption>{html.escape(title)}</figcaption></figure>"


def line_svg(title: str, series: Sequence[tuple[str, Sequence[float]]], currency: str) -> str:
    """Cumulative cost per year, one line per side, labelled at its end."""
    width, height = 420, 220
    top = max((max(v) for _, v in series if v), default=1.0) or 1.0
    years = max(len(v) for _, v in series) - 1 or 1
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width + 200}" height="{height + 40}" role="img">']
    parts.append(f"<title>{html.escape(title)}</title>")
    for n, (label, values) in enumerate(series):
        points = " ".join(
            f"{30 + (width - 60) * i / years:.1f},{height - height * 0.9 * v / top:.1f}" for i, v in enumerate(values)
        )
        colour = COLOURS[min(n, len(COLOURS) - 1)]
        parts.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="3"/>')
        end_y = height - height * 0.9 * values[-1] / top
        parts.append(f'<text x="{width - 20}" y="{end_y:.1f}">{html.escape(f"{label}: {money(values[-1], currency)}")}</text>')
    for i in range(years + 1):
        parts.append(f'<text x="{30 + (width - 60) * i / years:.1f}" y="{height + 20}" text-anchor="middle">year {i}</text>')
    parts.append("</svg>")
    return f"<figure>{''.join(parts)}<figcaption>{html.escape(title)}</figcaption></figure>"


def report_html(study: Study, ex: Executive | None = None) -> str:
    """The HTML report of a study: title, verdict, charts, then every block of the executive summary."""
    ex = ex or executive(study)
    tco = study_tco(study)
    s = study.summary
    charts = bar_svg("Servers: today and the plan", [("today", s.baseline_servers), ("plan", s.servers)])
    charts += line_svg(
        f"Cumulative cost over {tco.years} years",
        [("today", tco.cumulative(tco.baseline)), ("plan", tco.cumulative(tco.plan))],
        ex.currency,
    )
    blocks = summary_blocks(ex)
    body = [f"<h1>{html.escape(ex.title)}</h1>", f"<p class='sub'>{html.escape(ex.subtitle)}</p>"]
    body.append(f"<p class='verdict'>{html.escape(ex.verdict)}</p>")
    body.append(f"<div class='charts'>{charts}</div>")
    for title, rows in blocks[3:]:
        body.append(f"<h2>{html.escape(title)}</h2>")
        if rows:
            body.append(_table(rows))
    title = html.escape(ex.title)
    return (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{title}</title>"
        f"<style>{STYLE}</style></head><body>{''.join(body)}</body></html>\n"
    )


def export_html(study: Study, path: str | Path, ex: Executive | None = None) -> Path:
    """Write the HTML report in one step (never half-written)."""
    text = report_html(study, ex)
    return write_atomically(Path(path), lambda temp: Path(temp).write_text(text, encoding="utf-8"))
