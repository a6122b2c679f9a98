"""The page of a Party document, shared by the Word and PDF renderers.

Hướng dẫn 36-HD/VPTW: A4 paper; the written area 20–25 mm from the top and
bottom edges, 30–35 mm from the left and 15–20 mm from the right; Times New
Roman; from the second page on, the page number at the top, centred.
"""

from __future__ import annotations

PAGE_WIDTH_MM = 210
PAGE_HEIGHT_MM = 297
TOP_MM = 20
BOTTOM_MM = 20
LEFT_MM = 30
RIGHT_MM = 15
PAGE_NUMBER_FROM_TOP_MM = 10
CONTENT_WIDTH_MM = PAGE_WIDTH_MM - LEFT_MM - RIGHT_MM

# The two columns of the heading and of the closing block (issuer | Party heading; recipients | signature).
LEFT_COLUMN_MM = 75
RIGHT_COLUMN_MM = CONTENT_WIDTH_MM - LEFT_COLUMN_MM

FIRST_LINE_INDENT_MM = 12.7

# Sizes in points.
BODY_PT = 14
HEADING_PT = 15  # "ĐẢNG CỘNG SẢN VIỆT NAM"
KIND_PT = 15  # "QUYẾT ĐỊNH"
RECIPIENTS_PT = 12  # the list under "Nơi nhận:"
BODY_LINE_SPACING = 1.15

WORD_FONT = "Times New Roman"
