"""Result tables written by extension: CSV and Parquet keep the values, HTML is a page for people."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from journeykit.errors import InputError
from journeykit.io.tables import write_table

TABLE = pd.DataFrame({"variant": ["a → b", "other"], "length": [2, None], "mean_seconds": [3500490.0, math.nan]})


def test_html_is_a_utf8_page_with_title_notes_and_readable_cells(tmp_path):
    """It was a bare <table> fragment: no charset (the arrow came out garbled), no notes, 'None' and
    3.500490e+06 in the cells."""
    text = write_table(TABLE, tmp_path / "t.html", title="Variants", notes=["2 variants grouped"]).read_text("utf-8")
    assert text.startswith("<!DOCTYPE html>") and "<meta charset='utf-8'>" in text
    assert "<title>Variants</title>" in text and "<p>2 variants grouped</p>" in text
    assert "a → b" in text and "40.5 d" in text  # 3,500,490 s
    assert "None" not in text and "e+06" not in text and ">nan<" not in text.lower()


def test_csv_and_parquet_keep_the_values(tmp_path):
    pd.testing.assert_frame_equal(pd.read_parquet(write_table(TABLE, tmp_path / "t.parquet")), TABLE)
    back = pd.read_csv(write_table(TABLE, tmp_path / "t.csv"))
    assert back["mean_seconds"].iloc[0] == 3500490.0 and back["variant"].iloc[0] == "a → b"


def test_an_unknown_extension_is_refused(tmp_path):
    with pytest.raises(InputError, match="unknown output format '.xlsx'"):
        write_table(TABLE, tmp_path / "t.xlsx")
