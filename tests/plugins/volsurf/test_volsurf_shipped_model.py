"""The shipped default model: the model card names its file's checksum, it loads, and its
completion uncertainty behaves."""

from __future__ import annotations

import hashlib
import re

import pytest
from sigvae_volsurf.api import DEFAULT_MODEL, load_volsurf_model


def test_model_card_checksum_matches_the_shipped_weights():
    card = (DEFAULT_MODEL.parent / "MODEL_CARD.md").read_text()
    named = re.search(r"sha256 `([0-9a-f]{64})`", card)
    assert named, "the model card names no sha256"
    assert named.group(1) == hashlib.sha256(DEFAULT_MODEL.read_bytes()).hexdigest()
    assert f"{DEFAULT_MODEL.stat().st_size} bytes" in card


def test_shipped_model_is_the_pipeline_model():
    model = load_volsurf_model()
    assert model.model_config["type"] == "volsurf-pointwise"
    assert len(model.training_latents()) > 0  # KDE generation needs remembered latents


@pytest.mark.filterwarnings("ignore::sigvae_volsurf.completion.FewQuotesWarning")
def test_completion_std_shrinks_with_more_quotes_and_covers_the_truth():
    """Fresh simulated FX surfaces (seed 123, unseen in training), completed from 5 and then
    20 of their points: the completed points' standard deviation falls as quotes are added,
    and most of the truth lies within two of them (the coverage is measured properly in
    benchmarks/results/volsurf_uncertainty.md)."""
    from sigvae_volsurf.api import complete_surface
    from sigvae_volsurf.simulate import simulate_surfaces

    model = load_volsurf_model()
    truth, _ = simulate_surfaces(4, model.grid, seed=123, equity_share=0.0)
    truth = truth.rename(columns={"group": "date", "iv": "truth"})
    spread, inside = {}, {}
    for n in (5, 20):
        quotes = truth.groupby("date", group_keys=False).sample(n, random_state=0)
        quotes = quotes.rename(columns={"truth": "iv"})[["date", "tenor", "delta", "iv"]]
        out = complete_surface(quotes, model=model)
        both = out.merge(
            truth, left_on=["group", "tenor", "delta"], right_on=["date", "tenor", "delta"]
        )
        hidden = both[~both["observed"]]
        assert (hidden["iv_std"] > 0).all()
        spread[n] = hidden["iv_std"].median()
        inside[n] = ((hidden["iv_model"] - hidden["truth"]).abs() < 2 * hidden["iv_std"]).mean()
    assert spread[20] < 0.5 * spread[5]
    assert min(inside.values()) > 0.75
