"""Feedback text: sentiment and themes of survey comments, per touchpoint and period, with NPS impact.

Sentiment
    VADER (Hutto & Gilbert 2014, "VADER: A Parsimonious Rule-based Model for Sentiment Analysis of Social
    Media Text", ICWSM): the ``compound`` score in [−1, 1]; positive at ≥ 0.05, negative at ≤ −0.05, as the
    authors recommend.  Its lexicon ships inside the ``vaderSentiment`` wheel: nothing is downloaded.
    A lexicon misses domain phrases ("took far too long" scores neutral): read sentiment with the scores.
Themes
    TF-IDF of the comments (English stop words removed, words and word pairs seen in at least two comments)
    factorised by non-negative matrix factorisation (Lee & Seung 1999, *Nature* 401): ``X ≈ WH`` with ``k``
    themes; a theme is named by its highest-weighted terms ``H``.  A comment's weight on theme ``k`` is
    ``Wᵢₖ‖Hₖ‖``, the length of the part of its (unit-length) TF-IDF vector that the theme reconstructs; the
    comment belongs to the theme of its largest weight when that weight is at least ``MIN_WEIGHT`` (0.1),
    and to no theme otherwise: with few themes, comments about something else get weights near zero on
    every theme and would otherwise be forced into one.  Example comments are those with the largest weight.
NPS impact
    ``impact = NPS(commenting NPS respondents) − NPS(those among them whose comment does not mention the
    theme)``: a negative impact means the theme drags the score down.  It describes who mentions what, not
    a cause.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import ibis
import numpy as np
import pandas as pd

from journeykit.analytics._periods import check_period, period_index, period_start
from journeykit.engine import Engine, Filters, as_engine, as_filters
from journeykit.errors import MODEL_EXAMPLE, EmptyResultError, JourneykitError, as_list, check_kind
from journeykit.model import JourneyModel
from journeykit.result import Result

#: VADER's recommended thresholds on the compound score.
POSITIVE, NEGATIVE = 0.05, -0.05
#: Fewest comments for a theme model.
MIN_COMMENTS = 20
NO_THEME = "(no theme)"
#: Smallest weight (share of a comment's TF-IDF vector reconstructed by a theme) that assigns the theme.
MIN_WEIGHT = 0.1


@dataclass
class FeedbackResult(Result):
    """Themes of survey comments with sentiment and NPS impact.

    Attributes
    ----------
    table : DataFrame
        One row per theme: ``theme`` (top terms), ``comments``, ``share``, ``mean_sentiment``,
        ``negative_share``, ``nps_mentioning``, ``nps_without``, ``nps_impact`` (points), ``examples``.
    comments : DataFrame
        One row per comment: ``response_id, survey, touchpoint, period, score, comment, sentiment, label,
        theme, weight``.
    by_touchpoint, by_period : DataFrame
        Comments, mean sentiment and negative share per touchpoint (period) and theme.
    """

    comments: pd.DataFrame = field(default_factory=pd.DataFrame)
    by_touchpoint: pd.DataFrame = field(default_factory=pd.DataFrame)
    by_period: pd.DataFrame = field(default_factory=pd.DataFrame)
    title: str = "Feedback themes"

    def figure(self):
        """Themes by number of comments, coloured by mean sentiment, with the NPS impact as text."""
        import plotly.graph_objects as go

        t = self.table.iloc[::-1]
        fig = go.Figure(go.Bar(
            x=t["comments"], y=t["theme"], orientation="h",
            marker=dict(color=t["mean_sentiment"], colorscale="RdBu", cmin=-1, cmax=1,
                        colorbar=dict(title="sentiment")),
            text=[f"NPS impact {v:+.1f}" if pd.notna(v) else "" for v in t["nps_impact"]],
            textposition="auto",
        ))
        return fig.update_layout(title=f"{self.title} (VADER sentiment, TF-IDF + NMF themes)",
                                 xaxis_title="comments", height=max(320, 40 * len(t) + 120))


def sentiment(texts: list[str]) -> np.ndarray:
    """VADER compound score of each text (Hutto & Gilbert 2014)."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    return np.array([analyzer.polarity_scores(t)["compound"] for t in texts], dtype=float)


def themes(texts: list[str], k: int, seed: int = 0, top_terms: int = 3) -> tuple[list[str], np.ndarray]:
    """TF-IDF + NMF themes: ``(names, weights)``, the ``(n, k)`` weights ``Wᵢₖ‖Hₖ‖`` (module docstring)."""
    from sklearn.decomposition import NMF
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(
        stop_words="english", ngram_range=(1, 2), min_df=2, max_df=0.9, sublinear_tf=True
    )
    try:
        x = vectorizer.fit_transform(texts)
    except ValueError:
        raise EmptyResultError(
            "the comments share no words (after removing stop words): no themes to find"
        ) from None
    k = min(k, x.shape[0] - 1, x.shape[1])
    nmf = NMF(n_components=k, init="nndsvda", random_state=seed, max_iter=500)
    w = nmf.fit_transform(x)
    terms = np.array(vectorizer.get_feature_names_out())
    names = [", ".join(terms[np.argsort(-row)[:top_terms]]) for row in nmf.components_]
    return names, w * np.linalg.norm(nmf.components_, axis=1)


def _nps(scores: np.ndarray, high: float) -> float:
    if len(scores) == 0:
        return float("nan")
    return 100 * (np.mean(scores >= high - 1) - np.mean(scores <= high - 4))


