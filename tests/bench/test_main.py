"""`python -m bench` answers an option with its usage instead of starting the benchmarks
(`python -m bench stp --help` used to run the whole 2,000-claim stream first)."""

from __future__ import annotations

import pytest

from bench import __main__ as bench_main


@pytest.mark.parametrize(("argv", "code"), [(["--help"], 0), (["stp", "-h"], 0), (["--x"], 2)])
def test_an_option_prints_the_usage_and_runs_nothing(
    argv: list[str], code: int, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    ran: list[str] = []
    monkeypatch.setattr(bench_main.importlib, "import_module", lambda name: ran.append(name))
    assert bench_main.main(argv) == code
    out = capsys.readouterr().out
    assert out.startswith("usage: python -m bench") and "stp" in out and "bench.NAME --help" in out
    assert ran == []
