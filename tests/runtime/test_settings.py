"""The settings class: every TUNELAB_* value typed, and a bad one refused by name."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.runtime.settings import Settings, SettingsInvalid, load_settings

NO_SECRETS = Path("/nonexistent/secrets.toml")


def test_unset_settings_take_the_documented_defaults():
    settings = load_settings({}, NO_SECRETS)
    assert settings.data_dir == Path("data") and settings.database_url is None
    assert settings.train_threads == 1 and settings.ray_gpu_per_run == 0.125
    assert not settings.run_store and not settings.keep_anonymous_counts


def test_values_are_read_in_the_words_the_readme_uses():
    settings = load_settings(
        {
            "TUNELAB_TRAIN_THREADS": "2",
            "TUNELAB_RUN_STORE": "on",
            "TUNELAB_INSTRUCTOR_EMAILS": "ada@example.org, bob@example.org",
            "TUNELAB_RAY_ADDRESS": "",
            "UNRELATED": "x",
        },
        NO_SECRETS,
    )
    assert settings.train_threads == 2 and settings.run_store
    assert settings.instructor_emails == ["ada@example.org", "bob@example.org"]
    assert settings.ray_address is None  # blank is unset


def test_a_bad_value_is_refused_with_the_variable_what_it_got_and_what_it_accepts():
    with pytest.raises(SettingsInvalid) as refused:
        load_settings({"TUNELAB_TRAIN_THREADS": "two", "TUNELAB_RUN_STORE": "maybe"}, NO_SECRETS)
    assert refused.value.problems == [
        "TUNELAB_TRAIN_THREADS: got 'two'; expected a whole number",
        "TUNELAB_RUN_STORE: got 'maybe'; expected on/off, true/false, yes/no or 1/0",
    ]


def test_a_value_out_of_range_says_the_range():
    with pytest.raises(
        SettingsInvalid, match=r"TUNELAB_TRAIN_THREADS: got '0'; expected a whole number ≥ 1"
    ):
        load_settings({"TUNELAB_TRAIN_THREADS": "0"}, NO_SECRETS)
    with pytest.raises(SettingsInvalid, match=r"TUNELAB_RAY_GPU_PER_RUN: got '2'; .* ≤ 1"):
        load_settings({"TUNELAB_RAY_GPU_PER_RUN": "2"}, NO_SECRETS)


def test_secrets_toml_wins_over_the_environment_and_a_refused_secret_is_never_echoed(tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('token_secret = "from-file"\nkeep_anonymous_counts = true\n')
    settings = load_settings({"TUNELAB_TOKEN_SECRET": "from-env"}, secrets)
    assert settings.token_secret is not None
    assert settings.token_secret.get_secret_value() == "from-file"
    assert settings.keep_anonymous_counts
    assert "from-file" not in repr(settings)

    secrets.write_text("instructor_passcode = 12345\n")
    with pytest.raises(SettingsInvalid) as refused:
        load_settings({}, secrets)
    assert str(refused.value).startswith(f"instructor_passcode in {secrets}: got (hidden)")
    assert "12345" not in str(refused.value)


def test_a_secrets_file_that_is_not_toml_is_named(tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text("token_secret = \n")
    with pytest.raises(SettingsInvalid, match=rf"{secrets}: not valid TOML"):
        load_settings({}, secrets)


def test_the_readme_configuration_table_is_drawn_from_the_settings_class():
    from readme_settings import README, block

    assert block() in README.read_text(), "run PYTHONPATH=. python tests/runtime/readme_settings.py"


def test_every_tunelab_variable_the_code_reads_is_a_setting():
    import re

    root = Path(__file__).resolve().parents[2]
    known = {f"TUNELAB_{name.upper()}" for name in Settings.model_fields}
    # Read by the tests, the benchmarks and deploy/cluster.sh only, never by a server.
    tooling = {"TUNELAB_TEST_PG_URL", "TUNELAB_CLUSTER_SMOKE", "TUNELAB_FUZZ_DOCUMENTS"}
    read = set()
    for path in [*(root / "engine").rglob("*.py"), *(root / "lessons").rglob("*.py")]:
        read |= set(re.findall(r'"(TUNELAB_[A-Z_]+)"', path.read_text()))
    assert read - known - tooling == set()
