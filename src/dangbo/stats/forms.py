"""The report parameters typed on a page: the day of the figures and the period of the flows."""

from __future__ import annotations

from dangbo.core.forms import VietnameseDateField, VietnameseForm


class ReportFrameForm(VietnameseForm):
    ngay = VietnameseDateField(label="Số liệu ngày", required=False, help_text="mặc định: hôm nay")
    tu = VietnameseDateField(
        label="Biến động từ ngày", required=False, help_text="mặc định: 1/1 của năm báo cáo"
    )
    den = VietnameseDateField(label="đến ngày", required=False, help_text="mặc định: ngày báo cáo")

    def query(self) -> str:
        """The parameters as a query string, to carry them to the links on the page."""
        parts = []
        for name in ("ngay", "tu", "den"):
            value = self.cleaned_data.get(name) if self.is_valid() else None
            if value:
                parts.append(f"{name}={value:%d/%m/%Y}")
        return "&".join(parts)
