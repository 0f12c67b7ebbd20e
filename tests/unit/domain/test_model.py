"""Domain values that must not leak what they hold."""

from domain.model import Application


def test_an_application_shown_in_a_log_line_hides_its_password_and_secret() -> None:
    shown = repr(Application(id="app", params={"wsPassword": "pw-secret"}, api_secret="api-secret"))
    assert "app" in shown
    assert "pw-secret" not in shown
    assert "api-secret" not in shown
