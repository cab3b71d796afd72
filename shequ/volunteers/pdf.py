"""The service certificate (志愿服务证明) as a PDF: reportlab with its built-in CJK font (STSong-Light, a CID font
every PDF reader has, so no font file ships with us). What MCA order 67 Art. 13 asks a certificate to state: the
volunteer's name and (masked) ID number, the service hours and period, the issuing organisation (the team that
recorded them, 谁记录谁证明谁负责), the date, and a way to check it (the verification code and its page)."""

from __future__ import annotations

import io

from django.utils import timezone
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from shequ.core.masking import mask_id_number

from .models import Certificate

FONT = "STSong-Light"
_registered = False


def _font() -> str:
    global _registered
    if not _registered:
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
        _registered = True
    return FONT


def certificate_pdf(certificate: Certificate, *, verify_url: str) -> bytes:
    font = _font()
    volunteer = certificate.volunteer
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=A4, pageCompression=1)
    page.setTitle(f"志愿服务证明 {certificate.code}")
    page.setAuthor(certificate.team.name)
    width, height = A4
    page.setLineWidth(2)
    page.rect(15 * mm, 15 * mm, width - 30 * mm, height - 30 * mm)
    page.setFont(font, 26)
    page.drawCentredString(width / 2, height - 45 * mm, "志愿服务证明")
    page.setFont(font, 13)
    issued = timezone.localtime(certificate.issued_at)
    lines = [
        f"兹证明 {volunteer.name}（志愿者编号 {volunteer.number}，",
        f"公民身份号码 {mask_id_number(volunteer.id_number)}）",
        f"于 {certificate.first_day:%Y年%m月%d日} 至 {certificate.last_day:%Y年%m月%d日}",
        f"在 {certificate.team.name}（{certificate.team.area.name}）参加志愿服务，",
        f"经记录并确认的服务时长共计 {certificate.hours} 小时（{certificate.records} 条服务记录）。",
        "",
        "特此证明。",
    ]
    y = height - 70 * mm
    for line in lines:
        page.drawString(30 * mm, y, line)
        y -= 10 * mm
    page.drawRightString(width - 30 * mm, y - 15 * mm, f"出具单位：{certificate.team.name}")
    page.drawRightString(width - 30 * mm, y - 25 * mm, f"出具日期：{issued:%Y年%m月%d日}")
    page.setFont(font, 11)
    page.drawString(30 * mm, 40 * mm, f"验证码：{certificate.code}")
    page.drawString(30 * mm, 33 * mm, f"查验地址：{verify_url}")
    page.drawString(30 * mm, 26 * mm, "依据《志愿服务记录与证明出具办法》出具；谁记录、谁证明、谁负责。")
    page.showPage()
    page.save()
    return out.getvalue()
