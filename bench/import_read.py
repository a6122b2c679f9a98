"""Issue 22, imports: time and peak memory of reading a 200,000-row book through
``imports.reading.open_table`` (the checks of ``core.uploads``, the header search, every row).

The whole import must stay under 500 MB; the read is only its first part. The files are built
once in the temporary folder (xlsxwriter in constant memory), then each is read in a fresh
child process, which reports the time of the read and its peak memory (ru_maxrss):

    .venv/bin/python bench/import_read.py [--src DIR] [case …]

``--src DIR`` reads with the code of another checkout (its ``src`` folder, put first on the
child's path), e.g. the commit before the streamed .xlsx reader, for a before/after on the same
machine at the same time:

    git archive 59229ec src | tar -x -C /tmp/before && \
        .venv/bin/python bench/import_read.py --src /tmp/before/src xlsx-book

An .xlsx/.xlsm is read in a stream by ``imports.xlsx_stream`` (lxml); before it, by
python-calamine, which loads the sheet whole. The child says which reader read the file.

Cases (200,000 rows × 20 columns under a title row, a two-row header and a row of numbers):
  xlsx-unique     every text cell different (the worst case for memory: no shared string
                  is shared)
  xlsx-book       like a member book: names and dates of birth differ, places, cells and
                  positions repeat
  xlsx-book-bytes the same, given as bytes (an upload or a stored file in memory) not as a path
  xlsx-book-sst   the same file rewritten with a shared strings table, as Excel saves a book
                  (xlsxwriter in constant memory writes every text inline); built after xlsx-book
  xlsx-unique-sst xlsx-unique rewritten with a shared strings table (3.2 million distinct texts:
                  the worst case for the streamed reader, which keeps the table)
  csv-book        the same rows as CSV (UTF-8 with BOM, ";"), streamed
Results: bench/results/import_read.md (written by hand from the output).
"""

from __future__ import annotations

import csv
import datetime
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import xlsxwriter

ROWS = 200_000
COLUMNS = 20
PLACES = [
    f"Xã {name}, huyện {district}" for name in ("An Bình", "Phú Lộc", "Tân Mỹ") for district in "ABCDEFGH"
]
CELLS = [f"Chi bộ thôn {n}" for n in range(1, 60)]
POSITIONS = ["Đảng viên", "Bí thư chi bộ", "Phó Bí thư", "Chi ủy viên"]

READ = """
import resource, sys, time
from pathlib import Path
from dangbo.core.setup import django_setup
django_setup()
from dangbo.imports.reading import open_table
path, as_bytes = Path(sys.argv[1]), sys.argv[2] == "bytes"
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
source = path.read_bytes() if as_bytes else path
known = lambda title: title in ("STT", "Khai sinh", "Bí danh") or title.startswith("Cột")
table = open_table(source, path.name, score=lambda columns: sum(known(c.title) for c in columns))
rows = cells = 0
for number, values in table.rows:
    rows += 1
    cells += sum(value is not None for value in values)
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
import dangbo.imports.reading as reading
streamed = hasattr(reading, "_xlsx_sheets") and table.encoding in ("xlsx", "xlsm")
reader = "lxml stream" if streamed else ("python-calamine" if table.encoding in ("xlsx", "xlsm", "xls", "ods") else "csv")
print(f"  header row {table.header_row}, {len(table.columns)} columns, {rows:,} rows, {cells:,} cells "
      f"({table.encoding}, {reader}); read in {seconds:.1f} s; peak memory {peak / 1024:.0f} MB "
      f"(before the read {base / 1024:.0f} MB)")
"""


def header() -> tuple[list[str], list[str]]:
    groups = ["STT", "Họ và tên", ""] + [f"Nhóm {n // 4}" if n % 4 == 0 else "" for n in range(COLUMNS - 3)]
    titles = ["", "Khai sinh", "Bí danh"] + [f"Cột {n}" for n in range(4, COLUMNS + 1)]
    return groups, titles


def row(number: int, unique: bool) -> list[object]:
    born = datetime.date(1940, 1, 1) + datetime.timedelta(days=number * 7 % 25_000)
    if unique:
        texts = [f"Giá trị {number} ở cột {column}" for column in range(COLUMNS - 4)]
        return [number, f"Nguyễn Văn {number}", f"Bí danh {number}", born, *texts]
    texts = [
        PLACES[number % len(PLACES)],
        PLACES[number * 7 % len(PLACES)],
        CELLS[number % len(CELLS)],
        POSITIONS[number % len(POSITIONS)],
        "Kinh",
        "Không",
        "12/12",
        "Đại học",
        "Cao cấp" if number % 9 == 0 else "Trung cấp",
        f"0{number:09d}",  # a number of a card: different
        f"{number % 28 + 1:02d}/{number % 12 + 1:02d}/{1970 + number % 40}",  # a date written as text
        "",
        f"Ghi chú {number}" if number % 50 == 0 else "",
        "Nam" if number % 2 else "Nữ",
        "x" if number % 3 else "",
        "",
    ]
    return [number, f"Nguyễn Văn {number}", "", born, *texts]


