"""Registering the plugin stays light: the hooks run without importing numpy or torch."""

from __future__ import annotations

import subprocess
import sys


def test_registration_imports_neither_numpy_nor_torch():
    code = (
        "import sys, sigvae_volsurf.plugin as p\n"
        "for hook in ('readers', 'preprocessors', 'models', 'evaluators', 'commands'):\n"
        "    getattr(p, 'sigvae_' + hook)()\n"
        "print(sorted(m for m in ('numpy', 'torch', 'pandas', 'scipy') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
