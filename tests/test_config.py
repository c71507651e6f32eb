import pytest

from pipeline.config import ConfigError, load_settings


def test_defaults_load_from_the_repository(tmp_path):
    settings = load_settings(environ={})
    assert settings.store.url.startswith("sqlite")
    assert settings.database_url.startswith("sqlite:////")  # resolved to an absolute path


def test_environment_overrides_yaml(tmp_path):
    (tmp_path / "netra.yaml").write_text("queue:\n  asn_threshold: 0.7\n")
    env = {"NETRA_DATABASE_URL": "postgresql+psycopg://x@h/db", "NETRA__QUEUE__AUDIT_RATE": "0.05"}
    s = load_settings(tmp_path, environ=env)
    assert s.store.url == "postgresql+psycopg://x@h/db"
    assert s.queue.asn_threshold == 0.7
    assert s.queue.audit_rate == 0.05


def test_bad_value_names_file_and_key(tmp_path):
    (tmp_path / "netra.yaml").write_text("queue:\n  asn_threshold: 1.5\n")
    with pytest.raises(ConfigError) as err:
        load_settings(tmp_path, environ={})
    assert err.value.source.endswith("netra.yaml")
    assert err.value.key == "queue.asn_threshold"
    assert "less than or equal" in err.value.reason


def test_unknown_key_is_an_error_not_ignored(tmp_path):
    (tmp_path / "netra.yaml").write_text("store:\n  urll: sqlite:///x.db\n")
    with pytest.raises(ConfigError) as err:
        load_settings(tmp_path, environ={})
    assert err.value.key == "store.urll"


def test_malformed_yaml_reports_the_line(tmp_path):
    (tmp_path / "netra.yaml").write_text("store:\n  url: [unclosed\n")
    with pytest.raises(ConfigError) as err:
        load_settings(tmp_path, environ={})
    assert "line" in err.value.reason