def feedback(
    engine: Engine,
    model: JourneyModel,
    k: int = 8,
    surveys: list[str] | None = None,
    period: str = "month",
    examples: int = 3,
    seed: int = 0,
    filters: Filters | None = None,
) -> FeedbackResult:
    """Sentiment and themes of the survey comments (see the module docstring).

    Parameters
    ----------
    engine, model
    k : int
        Number of themes.
    surveys : list of str, optional
        Only comments to these surveys.
    period : {"day", "week", "month"}
        Period of the ``by_period`` table.
    examples : int
        Example comments per theme.
    seed : int
        Seed of the NMF initialisation refinement.
    filters : Filters, optional

    Raises
    ------
    JourneykitError
        Unknown survey, ``k < 2``.
    EmptyResultError
        Fewer than :data:`MIN_COMMENTS` comments.
    """
    engine, filters = as_engine(engine), as_filters(filters)
    check_kind("model", model, JourneyModel, MODEL_EXAMPLE)
    surveys = as_list("surveys", surveys)
    if k < 2:
        raise JourneykitError(f"the number of themes must be >= 2, got {k}")
    names = list(model.survey_by_name) if surveys is None else list(surveys)
    unknown = [s for s in names if s not in model.survey_by_name]
    if unknown:
        raise JourneykitError(
            f"survey {unknown[0]!r} is not in the journey model (surveys: {sorted(model.survey_by_name)})"
        )
    rs = filters.apply(engine.responses)
    survey_tp = {s.name: s.touchpoint for s in model.surveys if s.touchpoint}
    rs = rs.filter(rs.comment.notnull() & (rs.comment.strip() != "") & rs.survey.isin(names))
    df = engine.execute(rs.select(
        "response_id", "survey", "score", "comment",
        touchpoint=rs.touchpoint.coalesce(rs.survey.substitute(survey_tp, else_=ibis.null("string"))),
        period=period_index(rs.timestamp, check_period(period)).cast("int64"),
    )).sort_values("response_id").reset_index(drop=True)
    if len(df) < MIN_COMMENTS:
        scope = filters.describe()
        raise EmptyResultError(
            f"only {len(df)} comments ({scope}): at least {MIN_COMMENTS} are needed for themes"
        )
    label_format = "%Y-%m" if period == "month" else "%Y-%m-%d"
    df["period"] = period_start(df["period"], period).dt.strftime(label_format)
    df["sentiment"] = sentiment(df["comment"].tolist())
    df["label"] = np.select(
        [df["sentiment"] >= POSITIVE, df["sentiment"] <= NEGATIVE], ["positive", "negative"], "neutral"
    )
    theme_names, w = themes(df["comment"].tolist(), k, seed)
    best = w.argmax(axis=1)
    df["weight"] = w.max(axis=1)
    df["theme"] = np.where(df["weight"] >= MIN_WEIGHT, np.array(theme_names, dtype=object)[best], NO_THEME)
    table = _theme_table(df, model, theme_names, examples)
    notes = [
        "Sentiment is VADER's lexicon score: it misses domain phrases, so read it next to the scores. "
        "NPS impact = NPS of the commenting NPS respondents − NPS of those among them who did not mention the "
        "theme (respondents without a comment are in neither): who mentions what, not a cause."
    ]
    unassigned = int((df["theme"] == NO_THEME).sum())
    if unassigned:
        notes.append(
            f"{unassigned} of {len(df)} comments belong to no theme: none of the {len(theme_names)} themes "
            f"reconstructs {MIN_WEIGHT:.0%} of their TF-IDF vector (more themes, k, may cover them)."
        )
    return FeedbackResult(
        table=table,
        comments=df[["response_id", "survey", "touchpoint", "period", "score", "comment", "sentiment",
                     "label", "theme", "weight"]],
        by_touchpoint=_breakdown(df, "touchpoint"), by_period=_breakdown(df, "period"),
        params={"k": len(theme_names), "surveys": names, "period": period, "comments": len(df), "seed": seed,
                "filters": filters.describe()},
        notes=notes,
    )


def _theme_table(
    df: pd.DataFrame, model: JourneyModel, theme_names: list[str], examples: int
) -> pd.DataFrame:
    nps_surveys = [s.name for s in model.surveys if s.kind == "nps"]
    nps = df[df["survey"].isin(nps_surveys)]
    high = model.survey_by_name[nps_surveys[0]].scale[1] if nps_surveys else 10.0
    overall = _nps(nps["score"].to_numpy(), high)
    rows = []
    for name in theme_names:
        mine = df[df["theme"] == name]
        if mine.empty:  # every comment near it is better explained by another theme, or by none
            continue
        mention = nps["theme"] == name
        without = _nps(nps.loc[~mention, "score"].to_numpy(), high)
        top = mine.nlargest(examples, "weight")["comment"].drop_duplicates()
        rows.append({
            "theme": name, "comments": len(mine), "share": len(mine) / len(df),
            "mean_sentiment": mine["sentiment"].mean(),
            "negative_share": (mine["label"] == "negative").mean(),
            "nps_mentioning": _nps(nps.loc[mention, "score"].to_numpy(), high), "nps_without": without,
            "nps_impact": overall - without, "examples": " | ".join(top),
        })
    return pd.DataFrame(rows).sort_values("comments", ascending=False).reset_index(drop=True)


def _breakdown(df: pd.DataFrame, by: str) -> pd.DataFrame:
    grouped = df.groupby([by, "theme"], dropna=False).agg(
        comments=("comment", "size"), mean_sentiment=("sentiment", "mean"),
        negative_share=("label", lambda s: float((s == "negative").mean())),
    )
    return grouped.reset_index().sort_values([by, "comments"], ascending=[True, False]).reset_index(drop=True)
