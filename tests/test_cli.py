"""The command line: exit codes, one-line errors, annotations and the atomic build."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from site_builder import build as pipeline
from site_builder.cli import main


def tree(root: Path) -> dict[str, bytes]:
    """Every file below ``root`` with its bytes, for before/after comparisons."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


#: what the project folder holds after a build: no staging folder, only the cache (the parsed
#: YAML of the catalog), which git ignores
BESIDE_THE_SITE = [".credsite-cache", "catalog", "public"]


def break_points(catalog: Path) -> None:
    path = catalog / "credentials/net-pro.md"
    path.write_text(path.read_text().replace("points: 9", "points: 13"))


def test_validate_a_valid_catalog(small_catalog: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--catalog", str(small_catalog)]) == 0
    out, err = capsys.readouterr()
    assert out == f"{small_catalog}: valid\n"
    assert "validated 4 credentials, 1 pathways, 3 issuers, 3 occupations" in err


def test_validate_reports_every_error_in_one_line_each(
    small_catalog: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    break_points(small_catalog)
    (small_catalog / "issuers/netco.yml").write_text("name: [\n")
    assert main(["validate", "--catalog", "catalog"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines() == [
        "catalog/credentials/net-pro.md:7: points: input should be less than or equal to 12 (got 13)",
        "catalog/issuers/netco.yml:2:1: invalid YAML: expected the node content, but found '<stream end>'",
        "2 errors",
    ]


def test_errors_become_github_annotations_under_actions(
    small_catalog: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    break_points(small_catalog)
    assert main(["validate", "--catalog", "catalog"]) == 1
    out, _ = capsys.readouterr()
    assert out.splitlines() == [
        "::error file=catalog/credentials/net-pro.md,line=7::points: input should be less than or equal to 12 (got 13)"
    ]


@pytest.mark.parametrize("argv", [[], ["frobnicate"], ["build", "--colour"], ["validate", "--catalog"]])
def test_bad_usage_exits_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    assert "usage: credsite" in capsys.readouterr().err


def test_missing_catalog_folder_is_an_input_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--catalog", str(tmp_path / "nowhere")]) == 1
    assert capsys.readouterr().err.splitlines()[0] == f"{tmp_path / 'nowhere'}:1: catalog folder not found"


def test_python_dash_m_runs_the_same_command(small_catalog: Path) -> None:
    break_points(small_catalog)
    result = subprocess.run(
        [sys.executable, "-m", "site_builder", "validate", "--catalog", "catalog"],
        capture_output=True,
        text=True,
        cwd=small_catalog.parent,
        check=False,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[0] == (
        "catalog/credentials/net-pro.md:7: points: input should be less than or equal to 12 (got 13)"
    )


def test_build_writes_the_site_and_leaves_no_staging_folders(small_catalog: Path) -> None:
    out = small_catalog.parent / "public"
    assert main(["build", "--catalog", "catalog", "--out", str(out), "--quiet"]) == 0
    assert (out / "index.html").is_file()
    assert (out / "credentials/net-pro/index.html").is_file()
    assert sorted(path.name for path in out.parent.iterdir()) == BESIDE_THE_SITE


def test_failed_validation_leaves_public_untouched(
    small_catalog: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = small_catalog.parent / "public"
    assert main(["build", "--catalog", "catalog", "--out", str(out), "--quiet"]) == 0
    before = tree(out)
    break_points(small_catalog)
    assert main(["build", "--catalog", "catalog", "--out", str(out)]) == 1
    assert capsys.readouterr().err.splitlines()[-1] == "1 error; nothing was built"
    assert tree(out) == before
    assert sorted(path.name for path in out.parent.iterdir()) == BESIDE_THE_SITE


def test_failure_while_rendering_leaves_public_untouched(
    small_catalog: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = small_catalog.parent / "public"
    pipeline.build(small_catalog, out)
    before = tree(out)
    (small_catalog / "credentials/net-pro.md").write_text(
        (small_catalog / "credentials/net-pro.md")
        .read_text()
        .replace("Network Professional", "Network Pro II")
    )

    def half_render(*args: object, **_: object) -> None:
        stage = args[-1]
        assert isinstance(stage, Path)
        (stage / "index.html").write_text("half a site")
        raise OSError("disk full")

    monkeypatch.setattr("site_builder.site.render_site", half_render)
    with pytest.raises(OSError, match="disk full"):
        pipeline.build(small_catalog, out)
    assert tree(out) == before
    assert sorted(path.name for path in out.parent.iterdir()) == BESIDE_THE_SITE


@pytest.mark.parametrize("out", [".", "catalog", "catalog/site"])
def test_build_refuses_to_replace_the_project_or_the_catalog(
    small_catalog: Path, out: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = tree(small_catalog.parent)
    assert main(["build", "--catalog", "catalog", "--out", out, "--quiet"]) == 2
    assert "credsite: --out" in capsys.readouterr().err
    assert tree(small_catalog.parent) == before


def test_build_refuses_a_folder_it_did_not_make(
    small_catalog: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notes = small_catalog.parent / "notes"
    notes.mkdir()
    (notes / "todo.txt").write_text("keep me")
    assert main(["build", "--catalog", "catalog", "--out", "notes", "--quiet"]) == 2
    assert "did not build" in capsys.readouterr().err
    assert (notes / "todo.txt").read_text() == "keep me"


def test_the_build_counts_the_pages_and_files_it_wrote(small_catalog: Path) -> None:
    out = small_catalog.parent / "public"
    result = pipeline.build(small_catalog, out)
    written = [path for path in tree(out) if path != ".credsite-build"]
    assert result.pages == sum(path.endswith(".html") for path in written) > 20
    assert result.files == len(written) > result.pages


def test_build_refuses_a_file_as_output(small_catalog: Path) -> None:
    (small_catalog.parent / "site.txt").write_text("x")
    assert main(["build", "--catalog", "catalog", "--out", "site.txt", "--quiet"]) == 2
    assert main(["build", "--catalog", "catalog", "--out", "site.txt/sub", "--quiet"]) == 2
    assert (small_catalog.parent / "site.txt").read_text() == "x"


def test_a_previous_build_is_replaced(small_catalog: Path) -> None:
    assert main(["build", "--catalog", "catalog", "--out", "public", "--quiet"]) == 0
    assert (small_catalog.parent / "public/.credsite-build").is_file()
    (small_catalog.parent / "public/stale.html").write_text("old")
    assert main(["build", "--catalog", "catalog", "--out", "public", "--quiet"]) == 0
    assert not (small_catalog.parent / "public/stale.html").exists()


def test_bad_source_date_epoch_is_a_usage_error(
    small_catalog: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "99999999999999999")
    assert main(["build", "--catalog", "catalog", "--out", "public", "--quiet"]) == 2
    assert "SOURCE_DATE_EPOCH='99999999999999999' is not a valid time" in capsys.readouterr().err


def test_an_unreachable_scheduler_is_a_usage_error(
    small_catalog: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--scheduler`` names a Dask cluster to protect on; one that does not answer stops the
    build before anything is written, with the address and no traceback."""
    from catalog_factory import write_outcomes

    from site_builder.protection import tasks

    write_outcomes(small_catalog)
    monkeypatch.setattr(tasks, "CONNECT_TIMEOUT", "1s")
    out = tmp_path / "public"
    code = main(
        ["build", "--catalog", str(small_catalog), "--out", str(out), "--scheduler", "tcp://127.0.0.1:9"]
    )
    assert code == 2
    assert not out.exists()
    err = capsys.readouterr().err
    assert "credsite: could not reach the Dask scheduler at tcp://127.0.0.1:9" in err
    assert "Traceback" not in err


def test_annotation_properties_are_escaped() -> None:
    from site_builder.errors import InputError

    error = InputError("catalog/a,b:c.md", 3, None, "50% done\nnext")
    assert error.github_annotation() == "::error file=catalog/a%2Cb%3Ac.md,line=3::50%25 done\\nnext"


def test_the_module_entry_point_runs_only_as_main(capsys) -> None:
    """Protection's worker processes import the main module again under another name;
    that import must not start a second build."""
    import runpy

    runpy.run_module("site_builder", run_name="__mp_main__")
    assert capsys.readouterr() == ("", "")
