"""The shipped default model: the model card names its file's checksum, and it loads."""

from __future__ import annotations

import hashlib
import re

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
