"""`make test`'s runner repeats a failed leg's failures at the end (a CI log keeps only its tail)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

RUNNER = Path(__file__).resolve().parent.parent / "tools" / "run_tests.py"


def load_runner():
    spec = importlib.util.spec_from_file_location("run_tests", RUNNER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


REPORT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" errors="1" failures="1" tests="3">
<testcase classname="tests.test_a" name="test_passes" time="0.1"/>
<testcase classname="tests.test_a" name="test_fails" time="0.1">
<failure message="assert 1 == 2&#10;second line">trace</failure></testcase>
<testcase classname="tests.test_b" name="test_setup" time="0.1">
<error message="failed on setup with &quot;KeyError&quot;">trace</error></testcase>
</testsuite></testsuites>
"""


def test_failures_lists_the_failed_and_erroring_tests(tmp_path):
    report = tmp_path / "leg.xml"
    report.write_text(REPORT, encoding="utf-8")
    lines = load_runner().failures(str(report))
    assert lines == [
        "tests.test_a::test_fails (failure): assert 1 == 2",
        'tests.test_b::test_setup (error): failed on setup with "KeyError"',
    ]


def test_a_failed_leg_without_a_report_still_says_its_exit_status(tmp_path, capsys):
    runner = load_runner()
    runner.report_failures("SQLite", str(tmp_path / "missing.xml"), 2)
    assert "Kiểm thử lỗi trên SQLite (0; mã thoát của pytest: 2)" in capsys.readouterr().out
    runner.report_failures("SQLite", str(tmp_path / "missing.xml"), 0)
    assert capsys.readouterr().out == ""


def test_the_runner_adds_its_report_unless_one_is_asked(tmp_path, monkeypatch):
    runner = load_runner()
    calls = []
    monkeypatch.setattr(runner.subprocess, "call", lambda command, env: calls.append(command) or 0)
    runner.run_leg("SQLite", "sqlite:///x", ["-q"], str(tmp_path / "r.xml"))
    runner.run_leg("SQLite", "sqlite:///x", ["--junitxml=mine.xml"], str(tmp_path / "r.xml"))
    assert f"--junitxml={tmp_path / 'r.xml'}" in calls[0]
    assert [a for a in calls[1] if a.startswith("--junit")] == ["--junitxml=mine.xml"]
