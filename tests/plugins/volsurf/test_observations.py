"""Users' quote files: every listed bad input is a one-line error naming the file."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sigvae_volsurf import black
from sigvae_volsurf.observations import normalise_quotes, read_quotes

from sigvae.errors import SigvaeError


def quotes(**columns):
    base = {
        "date": ["d1"] * 3,
        "tenor": ["1M", "1M", "1Y"],
        "delta": [0.25, 0.5, 0.5],
        "iv": [0.07, 0.065, 0.08],
    }
    base.update(columns)
    return pd.DataFrame({k: v for k, v in base.items() if v is not None})


def test_good_quotes_are_normalised():
    out = normalise_quotes(quotes())
    assert list(out.columns) == ["group", "tenor", "tau", "delta", "log_moneyness", "iv"]
    np.testing.assert_allclose(out["tau"], [1 / 12, 1 / 12, 1.0])
    k = black.log_moneyness_from_delta(0.25, 0.07, 1 / 12)
    assert out.loc[(out.tau < 0.5) & (out.delta < 0.3), "log_moneyness"].item() == pytest.approx(k)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"tenor": ["1M", "1X", "1Y"]}, "unknown tenor"),
        ({"iv": [0.07, -0.01, 0.08]}, "non-positive implied vol"),
        ({"iv": [0.07, 0.0, 0.08]}, "non-positive implied vol"),
        ({"tenor": None, "tau": [0.1, 0.0, 1.0]}, "non-positive maturity"),
        ({"tenor": None, "tau": [0.1, -1.0, 1.0]}, "non-positive maturity"),
        ({"delta": [0.25, 0.25, 0.5]}, "duplicate points"),
        ({"delta": [0.25, 1.0, 0.5]}, r"outside \(0, 1\)"),
        ({"delta": [0.25, -0.2, 0.5]}, r"outside \(0, 1\)"),
        ({"convention": ["forward", "spot", "forward"]}, "mixed conventions"),
        ({"delta": [0.25, None, 0.5], "log_moneyness": [None, 0.01, None]}, "mixed conventions"),
        ({"iv": None}, "missing column 'iv'"),
        ({"tenor": None}, "missing column 'tau'"),
        ({"delta": None}, "no smile coordinate"),
        ({"iv": [7.0, 6.5, 8.0]}, "percentage"),
        ({"strike": [1.0, 1.1, 1.2], "delta": None}, "needs a 'forward'"),
    ],
)
def test_bad_quotes_are_one_line_errors(change, message):
    with pytest.raises(SigvaeError, match=message) as err:
        normalise_quotes(quotes(**change), source="quotes.csv")
    assert "\n" not in str(err.value) and str(err.value).startswith("quotes.csv: ")


def test_strike_forward_and_k_over_f_agree():
    k = np.array([-0.05, 0.0, 0.02])
    a = normalise_quotes(quotes(delta=None, strike=1.3 * np.exp(k), forward=[1.3] * 3))
    b = normalise_quotes(quotes(delta=None, k_over_f=np.exp(k)))
    np.testing.assert_allclose(a["delta"], b["delta"])
    np.testing.assert_allclose(np.sort(a["log_moneyness"]), np.sort(k))


def test_premium_adjusted_spot_deltas_are_converted():
    q = quotes(convention=["spot-pa"] * 3, foreign_rate=[0.02] * 3)
    out = normalise_quotes(q)
    tau, iv = 1 / 12, 0.07
    k = out.loc[(out.tau < 0.5)].sort_values("log_moneyness")["log_moneyness"].to_numpy()
    back = black.delta_from_log_moneyness(
        k, iv, tau, premium_adjusted=True, delta_type="spot", foreign_df=np.exp(-0.02 * tau)
    )
    assert back[-1] == pytest.approx(0.25)  # the call is the higher strike of the two


def test_spot_deltas_need_foreign_rate():
    with pytest.raises(SigvaeError, match="foreign_rate"):
        normalise_quotes(quotes(convention=["spot"] * 3))


def test_real_cad_file_reads(shared_data):
    path = shared_data / "finance" / "fx_vol_surface_cad_2017-05-26" / "cad_usd_2017-05-26_long.csv"
    out = read_quotes(path)
    assert len(out) == 40 and out["group"].nunique() == 1
    raw = pd.read_csv(path)
    np.testing.assert_allclose(
        np.sort(np.exp(out["log_moneyness"])), np.sort(raw["k_over_f"]), rtol=1e-9
    )


def test_missing_file_is_a_clean_error(tmp_path):
    with pytest.raises(SigvaeError, match="not found"):
        read_quotes(tmp_path / "nope.csv")
