"""The state-change runner: the one way any workflow object changes state.

It locks the row, refuses a stale or wrong-state request, checks the user's permission, the
transition's refusals and its conditions, runs the ``@transition`` method with the step's
arguments, saves the fields it changed, writes the TransitionLog row and hands side effects to
``on_commit``, all in one transaction.

What a transition declares, besides django-fsm's source, target, permission and conditions, in its
``custom``: ``label``; ``doing``, the step in the words a refusal ends with ("You need the chair's
role on X to sign off the findings"), where the label with a lower-case first letter reads badly
there; ``needs_reason`` (the step is refused without one, and the method is given the reason,
stripped, as its first argument: it is what the step records); ``refusals``, rules asked before the
conditions with the user taking the step, ``(instance, user) -> str | None``, each returning why the
step is refused outright (e.g. the one who completed an action may not verify it), or None.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any, TypeVar

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django_fsm import FSMFieldMixin, FSMMeta, Transition, TransitionNotAllowed

from workflows.chain import chain_append
from workflows.conditions import Permission, facts_held, read_facts, step_asks, unmet_reasons
from workflows.models import TransitionLog
from workflows.signals import transitioned
from workflows.types import AnyUser, User

M = TypeVar("M", bound=models.Model)


class TransitionRefused(Exception):
    """The step cannot be taken now; ``reasons`` say why in words a coordinator understands."""

    def __init__(self, message: str, reasons: Iterable[str] = ()) -> None:
        self.reasons = list(reasons)
        super().__init__(message)

    @property
    def message(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True)
class TransitionOption:
    name: str
    label: str
    target: str
    permitted: bool
    reasons: list[str] = field(default_factory=list)
    needs_reason: bool = False
    custom: dict[str, Any] = field(default_factory=dict)

    @property
    def allowed(self) -> bool:
        return self.permitted and not self.reasons


def _fsm_field(model: type[models.Model], field_name: str) -> FSMFieldMixin:
    found = model._meta.get_field(field_name)
    assert isinstance(found, FSMFieldMixin)
    # mypy reads django-fsm's field classes as Any (the django-stubs plugin), so the isinstance
    # above does not narrow: the annotation does.
    fsm_field: FSMFieldMixin = found
    return fsm_field


def _transition_from(instance: models.Model, name: str, field_name: str) -> Transition | None:
    method = getattr(type(instance), name, None)
    meta = getattr(method, "_django_fsm", None)
    if not isinstance(meta, FSMMeta):
        raise ValueError(f"{type(instance).__name__}.{name} is not a transition")
    return meta.get_transition(getattr(instance, field_name))


@cache
def transition_settings(model: type[models.Model], field_name: str = "state") -> dict[str, dict[str, Any]]:
    """Every transition of ``model`` by name, with its ``custom`` settings (label, needs_reason...)."""
    return {t.name: t.custom for t in _fsm_field(model, field_name).get_all_transitions(model)}


def transition_options(instance: models.Model, user: AnyUser, *, field_name: str = "state") -> list[TransitionOption]:
    """Every step leading out of the current state, whether this user may take it, and if not, why."""
    options = []
    state = getattr(instance, field_name)
    for meta_transition in _fsm_field(type(instance), field_name).get_all_transitions(type(instance)):
        if meta_transition.source not in (state, "*") and not (
            meta_transition.source == "+" and meta_transition.target != state
        ):
            continue
        custom = meta_transition.custom
        options.append(
            TransitionOption(
                name=meta_transition.name,
                label=custom.get("label", meta_transition.name.replace("_", " ").capitalize()),
                target=str(meta_transition.target),
                permitted=meta_transition.has_perm(instance, user),
                reasons=unmet_reasons(instance, meta_transition.conditions),
                needs_reason=custom.get("needs_reason", False),
                custom=custom,
            )
        )
    return options


def run_transition(
    *,
    queryset: models.QuerySet[M],
    pk: int,
    name: str,
    actor: User,
    reason: str = "",
    expected_state: str | None = None,
    field_name: str = "state",
    arguments: Mapping[str, object] | None = None,
    after: Callable[[M, TransitionLog], None] | None = None,
) -> M:
    """Take transition ``name`` on the row ``pk`` of ``queryset`` as ``actor``.

    ``expected_state`` is the state the user was looking at: if someone else moved the object in
    the meantime, the request is refused rather than applied to a state the user never saw.
    ``arguments`` are passed to the transition method by name (``by``, ``evidence``); a step that
    needs a reason is given it first. The method sets the fields the step changes, and only those
    (with ``state``) are saved: a transition assigns its fields, it never changes a value in place.
    ``after(instance, log)`` runs in the same transaction once the log is written: the service's
    own writes (audit rows, clocks, deadlines).
    """
    with transaction.atomic():
        # Row lock: a second coordinator advancing the same review waits here, then sees the
        # new state and is refused below with a clear message. `of=("self",)`: lock only this
        # row, not rows the caller's select_related joins in (a review's partnership), which would
        # make every step on every review of a partnership wait for every other one.
        instance = queryset.select_for_update(of=("self",)).get(pk=pk)
        current = getattr(instance, field_name)
        if expected_state is not None and current != expected_state:
            raise TransitionRefused(
                f"{instance} has already moved to {_state_label(instance, field_name)} since you "
                f"loaded the page; nothing was changed. Reload to see its current stage."
            )
        meta_transition = _transition_from(instance, name, field_name)
        if meta_transition is None:
            raise TransitionRefused(
                f"{instance} is at {_state_label(instance, field_name)}: this step is not possible from there."
            )
        custom = meta_transition.custom
        # The permission's and the conditions' facts, read in one query after the lock is held, in
        # a statement of its own: under READ COMMITTED each statement sees what was committed
        # before it began, so a role revoked (or a chair removed) by a transaction this one waited
        # behind is seen. Folded into the locking SELECT, these answers would come from before the wait.
        with facts_held(instance, read_facts(instance, step_asks(instance, meta_transition, actor))):
            if not meta_transition.has_perm(instance, actor):
                raise PermissionDenied(_refusal(instance, meta_transition))
            needs_reason = custom.get("needs_reason", False)
            if needs_reason and not reason.strip():
                raise TransitionRefused("A reason is required for this step.", ["Give a reason."])
            for refusal in custom.get("refusals", ()):
                refused = refusal(instance, actor)
                if refused:
                    raise TransitionRefused(refused)
            before = _field_values(instance)
            try:
                # django-fsm checks the conditions itself before it changes anything; asking them
                # here as well would run every condition's query twice on every step. The reasons
                # are worked out only when the step is refused.
                getattr(instance, name)(*((reason.strip(),) if needs_reason else ()), **(arguments or {}))
            except TransitionNotAllowed:
                raise TransitionRefused(
                    f"{instance} cannot move on yet.", unmet_reasons(instance, meta_transition.conditions)
                ) from None
        changed = [f for f, value in _field_values(instance).items() if value != before[f] and f != field_name]
        instance.save(update_fields=[field_name, *changed])
        (log,) = chain_append(
            [
                TransitionLog(
                    content_type=ContentType.objects.get_for_model(instance),
                    object_id=instance.pk,
                    object_label=str(instance)[:200],
                    transition=name,
                    from_state=current,
                    to_state=getattr(instance, field_name),
                    actor=actor,
                    reason=reason.strip(),
                )
            ]
        )
        if after is not None:
            after(instance, log)
        transaction.on_commit(lambda: transitioned.send(sender=type(instance), instance=instance, log=log))
    return instance


def permission_refusal(instance: models.Model, name: str, user: AnyUser, *, field_name: str = "state") -> str | None:
    """Why the step ``name``'s permission refuses ``user``, whatever state the object is in, in the
    runner's words; None when it lets them (a page that offers the step, e.g. its confirmation
    page, refuses as the step itself would)."""
    model = type(instance)
    meta_transition = next(
        (t for t in _fsm_field(model, field_name).get_all_transitions(model) if t.name == name), None
    )
    if meta_transition is None or meta_transition.has_perm(instance, user):
        return None
    return _refusal(instance, meta_transition)


def _refusal(instance: models.Model, meta_transition: Transition) -> str:
    """Why the step's permission refuses the user: in its own words, naming the role it needs,
    when it can give them (a ``Permission`` with a refusal); else that a role is needed."""
    permission = meta_transition.permission
    if isinstance(permission, Permission):
        custom = meta_transition.custom
        doing = custom.get("doing") or _lower_first(custom.get("label", meta_transition.name.replace("_", " ")))
        refused = permission.refusal(instance, doing)
        if refused:
            return refused
    return f"You do not have the role needed to do this on {instance}."


def _lower_first(label: str) -> str:
    # "Convert into a local CSPR" -> "convert into a local CSPR": the words continue a sentence.
    return label[:1].lower() + label[1:]


def _field_values(instance: models.Model) -> dict[str, object]:
    """The instance's loaded field values by field name, to tell which ones a transition set."""
    deferred = instance.get_deferred_fields()
    return {
        model_field.name: getattr(instance, model_field.attname)
        for model_field in instance._meta.concrete_fields
        if not model_field.primary_key and model_field.attname not in deferred
    }


def _state_label(instance: models.Model, field_name: str) -> str:
    display = getattr(instance, f"get_{field_name}_display", None)
    return display() if display else str(getattr(instance, field_name))