def build_xlsx(path: Path, unique: bool) -> None:
    book = xlsxwriter.Workbook(path, {"constant_memory": True})
    sheet = book.add_worksheet("DSĐV")
    day = book.add_format({"num_format": "dd/mm/yyyy"})
    sheet.write(0, 0, "SỔ DANH SÁCH ĐẢNG VIÊN")
    groups, titles = header()
    sheet.write_row(2, 0, groups)  # constant_memory writes rows in order: no merge_range here
    sheet.write_row(3, 0, titles)
    sheet.write_row(4, 0, list(range(1, COLUMNS + 1)))
    for number in range(1, ROWS + 1):
        values = row(number, unique)
        for column, value in enumerate(values):
            if isinstance(value, datetime.date):
                sheet.write_datetime(number + 4, column, value, day)
            elif value != "":
                sheet.write(number + 4, column, value)
    book.close()


def build_xlsx_shared(path: Path, source: Path) -> None:
    """``source`` (texts inline) rewritten with a shared strings table, as Excel saves a book."""
    inline = re.compile(rb'<c r="([A-Z]+[0-9]+)"( s="[0-9]+")? t="inlineStr"><is><t[^>]*>(.*?)</t></is></c>')
    strings: dict[bytes, int] = {}

    def shared(match: re.Match[bytes]) -> bytes:
        index = strings.setdefault(match[3], len(strings))
        return b'<c r="%s"%s t="s"><v>%d</v></c>' % (match[1], match[2] or b"", index)

    with zipfile.ZipFile(source) as old, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for entry in old.infolist():
            data = old.read(entry)
            if entry.filename == "xl/worksheets/sheet1.xml":
                data = inline.sub(shared, data)
            elif entry.filename == "[Content_Types].xml":
                data = data.replace(
                    b"</Types>",
                    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
                    b'officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
                )
            elif entry.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                    b'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
                )
            new.writestr(entry.filename, data)
        table = b"".join(b"<si><t>%s</t></si>" % text for text in strings)
        new.writestr(
            "xl/sharedStrings.xml",
            b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.'
            b'org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">%s</sst>'
            % (len(strings), len(strings), table),
        )


def build_csv(path: Path) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as file:
        writer = csv.writer(file, delimiter=";")
        groups, titles = header()
        writer.writerow(["SỔ DANH SÁCH ĐẢNG VIÊN"])
        writer.writerows([groups, titles, list(range(1, COLUMNS + 1))])
        for number in range(1, ROWS + 1):
            values = row(number, unique=False)
            writer.writerow(
                [
                    value.strftime("%d/%m/%Y") if isinstance(value, datetime.date) else value
                    for value in values
                ]
            )


CASES = {
    "xlsx-unique": ("so-dang-vien-khac-nhau.xlsx", "path"),
    "xlsx-book": ("so-dang-vien.xlsx", "path"),
    "xlsx-book-bytes": ("so-dang-vien.xlsx", "bytes"),
    "xlsx-book-sst": ("so-dang-vien-sst.xlsx", "path"),
    "xlsx-unique-sst": ("so-dang-vien-khac-nhau-sst.xlsx", "path"),
    "csv-book": ("so-dang-vien.csv", "path"),
}


def main(names: list[str]) -> int:
    src = None
    if names[:1] == ["--src"]:
        src, names = names[1], names[2:]
    folder = Path(tempfile.gettempdir()) / "dangbo-import-read"
    folder.mkdir(exist_ok=True)
    failed = 0
    for name in names or list(CASES):
        file_name, mode = CASES[name]
        path = folder / file_name
        if not path.exists():  # in a child: a child's peak memory starts at its parent's (fork)
            subprocess.run([sys.executable, __file__, "--build", str(path)], check=True)
        print(
            f"{name}: {path.name}, {path.stat().st_size / 1024 / 1024:.1f} MB, read from {mode}", flush=True
        )
        env = {"DANGBO_VAR_DIR": str(folder / "var"), "PATH": "/usr/bin:/bin"}
        if src:
            env["PYTHONPATH"] = src
        failed |= subprocess.run(
            [sys.executable, "-c", READ, str(path), mode], env=env, check=False
        ).returncode
    return failed


def build(path: Path) -> None:
    if path.suffix == ".csv":
        build_csv(path)
    elif "sst" in path.name:
        unique = "khac-nhau" in path.name
        source = path.with_name("so-dang-vien-khac-nhau.xlsx" if unique else "so-dang-vien.xlsx")
        if not source.exists():
            build_xlsx(source, unique=unique)
        build_xlsx_shared(path, source)
    else:
        build_xlsx(path, unique="khac-nhau" in path.name)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--build"]:
        build(Path(sys.argv[2]))
        sys.exit(0)
    sys.exit(main(sys.argv[1:]))
