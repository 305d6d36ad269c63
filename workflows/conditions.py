"""Conditions on transitions that can say why they are unmet, and the facts they rest on.

django-fsm calls a condition with the instance and wants a bool. A ``Condition`` is also that,
but keeps the function that explains itself, so the UI and the API can both show
"3 of 5 agencies have not submitted: Police, GP, Education" instead of a bare refusal.

A condition that asks the database rests on a ``Fact``: a yes/no about the object's row, written
once as a boolean ORM expression (an ``Exists`` over another table, with the row as
``OuterRef("pk")``). That one definition answers both the condition asked on its own (the review
page's list of steps) and the step itself, where the runner reads the facts of the step's permission
and conditions together in one query under the row lock (``step_asks``, ``read_facts``).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from itertools import count
from typing import TYPE_CHECKING, Any, Generic, NamedTuple, TypeVar, overload

from django.db import connections, models, router
from django.db.models import BooleanField, Expression, ExpressionWrapper, Q
from django.db.models.expressions import Combinable

from workflows.types import AnyUser

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models.sql.compiler import SQLCompiler
    from django_fsm import Transition, UserWithPermissions

M = TypeVar("M", bound=models.Model)

# What a fact states: a boolean ORM expression, e.g. an ``Exists``, or several joined with ``&``
# and ``~`` (which make a ``Q``).
Statement = Combinable | Q

Explain = Callable[[Any], "str | None"]
ExplainHeld = Callable[[Any, bool], "str | None"]


# --- facts ----------------------------------------------------------------------------------------


class Fact:
    """A yes/no about one row, written once as a boolean ORM expression.

    ``expression(*params)`` builds it: it names the row as ``OuterRef("pk")`` and takes what varies
    from one reading to the next (a user's id, a permission's codename) as ``params``. Built lazily,
    since the conditions are imported while the models are still loading.
    """

    def __init__(self, name: str, expression: Callable[..., Statement]) -> None:
        self.name = name
        self.expression = expression

    def ask(self, *params: Hashable) -> Ask:
        return Ask(self, params)

    def __repr__(self) -> str:
        return f"<Fact {self.name}>"


class Ask(NamedTuple):
    """One fact with its parameters: the key under which a step holds its answer."""

    fact: Fact
    params: tuple[Hashable, ...]


class _Slot(Expression):
    """A value that changes from one reading to the next, compiled as a bare placeholder whose
    parameter is this slot, so the compiled SQL can be kept and the values filled in each time."""

    def __init__(self, index: int) -> None:
        super().__init__(output_field=models.Field())
        self.index = index

    def as_sql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> tuple[str, list[Any]]:
        return "%s", [self]


# (model, database, facts and how many parameters each) -> the SELECT and its parameters, in
# which a slot's index stands for a value given at reading time (0: the row's primary key).
# Building and compiling the queryset costs more than the database takes to answer it,
# and a step asks the same few shapes again and again.
_COMPILED: dict[tuple[type[models.Model], str, tuple[tuple[Fact, int], ...]], tuple[str, list[Any]]] = {}


def _compiled(model: type[models.Model], using: str, shape: tuple[tuple[Fact, int], ...]) -> tuple[str, list[Any]]:
    key = (model, using, shape)
    if key not in _COMPILED:
        slots = count()
        row = _Slot(next(slots))
        columns = {
            f"fact_{i}": ExpressionWrapper(
                fact.expression(*(_Slot(next(slots)) for _ in range(arity))), output_field=BooleanField()
            )
            for i, (fact, arity) in enumerate(shape)
        }
        query = model._base_manager.using(using).filter(pk=row).order_by().values(**columns).query
        sql, params = query.get_compiler(using=using).as_sql()
        _COMPILED[key] = (sql, list(params))
    return _COMPILED[key]


def read_facts(instance: models.Model, asks: Iterable[Ask]) -> dict[Ask, bool]:
    """Whether each fact holds for ``instance``'s row, all read in one query (none for no facts).

    On the connection that loaded the instance: under a step's row lock, in a statement of its own,
    so it sees what was committed while the step waited for the lock.
    """
    asks = list(dict.fromkeys(asks))
    if not asks:
        return {}
    model = type(instance)
    using = instance._state.db or router.db_for_read(model)
    sql, template = _compiled(model, using, tuple((ask.fact, len(ask.params)) for ask in asks))
    values = [instance.pk, *(param for ask in asks for param in ask.params)]
    params = [values[param.index] if isinstance(param, _Slot) else param for param in template]
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    # No row: the object is not (or no longer) in the database, so nothing about it holds.
    return {ask: bool(row and row[i]) for i, ask in enumerate(asks)}


# --- facts read once per step -------------------------------------------------------------------
# The runner reads a step's facts (its permission's and its conditions') in one query under the
# row lock and holds them on the instance while it checks the step; every check asks ``holds``,
# which takes the held answer or else reads the fact alone. Never held afterwards, so nothing else
# (a page built from the returned object, a later step) can read a stale answer.

_FACTS = "_workflow_step_facts"


def holds(instance: models.Model, ask: Ask) -> bool:
    """Whether the fact holds: as this step read it under the lock, or read now on its own."""
    held = held_fact(instance, ask)
    return read_facts(instance, [ask])[ask] if held is None else held


def held_fact(instance: models.Model, ask: Ask) -> bool | None:
    """The answer this step read under the lock; None when it holds none (a check would query)."""
    held: Mapping[Ask, bool] = vars(instance).get(_FACTS, {})
    return held.get(ask)


@contextmanager
def facts_held(instance: models.Model, facts: Mapping[Ask, bool]) -> Iterator[None]:
    """Hold ``facts`` on ``instance`` for the checks inside the block, and drop them after it."""
    vars(instance)[_FACTS] = facts
    try:
        yield
    finally:
        vars(instance).pop(_FACTS, None)


# --- conditions and permissions -----------------------------------------------------------------


class Condition:
    """A named predicate for django-fsm that can say why it is unmet.

    ``explain(instance)`` returns None when met, or a plain-English reason. One that rests on a
    fact is given the fact's answer as a second argument.
    """

    def __init__(self, explain: Explain | ExplainHeld, fact: Fact | None = None) -> None:
        self._explain = explain
        self.fact = fact
        self.__name__ = explain.__name__
        self.__doc__ = explain.__doc__

    def explain(self, instance: Any) -> str | None:
        if self.fact is None:
            return self._explain(instance)  # type: ignore[call-arg]
        return self._explain(instance, holds(instance, self.fact.ask()))  # type: ignore[call-arg]

    def __call__(self, instance: Any) -> bool:
        return self.explain(instance) is None

    def __repr__(self) -> str:
        return f"<Condition {self.__name__}>"


@overload
def condition(explain: Explain, /) -> Condition: ...
@overload
def condition(*, rests_on: Callable[[], Statement]) -> Callable[[ExplainHeld], Condition]: ...
def condition(
    explain: Explain | None = None, /, *, rests_on: Callable[[], Statement] | None = None
) -> Condition | Callable[[ExplainHeld], Condition]:
    """Decorate a function that returns ``None`` when met, or a plain-English reason when not.

    ``@condition(rests_on=...)``: the function is given, after the instance, whether the fact the
    expression states holds for the instance's row (read with the step's other facts, or alone).
    """
    if explain is not None:
        return Condition(explain)
    assert rests_on is not None, "@condition(rests_on=...) needs the expression its fact is"
    expression = rests_on

    def decorate(explain_held: ExplainHeld) -> Condition:
        return Condition(explain_held, Fact(explain_held.__name__, expression))

    return decorate


class Permission(Generic[M]):
    """A transition's permission, ``(instance, user) -> bool`` as django-fsm calls it, that may also
    name the fact it rests on and say, in words, whose role the step needs.

    ``ask(instance, user)``: the fact the check reads (None when it answers without a query), so a
    step reads it with its conditions' facts in one query. ``refusal(instance, doing)``: why a user
    it refuses may not do ``doing`` (the step's words, e.g. "sign off the findings"); without one,
    the runner says only that a role is needed.
    """

    def __init__(
        self,
        check: Callable[[M, AnyUser], bool],
        *,
        name: str,
        ask: Callable[[M, AnyUser], Ask | None] | None = None,
        refusal: Callable[[M, str], str] | None = None,
    ) -> None:
        self.check = check
        self._ask = ask
        self._refusal = refusal
        self.__name__ = name

    def __call__(self, instance: Any, user: UserWithPermissions) -> bool:
        # django-fsm types the instance as any model and the user as any user model; it calls a
        # permission with the instance of the model that declares it, and this project's users
        # are django.contrib.auth's (workflows.types).
        return isinstance(user, AnyUser) and self.check(instance, user)

    def ask(self, instance: M, user: AnyUser) -> Ask | None:
        return None if self._ask is None else self._ask(instance, user)

    def refusal(self, instance: M, doing: str) -> str | None:
        return None if self._refusal is None else self._refusal(instance, doing)

    def __repr__(self) -> str:
        return f"<Permission {self.__name__}>"


def step_asks(instance: models.Model, transition: Transition, user: AnyUser) -> list[Ask]:
    """The facts a step's permission and conditions rest on, for ``read_facts`` under the lock."""
    asks = []
    if isinstance(transition.permission, Permission):
        ask = transition.permission.ask(instance, user)
        if ask is not None:
            asks.append(ask)
    asks += [check.fact.ask() for check in transition.conditions if isinstance(check, Condition) and check.fact]
    return asks


def unmet_reasons(instance: Any, conditions: list[Callable[[Any], bool]]) -> list[str]:
    reasons: list[str] = []
    for check in conditions:
        if isinstance(check, Condition):
            reason = check.explain(instance)
            if reason:
                reasons.append(reason)
        elif not check(instance):
            reasons.append(f"Condition {getattr(check, '__name__', check)!s} is not met.")
    return reasons
