"""Files a person hands in that cannot mean what they seem: a YAML file naming a profile
twice, a seed file that yields no paper. One line naming the file, exit 1, nothing changed."""

from __future__ import annotations

import json

import pytest

from tests.cli import run_cli


def one_line(r) -> str:
    assert r.exit_code == 1, r.output
    [line] = r.stderr.strip().splitlines()
    assert line.startswith("error: ") and "Traceback" not in r.output
    return line


def profiles(capsys) -> list[str]:
    return [p["name"] for p in json.loads(run_cli(capsys, "profile", "list", "--json").stdout)]


@pytest.mark.parametrize(
    "text",
    [
        "name: d\nkeywords: {x: 1}\n---\nname: d\nkeywords: {y: 1}\n",
        "- {name: e, keywords: {x: 1}}\n- {name: d, keywords: {x: 1}}\n"
        "- {name: ' d', keywords: {y: 1}}\n",  # the same name once stripped
    ],
)  # fmt: skip
def test_a_yaml_file_naming_a_profile_twice_is_refused(engine, capsys, tmp_path, text):
    path = tmp_path / "dup.yaml"
    path.write_text(text)
    line = one_line(run_cli(capsys, "profile", "apply", str(path)))
    assert str(path) in line and "profile 'd' is defined twice" in line
    assert profiles(capsys) == []


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("garbage.bib", "garbage {{{\n"),
        ("empty.bib", ""),
        ("library.json", "[]"),
        ("ids.txt", "\n\n"),
    ],
)
def test_a_seed_file_without_any_paper_is_an_error(engine, capsys, tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    assert run_cli(capsys, "profile", "add", "a", "-k", "x").exit_code == 0
    line = one_line(run_cli(capsys, "profile", "seeds", "add", "a", "--from-file", str(path)))
    assert f"{path}: no seed paper in this file" in line
    line = one_line(run_cli(capsys, "profile", "add", "b", "-k", "x", "--from-file", str(path)))
    assert str(path) in line
    assert profiles(capsys) == ["a"]
