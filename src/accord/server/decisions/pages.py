"""The admin's review policy page: the deadlines, the time to appeal and the strikes
that decisions follow, as the settings give them, with the variable that sets each."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.responses import Response

from accord.server.auth.roles import Role
from accord.server.deps import SessionDep, SettingsDep
from accord.server.portal.routing import PageRoute, portal
from accord.server.portal.viewer import viewer
from accord.server.settings import Settings

router = APIRouter(prefix="/admin", route_class=PageRoute, include_in_schema=False)

_ACTION_WORDS = {
    "remove": "remove",
    "disable": "disable access",
    "label_ai_generated": "label “AI-generated”",
    "label_altered": "label “altered”",
    "demote": "demote",
}


@router.get("/policy", response_class=HTMLResponse)
def policy(request: Request, settings: SettingsDep, session: SessionDep) -> Response:
    found = viewer(request, session, Role.ADMIN)
    return portal().render(request, "admin_policy.html", viewer=found, policy=_policy(settings))


def _policy(settings: Settings) -> list[tuple[str, str, str]]:
    """(what, its value, the environment variable that sets it) for each review setting."""

    def hours(value: float) -> str:
        return f"{value:g} hours"

    def days(value: int) -> str:
        return f"{value} days"

    def strikes(value: int) -> str:
        return f"{value} strike{'s' if value != 1 else ''}"

    weights = ", ".join(
        f"{_ACTION_WORDS.get(action, action.replace('_', ' '))} {weight}"
        for action, weight in settings.strike_weights.items()
    )
    shown = [
        ("Review deadline, urgent cases", hours(settings.sla_hours_urgent), "sla_hours_urgent"),
        ("Review deadline, priority cases", hours(settings.sla_hours_priority),
         "sla_hours_priority"),
        ("Review deadline, other cases", hours(settings.sla_hours_standard),
         "sla_hours_standard"),
        ("Time to appeal a decision", days(settings.appeal_window_days), "appeal_window_days"),
        ("Deadline to decide an appeal", hours(settings.appeal_sla_hours), "appeal_sla_hours"),
        ("Strikes per action", weights or "none", "strike_weights"),
        ("Strikes per manifestly unfounded report",
         str(settings.strike_unfounded_notice_weight), "strike_unfounded_notice_weight"),
        ("A strike counts for", days(settings.strike_expiry_days), "strike_expiry_days"),
        ("Warning at", strikes(settings.strike_warning_at), "strike_warning_at"),
        ("Suspension at", strikes(settings.strike_suspension_at), "strike_suspension_at"),
        ("Termination at", strikes(settings.strike_termination_at), "strike_termination_at"),
        ("A suspension lasts", days(settings.suspension_days), "suspension_days"),
    ]  # fmt: skip
    return [(what, value, f"ACCORD_{field.upper()}") for what, value, field in shown]
