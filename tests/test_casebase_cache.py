"""The per-user cache of validated case bases (analysis.casebase_cache)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from analysis import casebase as casebase_mod
from analysis import casebase_cache
from analysis.casebase import CaseBaseError, load_casebase

from .conftest import CASEBASE


@pytest.fixture()
def project(tmp_path: Path, seeds: Path, monkeypatch) -> tuple[Path, Path]:
    """A copy of the case base and its corpus, and an empty cache of our own."""
    root = tmp_path / "casebase"
    shutil.copytree(CASEBASE, root)
    corpus = tmp_path / "seeds"
    shutil.copytree(seeds, corpus)
    monkeypatch.setenv("WORKBENCH_CASEBASE_CACHE", str(tmp_path / "cache" / "casebase"))
    monkeypatch.delenv("WORKBENCH_CACHE", raising=False)
    return root, corpus


@pytest.fixture()
def count_validations(monkeypatch) -> list[Path]:
    """Every full validation (a cache miss) appends its root here."""
    calls: list[Path] = []
    real = casebase_mod._validate

    def counted(root, sources_dir):  # type: ignore[no-untyped-def]
        calls.append(Path(root))
        return real(root, sources_dir)

    monkeypatch.setattr(casebase_mod, "_validate", counted)
    return calls


def _entries(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "cache" / "casebase").glob("*.json"))


def test_a_cached_load_equals_a_validation(project, count_validations):
    root, corpus = project
    fresh = load_casebase(root, corpus)
    first = load_casebase(root, corpus, cache=True)
    again = load_casebase(root, corpus, cache=True)
    assert len(count_validations) == 2  # the uncached load and the first cached one
    for cb in (first, again):
        assert cb.cases == fresh.cases
        assert cb.codings == fresh.codings
        assert cb.codebook == fresh.codebook
        assert cb.sources == fresh.sources
        assert cb.texts == fresh.texts
        assert cb.root == fresh.root
    # Derived frames agree too (what the analyses read).
    assert again.codings_frame().equals(fresh.codings_frame())


def test_with_and_without_texts_are_different_entries(project, count_validations, tmp_path):
    root, corpus = project
    load_casebase(root, corpus, cache=True)
    no_texts = load_casebase(root, cache=True)
    assert no_texts.texts == {}
    assert len(count_validations) == 2
    assert len(_entries(tmp_path)) == 2
    assert load_casebase(root, cache=True).texts == {}
    assert load_casebase(root, corpus, cache=True).texts
    assert len(count_validations) == 2


def test_an_edited_case_is_validated_again_and_its_error_reported(project, count_validations):
    root, corpus = project
    load_casebase(root, corpus, cache=True)
    case_file = next(
        p for p in sorted((root / "cases").glob("*.yaml")) if "score: 0.67" in p.read_text("utf-8")
    )
    text = case_file.read_text(encoding="utf-8")
    case_file.write_text(text.replace("score: 0.67", "score: 0.5", 1), encoding="utf-8")
    with pytest.raises(CaseBaseError) as err:
        load_casebase(root, corpus, cache=True)
    assert any(p.file.endswith(case_file.name) and p.line for p in err.value.problems)
    assert len(count_validations) == 2
    # A failed validation is never stored: the same bytes fail again, from the files.
    with pytest.raises(CaseBaseError):
        load_casebase(root, corpus, cache=True)
    assert len(count_validations) == 3


def test_a_changed_source_text_is_not_served_from_the_cache(project, count_validations):
    root, corpus = project
    cb = load_casebase(root, corpus, cache=True)
    source = next(iter(cb.sources.values()))
    path = corpus / source.file
    path.write_bytes(path.read_bytes() + "。".encode())
    with pytest.raises(CaseBaseError) as err:
        load_casebase(root, corpus, cache=True)
    assert "different sha256" in str(err.value)
    assert len(count_validations) == 2


def test_a_tampered_entry_is_ignored(project, count_validations, tmp_path):
    root, corpus = project
    load_casebase(root, corpus, cache=True)
    (entry,) = _entries(tmp_path)
    mac, _, body = entry.read_bytes().partition(b"\n")
    snap = json.loads(body)
    case_id = next(iter(snap["cases"]))
    snap["cases"][case_id]["name_zh"] = "篡改"
    entry.write_bytes(mac + b"\n" + json.dumps(snap, ensure_ascii=False).encode())
    cb = load_casebase(root, corpus, cache=True)
    assert cb.cases[case_id].name_zh != "篡改"
    assert len(count_validations) == 2


def test_an_entry_made_by_another_user_is_ignored(project, count_validations, tmp_path):
    """An entry copied in with a project carries another key's signature."""
    root, corpus = project
    load_casebase(root, corpus, cache=True)
    (entry,) = _entries(tmp_path)
    key_file = tmp_path / "cache" / "casebase" / "key"
    key_file.write_bytes(os.urandom(32))  # as if the entry came from elsewhere
    load_casebase(root, corpus, cache=True)
    assert len(count_validations) == 2


