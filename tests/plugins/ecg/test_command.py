"""``sigvae ecg-denoise`` end to end on the awkward real records of ``../shared/data/ecg/edge``
(copied to a temporary directory and broken there), with a tiny untrained model."""

from __future__ import annotations

import hashlib
import json
import shutil

import numpy as np
import pytest
import wfdb

from sigvae.cli import main

pytestmark = pytest.mark.data


@pytest.fixture
def edge(shared_data, tmp_path):
    src = shared_data / "ecg" / "edge"
    dst = tmp_path / "edge"
    shutil.copytree(src, dst)
    return dst


def run(capsys, *args) -> tuple[int, str, str]:
    code = main(["ecg-denoise", *map(str, args), "--progress", "never"])
    out = capsys.readouterr()
    return code, out.out, out.err


def digest(directory) -> dict:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.iterdir())}


def test_mixed_rates_nan_and_non_ecg_channels(edge, tmp_path, capsys, tiny_model_path):
    before = digest(edge)
    out_dir = tmp_path / "out"
    code, out, err = run(
        capsys, edge / "03700181.dat", "-o", out_dir, "--model", tiny_model_path, "--plot"
    )
    assert code == 0, err
    assert "ABP" in out and "RESP" in out and "copied unchanged" in out
    a = wfdb.rdrecord(str(edge / "03700181"), smooth_frames=False)
    b = wfdb.rdrecord(str(out_dir / "03700181_denoised"), smooth_frames=False)
    assert (b.fs, b.sig_len, b.sig_name, b.units) == (a.fs, a.sig_len, a.sig_name, a.units)
    assert b.samps_per_frame == a.samps_per_frame == [4, 1, 1]
    for x, y in zip(a.e_p_signal, b.e_p_signal):
        np.testing.assert_array_equal(np.isnan(x), np.isnan(y))
    np.testing.assert_allclose(b.e_p_signal[1], a.e_p_signal[1], equal_nan=True)  # ABP copied
    assert not np.allclose(b.e_p_signal[0], a.e_p_signal[0], equal_nan=True)  # MCL1 denoised
    header = (out_dir / "03700181_denoised.hea").read_text()
    assert "weights sha256:" in header and "model: ecg-conv-vae" in header
    report = json.loads((out_dir / "03700181_denoised.json").read_text())
    assert list(report["leads"]) == ["MCL1"] and report["leads"]["MCL1"]["fs"] == 500.0
    assert (out_dir / "03700181_denoised.png").stat().st_size > 1000
    assert digest(edge) == before  # inputs untouched


def test_default_output_next_to_input_and_refusal_to_overwrite(edge, capsys, tiny_model_path):
    code, _, err = run(capsys, edge / "100_3chan.hea", "--model", tiny_model_path)
    assert code == 0, err
    assert (edge / "100_3chan_denoised.dat").is_file()
    first = (edge / "100_3chan_denoised.dat").read_bytes()
    code, _, err = run(capsys, edge / "100_3chan", "--model", tiny_model_path)
    assert code == 2 and "already exists; pass --overwrite" in err and len(err.splitlines()) == 1
    assert (edge / "100_3chan_denoised.dat").read_bytes() == first
    code, _, err = run(capsys, edge / "100_3chan", "--model", tiny_model_path, "--overwrite")
    assert code == 0, err


def test_leads_option_can_name_a_non_ecg_signal(edge, tmp_path, capsys, tiny_model_path):
    code, out, err = run(
        capsys,
        edge / "v102s",
        "-o",
        tmp_path / "o",
        "--leads",
        "II,PLETH",
        "--model",
        tiny_model_path,
    )
    assert code == 0, err
    report = json.loads((tmp_path / "o" / "v102s_denoised.json").read_text())
    assert list(report["leads"]) == ["II", "PLETH"]
    code, _, err = run(
        capsys, edge / "v102s", "-o", tmp_path / "p", "--leads", "V9", "--model", tiny_model_path
    )
    assert code == 2 and "V9" in err


def break_header(record, edit) -> None:
    hea = record.with_suffix(".hea")
    lines = hea.read_text().splitlines()
    hea.write_text("\n".join(edit(lines)) + "\n")


@pytest.mark.parametrize(
    "breakage, message",
    [
        ("missing_dat", "missing"),
        ("truncated", "truncated"),
        ("length_mismatch", "mismatch"),
        ("unknown_format", "unsupported WFDB format"),
    ],
)
def test_broken_records_give_one_line_and_others_still_run(
    edge, tmp_path, capsys, tiny_model_path, breakage, message
):
    rec = edge / "100_3chan"
    dat = edge / "100_3chan.dat"
    if breakage == "missing_dat":
        dat.unlink()
    elif breakage == "truncated":
        dat.write_bytes(dat.read_bytes()[:2000])
    elif breakage == "length_mismatch":
        break_header(rec, lambda ls: [ls[0].replace(" 999", " 500")] + ls[1:])
    else:
        break_header(rec, lambda ls: [ls[0]] + [ln.replace(" 212 ", " 999 ", 1) for ln in ls[1:]])
    out_dir = tmp_path / "out"
    code, out, err = run(
        capsys, rec, edge / "3000003_0003", "-o", out_dir, "--model", tiny_model_path
    )
    assert code == 2
    errors = err.strip().splitlines()
    assert len(errors) == 1 and message in errors[0] and "100_3chan" in errors[0]
    assert (out_dir / "3000003_0003_denoised.hea").is_file()
    assert not list(out_dir.glob("100_3chan*")) and not list(out_dir.glob(".sigvae-tmp*"))


