"""What a refused step answers over the API, for every object with steps (a review, an action):
409 ``stale-state`` when the object has moved on from the state the client expected, else 409
``blocked``; both with the object's state now and why the step is blocked there, in the words the
page shows (workflows.runner.transition_options)."""

from __future__ import annotations

from api.problems import BLOCKED, STALE, Problem
from reviews.models import Action, Review
from workflows.runner import TransitionRefused, transition_options
from workflows.types import User


def step_refused(
    refusal: TransitionRefused, now: Review | Action, user: User, *, step: str, expected_state: str, moved_on: str
) -> Problem:
    """``now``: the object read again after the refusal; ``moved_on``: the stale problem's title."""
    state = str(now.state)
    reasons = refusal.reasons or next((o.reasons for o in transition_options(now, user) if o.name == step), [])
    if state != expected_state:
        return Problem(409, refusal.message, type=STALE, title=moved_on, state=state, reasons=reasons)
    return Problem(409, refusal.message, type=BLOCKED, title="Step blocked", state=state, reasons=reasons)
