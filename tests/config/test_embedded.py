"""The embedded PostgreSQL of `make run` / `make test`: a current major, with the contrib modules."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection

from config import embedded


def test_a_data_directory_of_an_older_major_is_moved_aside_not_lost(tmp_path: Path) -> None:
    pgdata = tmp_path / "pgdata"
    pgdata.mkdir()
    (pgdata / "PG_VERSION").write_text("16\n")
    (pgdata / "base").mkdir()
    said: list[str] = []

    embedded._set_aside_other_major(pgdata, said.append)

    assert (tmp_path / "pgdata-16" / "base").is_dir()
    assert pgdata.is_dir() and not (pgdata / "PG_VERSION").exists()
    assert "PostgreSQL 16" in said[0]


def test_a_data_directory_of_the_current_major_is_kept(tmp_path: Path) -> None:
    pgdata = tmp_path / "pgdata"
    pgdata.mkdir()
    (pgdata / "PG_VERSION").write_text(embedded.PG_MAJOR)

    embedded._set_aside_other_major(pgdata, print)

    assert (pgdata / "PG_VERSION").exists()
    assert not (tmp_path / f"pgdata-{embedded.PG_MAJOR}").exists()


def test_an_older_copy_already_set_aside_is_never_overwritten(tmp_path: Path) -> None:
    (tmp_path / "pgdata-16").mkdir()
    pgdata = tmp_path / "pgdata"
    pgdata.mkdir()
    (pgdata / "PG_VERSION").write_text("16")

    with pytest.raises(embedded.EmbeddedServiceError, match="exists already"):
        embedded._set_aside_other_major(pgdata, print)
    assert (pgdata / "PG_VERSION").exists()


@pytest.mark.django_db
def test_search_runs_on_a_database_with_unaccent() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT unaccent('Élève, œuvre')")
        assert cursor.fetchone() == ("Eleve, oeuvre",)