def rewrite(edge, name, new_name, edit, sampto=None):
    """A copy of the edge record ``name`` with its physical samples changed by ``edit``."""
    rec = wfdb.rdrecord(str(edge / name), sampto=sampto)
    data = edit(rec.p_signal.copy())
    wfdb.wrsamp(
        new_name,
        fs=rec.fs,
        units=rec.units,
        sig_name=rec.sig_name,
        p_signal=data,
        fmt=["16"] * rec.n_sig,
        adc_gain=[200.0] * rec.n_sig,
        baseline=[0] * rec.n_sig,
        write_dir=str(edge),
    )
    return edge / new_name


def test_all_nan_and_flat_leads_are_noted_not_invented(edge, capsys, tiny_model_path):
    def spoil(x):
        x[:, 1] = np.nan
        x[:, 2] = 0.25
        return x

    rec = rewrite(edge, "test01_00s", "spoilt", spoil)
    code, out, err = run(capsys, rec, "--model", tiny_model_path)
    assert code == 0, err
    assert "'ECG 2' has no valid samples" in out and "'ECG 3' is a flat line" in out
    b = wfdb.rdrecord(str(edge / "spoilt_denoised"))
    assert np.isnan(b.p_signal[:, 1]).all()
    np.testing.assert_allclose(b.p_signal[:, 2], 0.25)
    assert np.isfinite(b.p_signal[:, [0, 3]]).all()

    def ruin(x):
        x[:, 0] = np.nan
        x[:, 1:] = 1.0
        return x

    code, _, err = run(
        capsys, rewrite(edge, "test01_00s", "ruined", ruin), "--model", tiny_model_path
    )
    assert code == 2 and "no lead has an ECG to denoise" in err


def test_too_short_and_too_slow_records(edge, capsys, tiny_model_path):
    short = rewrite(edge, "3000003_0003", "short", lambda x: x, sampto=125)  # 1 s at 125 Hz
    code, _, err = run(capsys, short, "--model", tiny_model_path)
    assert code == 2 and "shorter than one model window" in err
    break_header(edge / "v102s", lambda ls: [ls[0].replace(" 250 ", " 90 ")] + ls[1:])
    code, _, err = run(capsys, edge / "v102s", "--model", tiny_model_path)
    assert code == 2 and "below 100 Hz" in err and len(err.splitlines()) == 1


def test_edf_input(tmp_path, capsys, tiny_model_path):
    import pyedflib
    from ecg_helpers import synthetic_ecg

    ecg = synthetic_ecg(12, 500) * 1000  # uV
    path = tmp_path / "rec.edf"
    headers = [
        {
            "label": "ECG I",
            "dimension": "uV",
            "sample_frequency": 500,
            "physical_max": 5000,
            "physical_min": -5000,
            "digital_max": 32767,
            "digital_min": -32768,
        },
        {
            "label": "Resp",
            "dimension": "NU",
            "sample_frequency": 250,
            "physical_max": 10,
            "physical_min": -10,
            "digital_max": 32767,
            "digital_min": -32768,
        },
    ]
    with pyedflib.EdfWriter(str(path), 2, file_type=pyedflib.FILETYPE_EDFPLUS) as writer:
        writer.setSignalHeaders(headers)
        writer.writeSamples([ecg, np.sin(np.arange(3000) / 50)])
    code, out, err = run(capsys, path, "--model", tiny_model_path)
    assert code == 0, err
    b = wfdb.rdrecord(str(tmp_path / "rec_denoised"), smooth_frames=False)
    assert b.sig_name == ["ECG I", "Resp"] and b.units == ["uV", "NU"]
    assert b.fs == 250 and b.samps_per_frame == [2, 1]
    assert len(b.e_p_signal[0]) == 6000 and "Resp" in out


def test_demo_writes_into_the_working_directory(tmp_path, capsys, tiny_model_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "--demo", "--model", tiny_model_path)
    assert code == 0, err
    assert (tmp_path / "ecg_denoise_demo" / "noisy_100_denoised.hea").is_file()
    assert "ecg_denoise_demo" in out
    code, _, err = run(capsys, "--model", tiny_model_path)
    assert code == 2 and "RECORD" in err
