"""The volsurf-complete and volsurf-generate commands and the Python API, end to end, with a
small untrained model (plumbing, not quality; quality is measured in benchmarks/)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from sigvae_volsurf import complete_surface, generate_surfaces

from sigvae import registry
from sigvae.cli import main
from sigvae.training.checkpoint import save_model

PARAMS = {
    "tenors": ["1M", "3M", "1Y"],
    "deltas": [0.1, 0.25, 0.5, 0.75, 0.9],
    "hidden": [16],
    "latent_dim": 5,
    "latent_bank": 32,
}


@pytest.fixture(scope="module")
def model_path(tmp_path_factory):
    torch.manual_seed(0)
    model = registry.build("model", "volsurf-pointwise", PARAMS, data_info={"x_shape": [15]})
    model.train()
    model.loss({"x": 0.1 + 0.02 * torch.rand(40, 15)})  # fills the latent bank
    model.eval()
    return save_model(model, tmp_path_factory.mktemp("model") / "pw.pt")


def quotes_csv(path, **change):
    frame = pd.DataFrame(
        {
            "date": ["2024-01-02"] * 4 + ["2024-01-03"] * 4,
            "tenor": ["1M", "1M", "1Y", "1Y"] * 2,
            "delta": [0.25, 0.5, 0.5, 0.75] * 2,
            "iv": [0.071, 0.068, 0.075, 0.074, 0.081, 0.079, 0.085, 0.083],
        }
    )
    for key, value in change.items():
        frame[key] = value
    frame.to_csv(path, index=False)
    return path


def test_complete_command_writes_full_grids(tmp_path, model_path, capsys):
    src = quotes_csv(tmp_path / "quotes.csv")
    out = tmp_path / "completed.csv"
    code = main(
        ["volsurf-complete", str(src), "-o", str(out), "--model", str(model_path), "--plot"]
    )
    assert code == 0
    frame = pd.read_csv(out)
    assert len(frame) == 2 * 15 and frame["observed"].sum() == 8
    seen = frame[frame["observed"]].sort_values(["group", "tau", "delta"])
    np.testing.assert_allclose(np.sort(seen["iv"]), np.sort(pd.read_csv(src)["iv"]))
    assert {"iv_model", "butterfly_arbitrage", "calendar_arbitrage"} <= set(frame.columns)
    assert (tmp_path / "completed_2024-01-02.png").stat().st_size > 1000
    captured = capsys.readouterr()
    assert "completed 2 surface(s)" in captured.out
    assert "sigvae: warning: 2 surface(s) have fewer observed points" in captured.err


def test_complete_on_an_off_model_grid(tmp_path, model_path):
    src = quotes_csv(tmp_path / "quotes.csv")
    out = tmp_path / "c.parquet"
    assert (
        main(
            [
                "volsurf-complete",
                str(src),
                "-o",
                str(out),
                "--model",
                str(model_path),
                "--grid",
                "1W,2M,2Y,0.2,0.5,0.8",
            ]
        )
        == 0
    )
    frame = pd.read_parquet(out)
    assert sorted(frame["tenor"].unique()) == ["1W", "2M", "2Y"] and len(frame) == 18


def test_existing_output_is_refused_and_kept(tmp_path, model_path, capsys):
    src = quotes_csv(tmp_path / "quotes.csv")
    out = tmp_path / "completed.csv"
    out.write_text("keep me")
    assert main(["volsurf-complete", str(src), "-o", str(out), "--model", str(model_path)]) == 2
    assert out.read_text() == "keep me"
    assert "already exists" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"tenor": ["1M", "1Q", "1Y", "1Y"] * 2}, "unknown tenor"),
        ({"iv": [0.07, -0.1, 0.07, 0.07] * 2}, "non-positive implied vol"),
        ({"delta": [0.25, 0.25, 0.5, 0.75] * 2}, "duplicate points"),
        ({"delta": [0.25, 1.5, 0.5, 0.75] * 2}, "outside"),
    ],
)
def test_bad_quotes_exit_2_with_one_line(tmp_path, model_path, capsys, change, message):
    src = quotes_csv(tmp_path / "quotes.csv", **change)
    out = tmp_path / "completed.csv"
    assert main(["volsurf-complete", str(src), "-o", str(out), "--model", str(model_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "quotes.csv" in err and len(err.splitlines()) == 1
    assert not out.exists()


@pytest.mark.parametrize("weight", ["0", "-1", "nan"])
def test_bad_prior_weight_is_one_line(tmp_path, model_path, capsys, weight):
    src = quotes_csv(tmp_path / "quotes.csv")
    out = tmp_path / "completed.csv"
    argv = ["volsurf-complete", str(src), "-o", str(out), "--model", str(model_path)]
    assert main([*argv, f"--prior-weight={weight}"]) == 2
    err = capsys.readouterr().err.strip()
    assert "--prior-weight must be a positive number" in err and len(err.splitlines()) == 1
    assert not out.exists()


def test_prior_weight_option_reaches_the_completion(tmp_path, model_path):
    """A far heavier prior fits the quotes worse (it pulls the latent to the prior mean)."""
    src = quotes_csv(tmp_path / "quotes.csv")
    misfit = {}
    for weight in ("0.01", "1000"):
        out = tmp_path / f"w{weight}.csv"
        argv = ["volsurf-complete", str(src), "-o", str(out), "--model", str(model_path)]
        assert main([*argv, "--prior-weight", weight]) == 0
        seen = pd.read_csv(out).query("observed")
        misfit[weight] = float((seen["iv"] - seen["iv_model"]).abs().mean())
    assert misfit["1000"] > misfit["0.01"]


def test_generate_command(tmp_path, model_path, capsys):
    out = tmp_path / "gen.parquet"
    assert (
        main(
            [
                "volsurf-generate",
                "-n",
                "7",
                "-o",
                str(out),
                "--model",
                str(model_path),
                "--seed",
                "3",
            ]
        )
        == 0
    )
    frame = pd.read_parquet(out)
    assert frame["group"].nunique() == 7 and len(frame) == 7 * 15
    assert frame["iv"].gt(0).all()
    assert "with static arbitrage" in capsys.readouterr().out
    clean = tmp_path / "clean.csv"
    assert (
        main(
            [
                "volsurf-generate",
                "-n",
                "5",
                "-o",
                str(clean),
                "--model",
                str(model_path),
                "--arbitrage-free",
                "--latent",
                "prior",
            ]
        )
        == 0
    )
    flags = pd.read_csv(clean)[["butterfly_arbitrage", "calendar_arbitrage"]]
    assert not flags.any().any()


def test_generate_bandwidth_option(tmp_path, model_path, capsys):
    args = ["volsurf-generate", "-n", "4", "--model", str(model_path), "--seed", "2"]
    runs = {}
    for bw in ("0", "silverman", "0.5"):
        out = tmp_path / f"gen_{bw}.csv"
        assert main([*args, "-o", str(out), "--bandwidth", bw]) == 0
        runs[bw] = pd.read_csv(out)["iv"].to_numpy()
    assert not np.allclose(runs["0"], runs["0.5"])  # the option reaches the sampler
    assert main([*args, "-o", str(tmp_path / "bad.csv"), "--bandwidth", "wide"]) != 0
    assert "--bandwidth must be" in capsys.readouterr().err
    assert not (tmp_path / "bad.csv").exists()


def test_python_api_round_trip(model_path):
    quotes = pd.DataFrame(
        {
            "date": ["d"] * 3,
            "tau": [0.25, 0.25, 1.0],
            "delta": [0.25, 0.75, 0.5],
            "iv": [0.1, 0.11, 0.12],
        }
    )
    with pytest.warns(UserWarning):
        done = complete_surface(quotes, model=model_path)
    assert len(done) == 15 and done["observed"].sum() == 3
    gen = generate_surfaces(4, model=model_path, latent="prior", seed=1)
    again = generate_surfaces(4, model=model_path, latent="prior", seed=1)
    np.testing.assert_array_equal(gen["iv"], again["iv"])


def test_missing_model_is_a_clean_error(tmp_path, capsys):
    src = quotes_csv(tmp_path / "quotes.csv")
    code = main(
        [
            "volsurf-complete",
            str(src),
            "-o",
            str(tmp_path / "o.csv"),
            "--model",
            str(tmp_path / "nope.pt"),
        ]
    )
    assert code == 2 and "no model here" in capsys.readouterr().err