def test_an_entry_that_does_not_fit_the_models_is_ignored(project, count_validations, tmp_path):
    import hashlib
    import hmac

    root, corpus = project
    load_casebase(root, corpus, cache=True)
    (entry,) = _entries(tmp_path)
    secret = (tmp_path / "cache" / "casebase" / "key").read_bytes()
    body = b'{"key": "x", "__reduce__": "os.system"}'
    entry.write_bytes(hmac.new(secret, body, hashlib.sha256).hexdigest().encode() + b"\n" + body)
    assert load_casebase(root, corpus, cache=True).cases
    assert len(count_validations) == 2


def test_a_folder_others_can_write_is_not_used(project, count_validations, tmp_path):
    root, corpus = project
    folder = tmp_path / "cache" / "casebase"
    folder.mkdir(parents=True)
    folder.chmod(0o777)
    load_casebase(root, corpus, cache=True)
    load_casebase(root, corpus, cache=True)
    assert _entries(tmp_path) == []
    assert len(count_validations) == 2


def test_the_cache_can_be_turned_off(project, count_validations, tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_CACHE", "off")
    root, corpus = project
    load_casebase(root, corpus, cache=True)
    load_casebase(root, corpus, cache=True)
    assert not (tmp_path / "cache").exists()
    assert len(count_validations) == 2


def test_new_entries_are_private_and_only_the_recent_ones_kept(project, tmp_path, monkeypatch):
    monkeypatch.setattr(casebase_cache, "KEEP", 2)
    root, corpus = project
    case_file = sorted((root / "cases").glob("*.yaml"))[0]
    original = case_file.read_text(encoding="utf-8")
    for i in range(4):  # four versions of one case file: four keys
        case_file.write_text(original + f"\n# edit {i}\n", encoding="utf-8")
        load_casebase(root, corpus, cache=True)
    entries = _entries(tmp_path)
    assert len(entries) == 2
    folder = tmp_path / "cache" / "casebase"
    assert folder.stat().st_mode & 0o777 == 0o700
    assert (folder / "key").stat().st_mode & 0o777 == 0o600
    assert all(e.stat().st_mode & 0o077 == 0 for e in entries)
    assert not list(folder.glob(".tmp-*"))


def test_the_key_covers_every_file_the_validation_reads(project):
    root, _ = project
    names = {p.relative_to(root).as_posix() for p in casebase_cache.files_read(root)}
    assert {"codebook.yaml", "sources.yaml"} <= names
    assert {f"cases/{p.name}" for p in (root / "cases").glob("*.yaml")} <= names
    codings = {p.relative_to(root).as_posix() for p in (root / "codings").rglob("*.yaml")}
    assert codings <= names
    before = casebase_cache.fingerprint(root, with_texts=True)
    assert before != casebase_cache.fingerprint(root, with_texts=False)
    coding = sorted((root / "codings").rglob("*.yaml"))[-1]
    coding.write_bytes(coding.read_bytes() + b"\n")
    assert casebase_cache.fingerprint(root, with_texts=True) != before
