"""The ``train`` package's import-time TensorFlow setting (oneDNN on, so strided depthwise kernels run)."""

from __future__ import annotations

import os
import subprocess
import sys


def _setting_after_import(env_value: str | None) -> str:
    env = {k: v for k, v in os.environ.items() if k != "TF_ENABLE_ONEDNN_OPTS"}
    if env_value is not None:
        env["TF_ENABLE_ONEDNN_OPTS"] = env_value
    code = "import os, train; print(os.environ.get('TF_ENABLE_ONEDNN_OPTS'))"
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def test_importing_train_turns_onednn_on_when_unset() -> None:
    assert _setting_after_import(None) == "1"


def test_a_users_own_onednn_setting_wins() -> None:
    assert _setting_after_import("0") == "0"
