"""The refusal every team rule raises: TeamError, with the form field it belongs to.

The team's services raise it before anything is written; the routes put its
message beside that field, or flash it when it belongs to no field.
"""


class TeamError(ValueError):
    """A rule refused the change; `field` names the form field it belongs to."""

    def __init__(self, message, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
