"""Short template texts for simulated survey comments, by theme and sentiment.

Comments give the later text analytics something to find: the wording is positive, neutral or negative
according to the score, and the theme follows the customer's bad experiences where there were any.
"""

from __future__ import annotations

SENTIMENTS = ("negative", "neutral", "positive")

#: theme -> (negative, neutral, positive) template lists.
THEMES: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "delivery speed": (
        ("Delivery took far too long.", "The parcel arrived days late.", "Slow delivery, nearly cancelled."),
        ("Delivery time was acceptable.", "Delivery was a bit slower than promised."),
        ("Super fast delivery!", "Arrived a day earlier than expected.", "Quick delivery, thank you."),
    ),
    "packaging": (
        ("The box was damaged on arrival.", "Too much plastic in the packaging."),
        ("Packaging was fine.", "Standard packaging, nothing special."),
        ("Well packed and easy to open.", "Nice, sturdy packaging."),
    ),
    "courier": (
        ("The courier left the parcel outside in the rain.", "Rude courier, no call before delivery."),
        ("The courier was on time.",),
        ("Friendly courier who called ahead.", "The driver was very helpful."),
    ),
    "support wait": (
        ("I waited hours to reach anyone.", "Far too long on hold.", "Nobody answered my ticket for a day."),
        ("The wait for support was okay.",),
        ("Support answered within minutes.", "No waiting at all, great."),
    ),
    "support friendliness": (
        ("The agent was unfriendly and unhelpful.", "Support did not listen to me."),
        ("Support was polite but slow to understand.",),
        ("The agent was very friendly and patient.", "Lovely support team, thanks!"),
    ),
    "setup difficulty": (
        ("Set-up was a nightmare, it kept failing.", "Still not working after several attempts."),
        ("Set-up took a while but worked in the end.",),
        ("Set-up was easy with the guide.", "Worked straight out of the box."),
    ),
    "product quality": (
        ("The product broke after a week.", "Poor quality, I sent it back."),
        ("The product is okay for the money.",),
        ("Excellent product quality.", "Works perfectly, very happy with it."),
    ),
    "price": (
        ("Too expensive for what you get.", "Found it cheaper elsewhere."),
        ("Price is average.",),
        ("Great value for money.", "Good price, fair shipping costs."),
    ),
}


def template_table() -> tuple[list[str], list[list[tuple[int, int]]]]:
    """All template texts in one list and, per theme (in :data:`THEMES` order) and sentiment, the
    ``(first, count)`` slice of that list."""
    texts: list[str] = []
    slices: list[list[tuple[int, int]]] = []
    for per_sentiment in THEMES.values():
        row = []
        for templates in per_sentiment:
            row.append((len(texts), len(templates)))
            texts.extend(templates)
        slices.append(row)
    return texts, slices
