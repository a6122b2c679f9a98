"""Issue 18, uploads: a restructuring plan (.xlsx) of ~650 KB that unpacks to 188 MB of sheet XML.

Before issue 18 reading it as a plan took 97 s and 600 MB (the issue's figures); now it must be
refused before any parser runs. The file is built once (in a temporary folder), then read as an
uploaded plan in a child process, which reports the time of the read and its peak memory:

    .venv/bin/python bench/upload_bomb.py

A second case unpacks to 45 MB (under the size limit) with ~540,000 rows: the rows are counted in
a stream and the file refused at the row limit (50,000). Results: bench/results/upload_bomb.md.
"""

from __future__ import annotations

import io
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROW = '<row><c t="inlineStr"><is><t>x</t></is></c><c t="inlineStr"><is><t>y</t></is></c></row>'
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType='
        '"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
    ),
    "xl/workbook.xml": (
        f'<workbook xmlns="{MAIN}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        f'<Relationships xmlns="{RELS}"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
    ),
    "_rels/.rels": (
        f'<Relationships xmlns="{RELS}"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
}
CASES_MB = (188, 45)  # far over the 50 MB unpacked limit; under it, but compressed abnormally
ROWS = 200_000  # a plain sheet of numbered rows: under both, but four times the row limit

READ = """
import resource, sys, time
from dangbo.core.setup import django_setup
django_setup()
from dangbo.restructuring.plans import PlanError, read_plan_bytes
data = open(sys.argv[1], "rb").read()
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
try:
    read_plan_bytes(data, "ke-hoach.xlsx")
    outcome = "accepted"
except PlanError as error:
    outcome = "refused: " + str(error)
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(f"read in {seconds:.3f} s; peak memory {peak / 1024:.0f} MB (before the read {base / 1024:.0f} MB); {outcome}")
"""


def build(path: Path, unpacked_mb: int = 0, rows: int = 0) -> None:
    """A sheet of ``unpacked_mb`` MB of one repeated row, or of ``rows`` numbered rows."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as book:
        for name, text in PARTS.items():
            book.writestr(name, text)
        with book.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(f'<worksheet xmlns="{MAIN}"><sheetData>'.encode())
            if rows:
                for n in range(1, rows + 1):
                    sheet.write(f'<row r="{n}"><c r="A{n}"><v>{n * 7919 % 1000003}</v></c></row>'.encode())
            else:
                chunk = (ROW * 10_000).encode()
                for _ in range(unpacked_mb * 1024 * 1024 // len(ROW) // 10_000):
                    sheet.write(chunk)
            sheet.write(b"</sheetData></worksheet>")
    path.write_bytes(buffer.getvalue())


def main() -> int:
    folder = Path(tempfile.gettempdir()) / "dangbo-upload-bomb"
    folder.mkdir(exist_ok=True)
    failed = 0
    cases = [(f"ke-hoach-{mb}mb.xlsx", {"unpacked_mb": mb}) for mb in CASES_MB]
    cases.append((f"ke-hoach-{ROWS}-dong.xlsx", {"rows": ROWS}))
    for name, shape in cases:
        path = folder / name
        if not path.exists():
            build(path, **shape)
        with zipfile.ZipFile(path) as book:
            unpacked = sum(info.file_size for info in book.infolist())
        print(f"{path.name}: {path.stat().st_size / 1024:.0f} KB, {unpacked / 1024 / 1024:.0f} MB unpacked")
        env = {"DANGBO_VAR_DIR": str(folder / "var"), "PATH": "/usr/bin:/bin"}
        failed |= subprocess.run([sys.executable, "-c", READ, str(path)], env=env, check=False).returncode
    return failed


if __name__ == "__main__":
    sys.exit(main())
