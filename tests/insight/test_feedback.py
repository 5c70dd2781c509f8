"""Feedback text: VADER sentiment, TF-IDF + NMF themes, NPS impact, offline operation, errors."""

from __future__ import annotations

import socket

import numpy as np
import pandas as pd
import pytest

from journeykit.engine.frames import engine_from_frames
from journeykit.errors import EmptyResultError, JourneykitError
from journeykit.insight.feedback import MIN_WEIGHT, NO_THEME, feedback, sentiment, themes
from journeykit.simulate.comments import THEMES


def _nps(scores) -> float:
    scores = np.asarray(scores)
    return 100 * (np.mean(scores >= 9) - np.mean(scores <= 6))


def _comments() -> pd.DataFrame:
    price = ["The price is too expensive for me", "Too expensive, the price is high", "Price too expensive again"]
    quality = ["Great product quality, love it", "Excellent quality product", "Product quality is great"]
    rows = [(f"p{i}", price[i % 3], 3.0) for i in range(12)] + [(f"q{i}", quality[i % 3], 10.0) for i in range(20)]
    rows += [(f"r{i}", quality[i % 3], 8.0) for i in range(8)]
    t0 = pd.Timestamp("2025-03-10", tz="UTC")
    df = pd.DataFrame(rows, columns=["customer_id", "comment", "score"])
    return df.assign(survey="nps", kind="nps", timestamp=[t0 + pd.Timedelta(days=i) for i in range(len(df))],
                     response_id=[f"x{i:03d}" for i in range(len(df))])


def test_nps_impact_and_sentiment_on_known_comments(model):
    df = _comments()
    result = feedback(engine_from_frames(responses=df), model, k=2)
    table = result.table.set_index("theme")
    price = [t for t in table.index if "expensive" in t or "price" in t]
    assert len(price) == 1
    row = table.loc[price[0]]
    assert row["comments"] == 12 and row["nps_mentioning"] == -100
    expected = _nps(df["score"]) - _nps(df.loc[12:, "score"])
    assert row["nps_impact"] == pytest.approx(expected) and row["nps_impact"] < 0
    assert "expensive" in row["examples"]
    comments = result.comments.set_index("response_id")
    assert comments.loc["x000", "touchpoint"] == "feedback_survey"  # the survey's touchpoint in the model
    assert set(result.by_period["period"]) == {"2025-03", "2025-04"}
    assert len(result.figure().data) == 1


def test_vader_labels_clear_comments():
    scores = sentiment(["Lovely support team, thanks!", "The agent was unfriendly and unhelpful.", "Price is average."])
    assert scores[0] >= 0.05 and scores[1] <= -0.05 and abs(scores[2]) < 0.05


def test_simulated_comments_recover_the_delivery_theme(engine, model):
    result = feedback(engine, model, k=8)
    truth = {text: theme for theme, per_sentiment in THEMES.items() for texts in per_sentiment for text in texts}
    comments = result.comments.assign(truth=result.comments["comment"].map(truth))
    assert comments["truth"].notna().all()  # every simulated comment is a template of a known theme
    delivery = comments[comments["truth"] == "delivery speed"]
    named = delivery["theme"].str.contains("deliver|arrived|fast|quick")
    assert named.mean() > 0.8, delivery.groupby("theme").size()
    # late deliveries produce detractors who write about delivery speed: a theme about it drags NPS down
    table = result.table
    assert (table.loc[table["theme"].str.contains("deliver"), "nps_impact"] < 0).any()
    assert (result.by_touchpoint["touchpoint"].isin(["delivery", "feedback_survey", "issue_resolved", "support_contact"])).all()


def test_comments_far_from_every_theme_belong_to_none(engine, model):
    """With fewer themes than topics, comments about something else have weights near 0 on every theme;
    they were forced into one ('The driver was very helpful.' under a packaging theme)."""
    result = feedback(engine, model, k=3)
    c = result.comments
    assigned = c["theme"] != NO_THEME
    assert (c.loc[assigned, "weight"] >= MIN_WEIGHT).all() and (c.loc[~assigned, "weight"] < MIN_WEIGHT).all()
    assert 0 < (~assigned).sum() < len(c)
    assert result.table["comments"].sum() == assigned.sum()  # the theme table counts only assigned comments
    assert any(n.startswith(f"{(~assigned).sum()} of {len(c)} comments belong to no theme") for n in result.notes)


def test_theme_weight_is_the_reconstructed_share_of_the_comment():
    """Two disjoint topics, two themes: each theme reconstructs its comments' whole unit TF-IDF vector."""
    texts = ["parcel courier late"] * 5 + ["refund invoice wrong"] * 5
    names, weights = themes(texts, k=2)
    assert weights.max(axis=1) == pytest.approx(np.ones(10), abs=1e-3)
    assert weights.min(axis=1) == pytest.approx(np.zeros(10), abs=1e-3)


def test_feedback_needs_no_network(model, monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    result = feedback(engine_from_frames(responses=_comments()), model, k=2)
    assert result.params["comments"] == 40


def test_feedback_errors(model):
    engine = engine_from_frames(responses=_comments().head(5))
    with pytest.raises(EmptyResultError, match="only 5 comments .* at least 20 are needed"):
        feedback(engine, model)
    with pytest.raises(JourneykitError, match="number of themes must be >= 2"):
        feedback(engine, model, k=1)
    with pytest.raises(JourneykitError, match="survey 'csat' is not in the journey model"):
        feedback(engine, model, surveys=["csat"])
