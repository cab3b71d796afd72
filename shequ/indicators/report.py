"""The yearly report of a district (plan ch. 7: yearly assessment) as a PDF, with reportlab and its built-in CJK
font (STSong-Light, as the volunteers' certificate: no font file ships with us): every indicator with its value,
target, gap and trend, the values of the district's streets, and the district's tasks with their status."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from shequ.geo.models import Area

from .models import PlanTask
from .selectors import is_overdue

FONT = "STSong-Light"


def _font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def _num(v: float | None) -> str:
    if v is None:
        return "—"
    return f"{v:,.1f}" if abs(v) < 1000 else f"{v:,.0f}"


def yearly_report_pdf(
    *, area: Area, year: int, board: dict[str, Any], tasks: list[PlanTask], today: date
) -> bytes:
    font = _font()
    h1 = ParagraphStyle("h1", fontName=font, fontSize=18, leading=24, spaceAfter=6)
    h2 = ParagraphStyle("h2", fontName=font, fontSize=13, leading=18, spaceBefore=8, spaceAfter=4)
    body = ParagraphStyle("body", fontName=font, fontSize=9, leading=13)
    cell = ParagraphStyle("cell", fontName=font, fontSize=8, leading=10)
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=14 * mm,
        rightMargin=14 * mm,
        topMargin=14 * mm,
        bottomMargin=14 * mm,
        title=f"{area.name}{year}年度社区服务体系规划实施报告",
        author="社区服务体系规划监测",
    )
    rows = board["rows"]
    day = board["day"]
    met = sum(1 for r in rows if r.value and r.value.met)
    measured = sum(1 for r in rows if r.value and r.value.value is not None)
    story: list[Any] = [
        Paragraph(f"{area.name}{year}年度社区服务体系规划实施报告", h1),
        Paragraph(
            f"数据计算日期：{day or '尚未计算'}；共{len(rows)}项指标，有数据{measured}项，已达标{met}项。"
            "数值由平台各模块登记的统计口径按日汇总计算；“暂无数据来源”表示平台尚未登记该项数据。",
            body,
        ),
        Paragraph("一、规划指标", h2),
    ]
    table = [["指标", "规划章节", "目标", "当前值", "差距", "较上次", "状态"]]
    for r in rows:
        v = r.value
        if v is None or v.value is None:
            state = "暂无数据来源" if r.no_source else "暂无数据"
        else:
            state = "已达标" if v.met else "未达标"
        table.append(
            [
                Paragraph(r.indicator.name, cell),
                Paragraph(r.indicator.section, cell),
                f"{_num(r.indicator.target)} {r.indicator.unit}",
                _num(v.value if v else None),
                _num(v.gap if v else None),
                _num(r.trend),
                state,
            ]
        )
    story.append(_table(table, font, [44 * mm, 36 * mm, 26 * mm, 20 * mm, 18 * mm, 16 * mm, 20 * mm]))
    if board["child_level"]:
        story.append(Paragraph("二、分区域指标值", h2))
        for r in rows:
            if not r.children:
                continue
            story.append(
                Paragraph(f"{r.indicator.name}（目标 {_num(r.indicator.target)} {r.indicator.unit}）", body)
            )
            sub = [["区域", "当前值", "差距", "状态"]]
            for c in r.children:
                state = "暂无数据" if c.value is None else ("已达标" if c.met else "未达标")
                sub.append([c.area.name, _num(c.value), _num(c.gap), state])
            story.append(_table(sub, font, [60 * mm, 30 * mm, 30 * mm, 30 * mm]))
            story.append(Spacer(1, 3 * mm))
    story.append(Paragraph("三、任务清单和工作台账", h2))
    ledger = [["编号", "任务", "责任单位", "完成时限", "状态", "证明材料"]]
    for t in tasks:
        status = t.get_status_display()
        if is_overdue(t, today):
            status = f"{status}（逾期）"
        ledger.append(
            [
                t.code,
                Paragraph(t.title, cell),
                Paragraph(t.unit_name, cell),
                t.due_date.isoformat(),
                status,
                Paragraph(t.evidence or "—", cell),
            ]
        )
    if len(ledger) == 1:
        ledger.append(["—", "本区域暂无任务", "", "", "", ""])
    story.append(_table(ledger, font, [22 * mm, 52 * mm, 32 * mm, 22 * mm, 22 * mm, 32 * mm]))
    doc.build(story)
    return out.getvalue()


def _table(data: list[list[Any]], font: str, widths: list[float]) -> Table:
    t = Table(data, colWidths=widths, repeatRows=1)
    t.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), font, 8),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e9ecef")),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#adb5bd")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return t
