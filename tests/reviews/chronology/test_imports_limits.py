"""A small file can declare or hold a huge chronology: reading stops at the limits, within
seconds and a few tens of MB, and says which limit and by how much. The files are made here."""

from __future__ import annotations

import gc
import time
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from reviews.imports.chronology import HEADERS, ImportRejected, max_rows, read_rows
from tests.reviews.chronology import hostile

MB = 1_048_576


def refused_quickly(filename: str, data: bytes, *, seconds: float = 3, megabytes: int = 60) -> str:
    """The one problem ``read_rows`` refuses the file with, checked to come within ``seconds`` of
    this thread's own CPU time (other processes, and threads of this one left by other tests, such as
    a live server's, do not count) and, read a
    second time under tracemalloc (which slows it), without Python allocating more
    than ``megabytes`` MB at any one time."""
    with collector_paused():
        started = time.thread_time()
        with pytest.raises(ImportRejected) as refused:
            read_rows(filename, data)
        elapsed = time.thread_time() - started
    tracemalloc.start()
    try:
        with pytest.raises(ImportRejected):
            read_rows(filename, data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert elapsed < seconds, f"took {elapsed:.1f} s"
    assert peak < megabytes * MB, f"peaked at {peak / MB:.0f} MB"
    [problem] = refused.value.errors
    return str(problem)


def test_a_workbook_declaring_a_million_rows_reads_only_the_rows_it_holds():
    data = hostile.declared_million_rows()
    assert len(data) < 5_000
    # Only the header is really there: no chronology rows, found at once.
    started = time.monotonic()
    assert read_rows("police.xlsx", data) == []
    assert time.monotonic() - started < 2


def reading_the_limit_and_a_margin() -> float:
    """CPU seconds that refusing a file at the row limit may take on this machine: twice what reading
    a workbook of exactly ``max_rows()`` rows takes, and half a second. Measured rather than fixed, as
    a CI machine reads several times slower than a quiet one; and in this thread's CPU time, not the
    wall clock, as other processes sharing the cores would otherwise stretch one reading and not the
    other. A file read to its end instead of to the limit takes many times longer still."""
    data = hostile.many_rows(max_rows())
    with collector_paused():
        started = time.thread_time()
        assert len(read_rows("police.xlsx", data)) == max_rows()
        return 2 * (time.thread_time() - started) + 0.5


@contextmanager
def collector_paused() -> Iterator[None]:
    """The garbage collector off while a reading is timed: late in a full run it walks the whole
    suite's heap whenever a reading allocates enough, seconds that are not the reading's (the
    refusal took 0.1 s alone and 1.2 s of CPU at the end of a make test)."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def test_one_cell_in_the_last_row_and_column_is_refused_at_the_row_limit(settings):
    settings.CHRONOLOGY_IMPORT_MAX_ROWS = 5_000
    problem = refused_quickly("police.xlsx", hostile.far_last_row(), seconds=reading_the_limit_and_a_margin())
    assert "more than 5,000 rows" in problem
    assert "blank rows count too" in problem


def test_a_workbook_of_more_rows_than_the_limit_is_refused_when_the_limit_is_reached(settings):
    settings.CHRONOLOGY_IMPORT_MAX_ROWS = 5_000  # 30 times fewer than the file holds
    data = hostile.many_rows(150_000)  # about 10 MB unzipped
    assert len(data) < 2 * MB
    problem = refused_quickly("police.xlsx", data, seconds=reading_the_limit_and_a_margin())
    assert problem.startswith("The file has more than 5,000 rows under the column names")
    assert "Split it into files of at most 5,000 rows" in problem


def test_the_row_limit_is_a_setting(settings):
    settings.CHRONOLOGY_IMPORT_MAX_ROWS = 3
    line = "14/03/2025,,,Log,Visit,Officer,,"
    data = (",".join(HEADERS) + "\n" + "\n".join([line] * 3) + "\n").encode()
    assert len(read_rows("police.csv", data)) == 3
    with pytest.raises(ImportRejected, match="more than 3 rows"):
        read_rows("police.csv", data + line.encode() + b"\n")


def test_a_workbook_that_unzips_past_the_limit_is_refused_before_it_is_read():
    data = hostile.unzipping_to(30)
    assert len(data) < 200_000
    problem = refused_quickly("police.xlsx", data, seconds=1, megabytes=5)
    assert problem.startswith("This Excel file unzips to 30 MB; the most that can be read is 16 MB.")


def test_more_shared_strings_than_a_chronology_can_hold_are_refused_before_they_are_read():
    # Every shared string is read before the first row: 15 MB of them took 11 s and 140 MB.
    data = hostile.many_shared_strings(15)
    assert len(data) < 200_000
    problem = refused_quickly("police.xlsx", data, seconds=1, megabytes=10)
    assert problem.startswith("This Excel file holds more than 160,000 pieces of text, the most a chronology")


def test_as_many_shared_strings_as_a_chronology_can_hold_are_read_within_bounds(settings):
    settings.CHRONOLOGY_IMPORT_MAX_ROWS = 5_000  # 40,000 strings: a quarter of the default
    data = hostile.workbook([hostile.header_row()], shared_strings=40_000)
    tracemalloc.start()
    started = time.monotonic()
    try:
        assert read_rows("police.xlsx", data) == []
        elapsed = time.monotonic() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert elapsed < 10, f"took {elapsed:.1f} s"
    assert peak < 60 * MB, f"peaked at {peak / MB:.0f} MB"


def test_a_csv_of_a_million_one_character_rows_is_refused_at_the_row_limit():
    data = hostile.csv_of_tiny_rows(1_000_000)
    assert len(data) < 2 * MB
    assert "more than 20,000 rows" in refused_quickly("police.csv", data)


def test_columns_past_the_limit_are_never_built(settings):
    settings.CHRONOLOGY_IMPORT_MAX_COLUMNS = len(HEADERS)
    wide = "14/03/2025,,,Log,Visit,Officer,,no" + ",x" * 500_000
    data = (",".join(HEADERS) + "\n" + wide + "\n").encode()
    [(_, row)] = read_rows("police.csv", data)
    assert row["Significant"] == "no"


def test_a_nul_byte_anywhere_in_a_csv_is_refused_with_its_line():
    problem = refused_quickly("police.csv", hostile.csv_with_nul())
    assert problem.startswith("Line 3000 holds a NUL character (a zero byte), which is not text")


def test_a_csv_cell_past_the_csv_modules_limit_is_refused_with_its_line():
    problem = refused_quickly("police.csv", hostile.csv_with_long_field())
    assert problem.startswith("Line 102: a cell is longer than 131,072 characters")


def test_defusedxml_parses_uploaded_workbooks():
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML


def test_an_entity_in_a_workbook_is_not_expanded():
    assert "could not be read" in refused_quickly("police.xlsx", hostile.entity_bomb())
