"""The one registry of error and warning codes (issue 22): every code unique, raised or emitted
somewhere in src/, listed in the README's tables, with a fix; the same failure gives the same code
in every command."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from innspill.cli import main
from innspill.errors import _ENTRIES, ALIASES, CODES, REGISTRY, WARNINGS, InnspillError, fix, lookup, warning

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "innspill"
CODE_RE = re.compile(r"""["']([EW]\d{3})["']""")


def _source_literals() -> dict[str, list[str]]:
    """Each quoted code literal in src/ (but the registry itself), with the files that hold it."""
    found: dict[str, list[str]] = {}
    for path in sorted(SRC.rglob("*.py")):
        if path == SRC / "errors.py":
            continue
        for code in set(CODE_RE.findall(path.read_text(encoding="utf-8"))):
            found.setdefault(code, []).append(str(path.relative_to(ROOT)))
    return found


def _readme_rows() -> set[str]:
    return set(re.findall(r"^\| `?([EW]\d{3})`? \|", (ROOT / "README.md").read_text(encoding="utf-8"), re.M))


def test_every_code_is_unique_and_well_formed():
    codes = [c.code for c in _ENTRIES]
    assert len(codes) == len(set(codes)) == len(REGISTRY)
    assert all(re.fullmatch(r"[EW][1-4]\d\d", c) for c in codes)
    assert set(CODES) | set(WARNINGS) == set(REGISTRY) and not set(CODES) & set(WARNINGS)
    titles = [c.title for c in _ENTRIES]
    assert len(titles) == len(set(titles)), "two codes with one title: one of them is not needed"


def test_every_code_has_a_fix():
    for c in _ENTRIES:
        assert c.title.strip() and c.fix.strip(), c.code
        assert c.fix != c.title and len(c.fix.split()) >= 4, f"{c.code}: the fix should say what to do"


def test_every_code_is_raised_or_emitted_in_src():
    found = _source_literals()
    unused = sorted(set(REGISTRY) - set(found))
    assert not unused, f"registered but never raised or emitted in src/: {unused}"


def test_every_code_in_src_is_registered():
    found = _source_literals()
    unknown = {c: files for c, files in found.items() if c not in REGISTRY}
    assert not unknown, f"codes used in src/ but not in innspill.errors: {unknown}"


def test_every_code_is_documented_in_the_readme():
    rows = _readme_rows()
    assert not sorted(set(REGISTRY) - rows), "codes missing from the README's tables"
    assert not sorted(rows - set(REGISTRY)), "README rows for codes that are not registered"


def test_retired_codes_stay_retired():
    """E202 (no comments: warning W202) and E409 (the live results' options: E301) are gone, kept
    only as aliases: never raised in src/, never registered again, each named in the README with
    the code it became, and still looked up (an older output may carry one)."""
    assert ALIASES == {"E202": "W202", "E409": "E301"}
    found = _source_literals()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for old, new in ALIASES.items():
        assert old not in REGISTRY and new in REGISTRY
        assert old not in found, f"retired {old} is used in {found[old]}"
        assert re.search(rf"`{old}`[^.|\n]*\n?[^.|\n]*`{new}`", readme), f"README: {old} -> {new}"
        assert lookup(old) is REGISTRY[new] and fix(old) == fix(new)
    with pytest.raises(AssertionError):
        InnspillError("E409", "retired codes are not raised")


def test_the_message_carries_the_fix_unless_the_call_gives_a_hint():
    e = InnspillError("E101", "no such file", path="x.txt")
    assert str(e) == f"error E101: no such file (x.txt)\n  fix: {fix('E101')}"
    assert e.fix == fix("E101")
    e = InnspillError("E106", "too big", hint="raise the limit with --max-size 300MB")
    assert e.format().endswith("hint: raise the limit with --max-size 300MB") and "fix:" not in e.format()
    with pytest.raises(AssertionError):
        InnspillError("E999", "not registered")


def test_warning_makes_the_analysis_dict_of_a_registered_code():
    assert warning("W103", "id '7' appears twice", "a.jsonl, line 3") == \
        {"code": "W103", "message": "id '7' appears twice", "place": "a.jsonl, line 3"}
    assert list(warning("W202", "m")) == ["code", "message", "place"]  # key order is in the output
    with pytest.raises(AssertionError):
        warning("W999", "not registered")


def test_live_option_errors_are_e301():
    from innspill.votes.results import LiveFormatError, build_results

    with pytest.raises(LiveFormatError) as e:
        build_results({}, min_votes=0)
    assert e.value.code == "E301" and str(e.value).startswith("error E301: min_votes: ")


def _err(args, capsys) -> str:
    assert main(args) == 2
    return capsys.readouterr().err


def test_one_failure_one_code_in_every_command(tmp_path, capsys):
    """A file that is not an analysis is E204 for brief and eval alike (eval said E203, the gold
    file's code); a file that is not JSON is the code of the kind of file it should have been."""
    not_analysis = tmp_path / "other.json"
    not_analysis.write_text('{"schema": "other"}', encoding="utf-8")
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    a_list = tmp_path / "list.json"
    a_list.write_text("[]", encoding="utf-8")
    gold = ROOT / "tests" / "data" / "seed.gold.json"
    for bad in (not_analysis, broken, a_list):
        assert "error E204" in _err(["brief", str(bad), "-o", str(tmp_path / "b.md")], capsys)
        assert "error E204" in _err(["eval", str(gold), str(bad)], capsys)
    assert "error E203" in _err(["eval", str(broken), str(not_analysis)], capsys)
    from innspill.evaluate import collect

    with pytest.raises(InnspillError) as e:
        collect([], {"schema": "innspill.analysis/1"}, str(a_list))
    assert e.value.code == "E203"


def test_an_output_that_cannot_be_written_is_e304(tmp_path, capsys):
    analysis = tmp_path / "a.json"
    analysis.write_text(json.dumps({"schema": "innspill.analysis/1"}), encoding="utf-8")
    blocked = tmp_path / "file"
    blocked.write_text("", encoding="utf-8")
    err = _err(["analyze", str(ROOT / "examples" / "kantine-nb.txt"), "--no-embeddings", "--quiet",
                "-o", str(blocked / "out.json")], capsys)
    assert "error E304" in err and "Traceback" not in err
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    r = subprocess.run([sys.executable, "-m", "innspill.cli", "corrections", "export", "--data", str(tmp_path / "data"),
                        "-o", str(blocked / "rows.jsonl")], capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 2 and "error E304" in r.stderr and "Traceback" not in r.stderr, r.stderr


def test_the_web_commands_name_the_web_extra_when_it_is_missing():
    """``pip install innspill`` has no Django: serve (and any import of innspill.web) says E302 and
    which extra to install, without a traceback."""
    code = ("import sys; sys.modules['django'] = None\n"
            "from innspill.cli import main\n"
            "sys.exit(main(sys.argv[1:]))")
    for args in (["serve"], ["worker", "--once"], ["corrections", "export"]):
        r = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120)
        assert r.returncode == 2, r.stderr
        assert "error E302" in r.stderr and "django" in r.stderr and "pip install 'innspill[web]'" in r.stderr
        assert "Traceback" not in r.stderr
