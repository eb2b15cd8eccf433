"""The workflow engine: a case type's lifecycle declared as data, run by one shared `transitions` Machine.

A declaration holds states, steps (transitions with their Indonesian label, who may fire them, the
guards that must hold and the input they need). Everything that `transitions` does not know about
(labels, roles, inputs) lives beside the machine config, and `validate()` checks every key of it.
Nothing here touches the database, Flask or forms: the service layer hands in the actor's relations.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from transitions import Machine, MachineError
from transitions.extensions import GraphMachine

from ..roles import Role
from .clocks import CLOCK_NAMES

# Who can be allowed to fire a step: roles anyone may hold, and relations to one case.
ROLES = frozenset(Role)
RELATIONS = frozenset({"requester", "owner", "requester_superior", "mediator", "other_party"})
INPUTS = frozenset({"comment", "form"})


def _is_duration(text: str) -> bool:
    return len(text) >= 2 and text[-1] in "mhd" and text[:-1].isdigit()


@dataclass(frozen=True)
class Guard:
    """A condition a step needs; `message` says, in Indonesian, why it refused."""

    name: str
    message: str
    test: Callable[[Any, Mapping[str, Any]], bool]

    @property
    def __name__(self) -> str:  # GraphMachine labels conditions by __name__
        return self.name

    def __call__(self, event) -> bool:  # how `transitions` calls a condition (send_event=True)
        return bool(self.test(event.model, event.kwargs))

    def holds(self, case, ctx: Mapping[str, Any]) -> bool:
        return bool(self.test(case, ctx))


@dataclass(frozen=True)
class Step:
    """One transition: `trigger` moves a case from `source` to `dest`."""

    trigger: str
    source: str | tuple[str, ...]
    dest: str
    label: str
    who: frozenset[str]
    guards: tuple[Guard, ...] = ()
    needs: frozenset[str] = frozenset()
    tone: str = "primary"  # how the button looks: primary, secondary, danger

    @property
    def sources(self) -> tuple[str, ...]:
        return (self.source,) if isinstance(self.source, str) else tuple(self.source)


def step(trigger, source, dest, label, *, who, guards=(), needs=(), tone="primary") -> Step:
    return Step(trigger, source, dest, label, frozenset(who), tuple(guards), frozenset(needs), tone)


@dataclass(frozen=True)
class Refusal:
    trigger: str
    reasons: tuple[str, ...]


@dataclass
class Workflow:
    case_type: str
    title: str
    initial: str
    states: dict[str, str]  # state → Indonesian label, in lifecycle order
    steps: list[Step]
    final: frozenset[str]
    # Other states a case may start in, chosen by open_case (e.g. a leave request starts with the superior).
    entry_states: frozenset[str] = frozenset()
    # Service levels: default targets per clock ("2d" = close of the 2nd working day, "8h", "90m").
    sla: dict[str, str] = field(default_factory=dict)
    # Clocks pause here: the case waits on the requester or their superior, not on the desk.
    paused_in: frozenset[str] = frozenset()
    # Time here runs on the external clock (BKPSDMD, BKN) and the resolution clock pauses.
    external_in: frozenset[str] = frozenset()
    # The desk has answered: the resolution clock stops, and restarts if the case leaves again (reopen).
    answered_in: frozenset[str] = frozenset()
    machine: Machine = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.final = frozenset(self.final)
        self.entry_states = frozenset(self.entry_states) | {self.initial}
        self.paused_in, self.external_in = frozenset(self.paused_in), frozenset(self.external_in)
        self.answered_in = frozenset(self.answered_in)
        self.validate()
        self.by_trigger = {s.trigger: s for s in self.steps}
        self.machine = Machine(
            model=None,
            states=self._machine_states(),
            transitions=self._machine_transitions(),
            initial=self.initial,
            auto_transitions=False,
            send_event=True,
            queued=False,
            name=self.case_type,
        )

    # -- declaration checks -------------------------------------------------------------------
    def validate(self) -> None:
        problems: list[str] = []
        triggers = [s.trigger for s in self.steps]
        for dup in {t for t in triggers if triggers.count(t) > 1}:
            problems.append(f"trigger {dup!r} declared twice")
        for name in (self.initial, *self.entry_states, *self.final, *self.paused_in, *self.external_in,
                     *self.answered_in):
            if name not in self.states:
                problems.append(f"unknown state {name!r}")
        for clock_name, target in self.sla.items():
            if clock_name not in CLOCK_NAMES:
                problems.append(f"unknown SLA clock {clock_name!r}")
            if not _is_duration(target):
                problems.append(f"SLA target {target!r} of {clock_name} is not like 90m, 8h or 2d")
        for s in self.steps:
            for name in (*s.sources, s.dest):
                if name not in self.states:
                    problems.append(f"{s.trigger}: unknown state {name!r}")
            if not s.who or not s.who <= ROLES | RELATIONS:
                problems.append(f"{s.trigger}: who must name roles/relations, got {sorted(s.who)}")
            if not s.needs <= INPUTS:
                problems.append(f"{s.trigger}: unknown inputs {sorted(s.needs - INPUTS)}")
            if set(s.sources) & self.final:
                problems.append(f"{s.trigger}: leaves a final state")
        reachable = self.reachable_states()
        for name in self.states:
            if name not in reachable:
                problems.append(f"state {name!r} is unreachable")
            if name not in self.final and not any(name in s.sources for s in self.steps):
                problems.append(f"non-final state {name!r} has no way out")
        if problems:
            raise ValueError(f"workflow {self.case_type}: " + "; ".join(sorted(problems)))

    def reachable_states(self) -> set[str]:
        seen, frontier = set(self.entry_states), list(self.entry_states)
        while frontier:
            here = frontier.pop()
            for s in self.steps:
                if here in s.sources and s.dest not in seen:
                    seen.add(s.dest)
                    frontier.append(s.dest)
        return seen

    def _machine_states(self) -> list[Any]:
        return [{"name": n, "final": True} if n in self.final else n for n in self.states]

    def _machine_transitions(self) -> list[dict[str, Any]]:
        return [
            {"trigger": s.trigger, "source": list(s.sources), "dest": s.dest, "conditions": list(s.guards)}
            for s in self.steps
        ]

    # -- running ------------------------------------------------------------------------------
    def is_final(self, state: str) -> bool:
        return state in self.final

    def triggers_from(self, state: str) -> list[str]:
        """Triggers leaving `state`, in declaration order."""
        return [s.trigger for s in self.steps if state in s.sources]

    def may_fire(self, trigger: str, actor_tags: Iterable[str]) -> bool:
        step_ = self.by_trigger.get(trigger)
        return step_ is not None and bool(step_.who & set(actor_tags))

    def refusal(self, case, trigger: str, ctx: Mapping[str, Any]) -> Refusal | None:
        """Why `trigger` would not fire now, or None if every guard holds."""
        reasons = tuple(g.message for g in self.by_trigger[trigger].guards if not g.holds(case, ctx))
        return Refusal(trigger, reasons) if reasons else None

    def fire(self, case, trigger: str, **ctx: Any) -> bool:
        """Fire on the shared machine; reads and writes `case.state`. False when a guard refuses."""
        try:
            return self.machine.events[trigger].trigger(case, **ctx)
        except (KeyError, MachineError) as exc:
            raise TransitionImpossible(trigger, case.state) from exc

    def available(self, case, actor_tags: Iterable[str]) -> list[Step]:
        """Steps leaving the case's state that these roles/relations may fire (guards not checked)."""
        tags = set(actor_tags)
        return [self.by_trigger[t] for t in self.triggers_from(case.state) if self.by_trigger[t].who & tags]

    # -- pictures -----------------------------------------------------------------------------
    def diagram(self) -> str:
        """Mermaid state diagram drawn by transitions' GraphMachine from this same declaration."""
        graph = GraphMachine(
            states=self._machine_states(),
            transitions=self._machine_transitions(),
            initial=self.initial,
            auto_transitions=False,
            show_conditions=True,
            graph_engine="mermaid",
            title=self.title,
        )
        text = graph.get_graph().draw(None)
        # Show the Indonesian state names the desk uses; the ids stay as they are in the code.
        for name, label in self.states.items():
            text = text.replace(f'state "{name}" as {name}', f'state "{label}" as {name}')
        return text


class TransitionImpossible(Exception):
    def __init__(self, trigger: str, state: str):
        super().__init__(f"{trigger!r} is not possible from {state!r}")
        self.trigger, self.state = trigger, state
