"""The accounts API's request bodies and the JSON it answers with."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    from accord.server.accounts.models import User


class LogIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(max_length=320)
    password: str = Field(max_length=1000)
    #: The code the authenticator app shows, or a recovery code: needed when the account
    #: has a second factor (else ``auth.second_factor_required``).
    code: str | None = Field(default=None, max_length=64)


class Accept(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Above passwords.MAX_LENGTH, so that the service's rule, in words, answers.
    password: str = Field(max_length=4096)
    display_name: str = Field(default="", max_length=200)


def user_json(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "email": user.email,
        "display_name": user.display_name,
        "role": user.role,
        "organization_id": user.organization_id,
    }
