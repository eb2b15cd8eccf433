"""Every setting has a declared type; the environment's text is converted to it, and a value that cannot be
is a clear error at start-up (not a failing sweep on PostgreSQL later)."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from layani_flow import config, create_app
from layani_flow.config import SETTINGS, ConfigError, from_environment

NIP = "197809172003121002"


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    """No LAYANI_* variable from the runner leaks in; the app's instance folder is a fresh one."""
    for name in list(os.environ):
        if name.startswith("LAYANI_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("LAYANI_SQLALCHEMY_DATABASE_URI", f"sqlite:///{tmp_path / 'c.sqlite'}")
    return monkeypatch


def test_a_nip_from_the_environment_stays_text_however_it_is_written():
    assert from_environment({"LAYANI_DESK_HEAD_NIP": NIP}) == {"DESK_HEAD_NIP": NIP}
    assert from_environment({"LAYANI_DESK_HEAD_NIP": f" {NIP} "}) == {"DESK_HEAD_NIP": NIP}
    assert from_environment({"LAYANI_DESK_HEAD_NIP": f'"{NIP}"'}) == {"DESK_HEAD_NIP": NIP}  # JSON-quoted


@pytest.mark.parametrize(("name", "raw", "expected"), [
    ("LAYANI_MAIL_PORT", "2525", 2525),
    ("LAYANI_WORKER_INTERVAL", "15", 15.0),
    ("LAYANI_WORKER_INTERVAL", "0.5", 0.5),
    ("LAYANI_MAIL_USE_TLS", "true", True),
    ("LAYANI_MAIL_USE_TLS", "0", False),
    ("LAYANI_SLA_ESCALATE_EVERY", "4H", "4h"),
    ("LAYANI_BASE_URL", "https://layani.dkp.babelprov.go.id", "https://layani.dkp.babelprov.go.id"),
    ("LAYANI_WORKING_WEEK", '{"0": [["08:00", "16:00"]]}', {"0": [["08:00", "16:00"]]}),
    ("LAYANI_DESK_HEAD_NIP", "", None),
    ("LAYANI_SECRET_KEY", "12345", "12345"),  # text stays text even when it looks like a number
    ("LAYANI_LOGIN_LIMIT_PER_NIP", "3 per 10 minutes", "3 per 10 minutes"),
])
def test_environment_text_becomes_the_declared_type(name, raw, expected):
    key = name.removeprefix("LAYANI_")
    value = from_environment({name: raw})[key]
    assert value == expected and type(value) is type(expected)


@pytest.mark.parametrize(("name", "raw", "hint"), [
    ("LAYANI_DESK_HEAD_NIP", "19780917", "NIP 18 angka"),
    ("LAYANI_MAIL_PORT", "abc", "bilangan bulat"),
    ("LAYANI_MAIL_PORT", "70000", "antara 1 dan 65535"),
    ("LAYANI_WORKER_INTERVAL", "soon", "angka"),
    ("LAYANI_WORKER_INTERVAL", "nan", "angka"),
    ("LAYANI_MAIL_USE_TLS", "maybe", "true atau false"),
    ("LAYANI_SLA_ESCALATE_EVERY", "1 day", "durasi kerja"),
    ("LAYANI_SLA_WARN_PERCENT", "100", "antara 1 dan 99"),
    ("LAYANI_BASE_URL", "layani.local", "alamat http"),
    ("LAYANI_WORKING_WEEK", "[1, 2]", "objek JSON"),
    ("LAYANI_LOGIN_LIMIT_PER_NIP", "lots", "batas laju"),
    ("LAYANI_SECRET_KEY", "  ", "tidak kosong"),
])
def test_a_value_that_cannot_be_converted_is_refused_naming_the_variable(name, raw, hint):
    with pytest.raises(ConfigError) as caught:
        from_environment({name: raw})
    message = caught.value.message
    assert name in message and hint in message and repr(raw)[:20] in message


def test_every_problem_is_reported_at_once():
    with pytest.raises(ConfigError) as caught:
        from_environment({"LAYANI_MAIL_PORT": "x", "LAYANI_DESK_HEAD_NIP": "1"})
    assert "LAYANI_MAIL_PORT" in caught.value.message and "LAYANI_DESK_HEAD_NIP" in caught.value.message


def test_unknown_layani_variables_are_ignored_with_a_warning(caplog):
    with caplog.at_level("WARNING", logger="layani_flow.config"):
        assert from_environment({"LAYANI_DESK_HEAD_NPI": NIP, "LAYANI_TEST_DATABASE_URI": "x"}) == {}
    assert "LAYANI_DESK_HEAD_NPI" in caplog.text and "LAYANI_TEST_DATABASE_URI" not in caplog.text


def test_every_default_satisfies_its_own_declaration():
    assert config.check(config.defaults(), "defaults") == config.defaults()
    for key, setting in SETTINGS.items():
        assert setting.help, key


def test_create_app_reads_the_environment_with_types(clean_env):
    clean_env.setenv("LAYANI_DESK_HEAD_NIP", NIP)
    clean_env.setenv("LAYANI_MAIL_PORT", "2525")
    clean_env.setenv("LAYANI_WORKER_INTERVAL", "15")
    app = create_app()
    assert app.config["DESK_HEAD_NIP"] == NIP
    assert app.config["MAIL_PORT"] == 2525 and app.config["WORKER_INTERVAL"] == 15.0


def test_create_app_stops_on_a_bad_environment_value(clean_env):
    clean_env.setenv("LAYANI_MAIL_PORT", "smtp")
    with pytest.raises(ConfigError, match="LAYANI_MAIL_PORT"):
        create_app()


def test_instance_config_values_are_checked_too(clean_env, tmp_path):
    app_dir = tmp_path / "inst"
    app_dir.mkdir()
    (app_dir / "config.py").write_text(f"DESK_HEAD_NIP = {NIP}\n")  # unquoted: a number
    from flask import Flask

    from layani_flow import configure

    app = Flask("layani_flow", instance_path=str(app_dir), instance_relative_config=True)
    with pytest.raises(ConfigError, match="DESK_HEAD_NIP.*instance/config.py.*tanda kutip"):
        configure(app, None)


def test_a_test_config_is_checked():
    with pytest.raises(ConfigError, match="MAIL_PORT"):
        create_app({"TESTING": True, "MAIL_PORT": "25"})


@pytest.mark.parametrize(("base_url", "secure"), [("https://layani.example.go.id", True),
                                                  ("http://127.0.0.1:5000", False)])
def test_session_cookies_are_secure_exactly_when_the_site_is_https(base_url, secure):
    app = create_app({"TESTING": True, "SECRET_KEY": "t", "BASE_URL": base_url})
    assert app.config["SESSION_COOKIE_SECURE"] is secure and app.config["REMEMBER_COOKIE_SECURE"] is secure


def test_the_command_line_reports_a_bad_setting_without_a_traceback(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAYANI_")}
    env.update(LAYANI_DESK_HEAD_NIP="12345", LAYANI_SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'x.sqlite'}")
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "layani_flow", "layani", "sweep"], env=env,
                          capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert done.returncode == 1
    assert "LAYANI_DESK_HEAD_NIP: harus NIP 18 angka" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_readme_lists_every_setting_as_declared():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- settings:start", 1)[1].split("-->", 1)[1].split("<!-- settings:end -->", 1)[0]
    assert block.strip() == config.markdown_table().strip(), \
        "README's settings table is out of date: paste layani_flow.config.markdown_table() between the markers"


def test_the_config_command_shows_every_setting_with_secrets_hidden(runner, app):
    app.config["SECRET_KEY"] = "very-secret"
    app.config["MAIL_PASSWORD"] = "smtp-secret"
    app.config["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg://layani:pg-secret@db:5432/layani"
    result = runner.invoke(args=["layani", "config"])
    assert result.exit_code == 0
    for key in SETTINGS:
        assert f"{key} = " in result.output
    assert "secret" not in result.output.replace("SECRET_KEY", "")
    assert "postgresql+psycopg://layani:***@db:5432/layani" in result.output
