"""The workflow engine: a case type declared as data, run by one shared `transitions` Machine.

A declaration holds what the type *is* (states, steps, SLA side tables) and what it *does*: each step's
effect on the case, whom it notifies, the inputs it turns into people or checked choices; and the type's
traits (confidential, between two parties, handled by the desk, who it starts with, its reference prefix,
whether it may be filed anonymously). The services read these and stay generic: nothing outside
`workflows/` asks which case type or trigger it is dealing with.

Everything that `transitions` does not know about lives beside the machine config, and `validate()` checks
every key of it. Nothing here touches the database, Flask or forms: the service layer hands in the actor's
relations, the instant and the step's inputs (a StepContext), and writes what the effects changed.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from typing import Any, Protocol, TypedDict, cast

from transitions import EventData, Machine, MachineError
from transitions.extensions import GraphMachine

from ..roles import Role
from .clocks import CLOCK_NAMES

# Who can be allowed to fire a step: roles anyone may hold, and relations to one case.
ROLES: frozenset[str] = frozenset(Role)
RELATIONS = frozenset({"requester", "owner", "requester_superior", "mediator", "other_party"})
# "confirm": the page asks "are you sure?" on a page of its own before firing it (an act that cannot be undone
# and that one stray tap would otherwise do, like withdrawing a request).
INPUTS = frozenset({"comment", "form", "confirm"})
# Whom a step can notify by email: people in a relation to the case (an anonymous filer has no address).
RECIPIENTS = frozenset({"requester", "owner", "mediator", "other_party"})
# The requester hears of every step unless it says otherwise; "{state}" becomes the new state's label.
STATUS_UPDATE = "Status kasus Anda: {state}"
TONES = frozenset({"primary", "secondary", "danger"})


def _is_duration(text: str) -> bool:
    return len(text) >= 2 and text[-1] in "mhd" and text[:-1].isdigit()


# -- what guards and effects see ----------------------------------------------------------------------------

class DocumentRecord(Protocol):
    @property
    def requirement(self) -> str: ...

    @property
    def review_status(self) -> str: ...


class CaseRecord(Protocol):
    """The parts of a case that guards read and effects change (models.Case, or any plain object in tests)."""

    state: str
    owner_id: int | None
    answered_at: dt.datetime | None
    external_body: str | None
    is_other_party_involved: bool

    @property
    def service(self) -> str | None: ...

    @property
    def fields(self) -> Mapping[str, Any]: ...

    @property
    def documents(self) -> Sequence[DocumentRecord]: ...

    @property
    def party_ids(self) -> set[int]: ...


class Settings(TypedDict, total=False):
    complaint_reopen_days: int
    consultation_cutoff_minutes: int


class StepContext(TypedDict, total=False):
    """What a guard or an effect knows when a step is judged or fired. `transitions` hands it to guards as
    the event's keyword arguments, so it is a dict; the service fills every key."""

    actor_id: int | None
    actor_name: str
    tags: frozenset[str]  # the actor's role and relations to this case (services.access.tags_for)
    now: dt.datetime  # the instant the step is judged at: effects use it, never the wall clock
    fields: Mapping[str, Any]  # the step's validated inputs, with the people and choices they resolved to
    settings: Settings


# What an effect tells the timeline (the event's `data`: the page shows owner, mediator, external_body).
EffectData = dict[str, Any]
Effect = Callable[[CaseRecord, StepContext], EffectData]


@dataclass(frozen=True)
class Guard:
    """A condition a step needs; `message` says, in Indonesian, why it refused."""

    name: str
    message: str
    test: Callable[[CaseRecord, StepContext], bool]

    @property
    def __name__(self) -> str:  # GraphMachine labels conditions by __name__
        return self.name

    def __call__(self, event: EventData) -> bool:  # how `transitions` calls a condition (send_event=True)
        # The model is the case fire() was given, and the keyword arguments are its StepContext.
        return bool(self.test(cast(CaseRecord, event.model), cast(StepContext, event.kwargs)))

    def holds(self, case: CaseRecord, ctx: StepContext) -> bool:
        return bool(self.test(case, ctx))


# -- inputs a step turns into something the service must check -----------------------------------------------

@dataclass(frozen=True)
class PersonInput:
    """A NIP on the step's form naming someone the service must find: an active person holding one of
    `roles`. Guards and effects then read fields[f"{becomes}_id"] and fields[f"{becomes}_name"]."""

    field: str
    becomes: str
    roles: frozenset[str]
    invalid: str  # the form's message when the person may not take the part
    hint: str  # the field's message


@dataclass(frozen=True)
class ChoiceInput:
    """A field whose value must be one of `choices` (the form checks it too; the service trusts no one)."""

    field: str
    choices: frozenset[str]
    invalid: str
    hint: str
    optional: bool = False  # left empty, it chooses nothing (and what it drives does not happen)


@dataclass(frozen=True)
class FileInput:
    """A file the step's form carries, kept as a case document of kind `requirement` (e.g. the issued SK
    on "complete"). The page draws it with the step's other inputs; the service stores it with the step."""

    field: str
    requirement: str
    label: str
    hint: str
    required: bool = False


StepInput = PersonInput | ChoiceInput | FileInput


def person(field: str, *, becomes: str, roles: Iterable[str], invalid: str, hint: str) -> PersonInput:
    return PersonInput(field, becomes, frozenset(roles), invalid, hint)


def choice(field: str, choices: Iterable[str], *, invalid: str, hint: str, optional: bool = False) -> ChoiceInput:
    return ChoiceInput(field, frozenset(choices), invalid, hint, optional)


def file_input(field: str, *, requirement: str, label: str, hint: str, required: bool = False) -> FileInput:
    return FileInput(field, requirement, label, hint, required)


# What a conversation (a chat, a consultation) may become: types filed with no more than a subject (and a
# catalogue service). A consultation needs a slot and a mediation the other party's NIP, which neither has.
FILED_FROM_A_CONVERSATION = {"service_request": "Permohonan layanan", "complaint": "Pengaduan, masukan dan kritik"}


# -- steps ------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Step:
    """One transition: `trigger` moves a case from `source` to `dest`, and what comes with it."""

    trigger: str
    source: str | tuple[str, ...]
    dest: str
    label: str
    who: frozenset[str]
    guards: tuple[Guard, ...] = ()
    needs: frozenset[str] = frozenset()
    tone: str = "primary"  # how the button looks: primary, secondary, danger
    effect: Effect | None = None  # what it changes besides the state (workflows/effects.py)
    inputs: tuple[StepInput, ...] = ()
    # Who hears of it by email, each with the headline they read ("{state}": the new state's label).
    notify: tuple[tuple[str, str], ...] = (("requester", STATUS_UPDATE),)
    # The step as a task, after "Anda perlu: " at the top of the case page ("memulai verifikasi berkas");
    # None: its label says it.
    task: str | None = None
    # The step files a new case for the requester, of the type in fields["type"] (a ChoiceInput; when it is
    # optional and left empty, nothing is filed), carrying this case's conversation and the step's notes;
    # both cases link to each other (services.cases: a chat's "convert", a consultation's outcome).
    files_case: bool = False
    # The step may link this case to an existing case of the same requester, named by its reference in
    # fields["link_ref"] (optional), which receives the conversation and the step's notes.
    links_case: bool = False

    @property
    def sources(self) -> tuple[str, ...]:
        return (self.source,) if isinstance(self.source, str) else tuple(self.source)


def step(trigger: str, source: str | tuple[str, ...], dest: str, label: str, *, who: Iterable[str],
         guards: Iterable[Guard] = (), needs: Iterable[str] = (), tone: str = "primary",
         effect: Effect | None = None, inputs: Iterable[StepInput] = (),
         notify: Mapping[str, str] | None = None, task: str | None = None, files_case: bool = False,
         links_case: bool = False) -> Step:
    """A step as declarations write it; `notify` defaults to the requester's status update."""
    return Step(trigger, source, dest, label, frozenset(who), tuple(guards), frozenset(needs), tone, effect,
                tuple(inputs), tuple(notify.items()) if notify is not None else Step.notify, task, files_case,
                links_case)


@dataclass(frozen=True)
class Refusal:
    trigger: str
    reasons: tuple[str, ...]


# -- traits -----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class OtherParty:
    """Someone besides the requester whom the case is between, named on the intake form by NIP."""

    nip_field: str  # the intake field that names them
    required: bool
    # True: they are brought in later (is_other_party_involved), then read the case and act as "other_party".
    # False: the case is about them; they never read it, and only the desk is told who they are.
    takes_part: bool
    invalid: str  # the form's message when the NIP names the filer
    not_yourself: str  # the field's message then
    # True: the intake page also finds them by name (a search, with a no-JavaScript fallback), because a
    # filer knows the name of their superior or subordinate, rarely the 18 digits.
    chosen_by_name: bool = False


@dataclass(frozen=True)
class Booking:
    """The case books a published slot (ConsDesk): filed with `slot_field` naming a free slot, which it holds
    until it reaches a state in `released_in`; the slot's officer owns the case. The requester may change
    the booking (another slot) while the case is in `changeable_in` and the cut-off has not passed. An admin
    closing the day fires `closed_day_trigger` on every booking that day (services.consultations)."""

    slot_field: str
    released_in: frozenset[str]
    changeable_in: frozenset[str]
    closed_day_trigger: str


@dataclass(frozen=True)
class Intake:
    """What a new case's first state may depend on (Workflow.starts_in)."""

    fields: Mapping[str, Any]
    requester_has_superior: bool


@dataclass(frozen=True)
class PublicStandard:
    """A case type's published service standard (PermenPANRB 15/2014, /standar-pelayanan), for a type that is
    not filed per catalogue service (those take theirs from catalogue.Service). The procedure comes from the
    steps and the time from the SLA clocks; these are the words the declaration cannot give."""

    key: str  # its address: /standar-pelayanan/<key>; never one of the catalogue's service keys
    name: str
    topic: str  # a key of catalogue.TOPICS
    summary: str
    requirements: tuple[str, ...]  # what the person brings or writes, in words
    output: str  # the product (produk pelayanan) the person receives
    apply_endpoint: str  # where a person starts one (a Flask endpoint; case_type is passed when it takes it)
    resolution_from: str = "sejak diterima"  # when the resolution clock's promise counts from, in words
    takes_complaints: bool = False  # the channel for complaints about every service (component 6)
    public_filing: bool = False  # anyone may file one without signing in (anonymously)


# -- the declaration --------------------------------------------------------------------------------------------

@dataclass
class Workflow:
    case_type: str
    title: str
    initial: str
    states: Mapping[str, str]  # state → Indonesian label, in lifecycle order
    steps: Sequence[Step]
    final: AbstractSet[str]

    # What the type is, beyond its lifecycle.
    ref_prefix: str = "CASE"  # references read LYN-2026-00042
    # Only the requester, the owner, uninvolved supervisors and admins (and whoever an SLA notice went to)
    # read it; otherwise the desk (officers, admins, the desk head) and the owner's superiors do.
    confidential: bool = False
    requester_superiors_read: bool = False  # the requester's superiors read it too (their team's requests)
    other_party: OtherParty | None = None
    desk_claims: bool = False  # officers claim it and the desk hands it around (services.capabilities)
    not_claimed_because: str = "Kasus jenis ini tidak diklaim atau dialihkan oleh petugas layanan."
    owner_called: str | None = None  # a relation the owner also holds here (a mediation's owner: "mediator")
    anonymous_allowed: bool = False  # may be filed with no identity, followed by a tracking code
    evidence_files: int = 0  # how many evidence files (catalogue.EVIDENCE) its intake form takes
    per_service: bool = False  # filed for a catalogue service: its form, documents, title and SLA days
    # Other states a case may start in, and the function that picks one when it is filed (else: initial).
    entry_states: AbstractSet[str] = frozenset()
    starts_in: Callable[[Intake], str] | None = None
    booking: Booking | None = None  # filed for a published slot (ConsDesk)

    # Service levels: default targets per clock ("2d" = close of the 2nd working day, "8h", "90m").
    sla: Mapping[str, str] = field(default_factory=dict)
    # Clocks pause here: the case waits on the requester or their superior, not on the desk. The value
    # says what it waits on, as the page shows it.
    paused_in: Mapping[str, str] = field(default_factory=dict)
    # Time here runs on the external clock (BKPSDMD, BKN) and the resolution clock pauses.
    external_in: AbstractSet[str] = frozenset()
    # The desk has answered: the resolution clock stops, and restarts if the case leaves again (reopen).
    answered_in: AbstractSet[str] = frozenset()

    # The requester is asked one question (1–5, with an optional comment) when a case reaches a final state
    # other than those in `no_feedback_in` (services.feedback); answers are kept per officer and channel.
    asks_feedback: bool = False
    no_feedback_in: AbstractSet[str] = frozenset()
    # The intake field that is the case's first message (a chat starts with what the employee wrote).
    first_message_field: str | None = None
    # Clock targets read from a setting instead of `sla` (clock → config key, e.g. CHAT_FIRST_RESPONSE).
    sla_settings: Mapping[str, str] = field(default_factory=dict)
    # Its page is a conversation: messages live, unread counts, the desk's waiting list (ChatCanal).
    conversation: bool = False
    # Its published service standard (per_service types publish one per catalogue service instead).
    standard: PublicStandard | None = None

    # Built from the above.
    by_trigger: dict[str, Step] = field(init=False, repr=False)
    machine: Machine = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.final = frozenset(self.final)
        self.entry_states = frozenset(self.entry_states) | {self.initial}
        self.external_in, self.answered_in = frozenset(self.external_in), frozenset(self.answered_in)
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

    @property
    def approval_in(self) -> frozenset[str]:
        """States in which the case waits on the requester's superior: a `requester_superior` step leaves
        them. The approval clock runs there (services.sla), and the approver is asked by email."""
        return frozenset(s for step in self.steps if "requester_superior" in step.who for s in step.sources)

    # -- declaration checks -------------------------------------------------------------------
    def validate(self) -> None:
        problems: list[str] = []
        triggers = [s.trigger for s in self.steps]
        for dup in {t for t in triggers if triggers.count(t) > 1}:
            problems.append(f"trigger {dup!r} declared twice")
        for name in (self.initial, *self.entry_states, *self.final, *self.paused_in, *self.external_in,
                     *self.answered_in, *self.no_feedback_in):
            if name not in self.states:
                problems.append(f"unknown state {name!r}")
        for clock_name in self.sla_settings:
            if clock_name not in CLOCK_NAMES:
                problems.append(f"unknown SLA clock {clock_name!r} in sla_settings")
        for clock_name, target in self.sla.items():
            if clock_name not in CLOCK_NAMES:
                problems.append(f"unknown SLA clock {clock_name!r}")
            if not _is_duration(target):
                problems.append(f"SLA target {target!r} of {clock_name} is not like 90m, 8h or 2d")
        if self.owner_called is not None and self.owner_called not in RELATIONS:
            problems.append(f"owner_called must be a relation, got {self.owner_called!r}")
        if self.booking is not None:
            for name in (*self.booking.released_in, *self.booking.changeable_in):
                if name not in self.states:
                    problems.append(f"booking: unknown state {name!r}")
            if self.booking.closed_day_trigger not in triggers:
                problems.append(f"booking: unknown trigger {self.booking.closed_day_trigger!r}")
        if len(self.entry_states) > 1 and self.starts_in is None:
            problems.append("several entry states need starts_in to choose among them")
        for s in self.steps:
            for name in (*s.sources, s.dest):
                if name not in self.states:
                    problems.append(f"{s.trigger}: unknown state {name!r}")
            if not s.who or not s.who <= ROLES | RELATIONS:
                problems.append(f"{s.trigger}: who must name roles/relations, got {sorted(s.who)}")
            if not s.needs <= INPUTS:
                problems.append(f"{s.trigger}: unknown inputs {sorted(s.needs - INPUTS)}")
            if s.files_case and not any(i.field == "type" for i in s.inputs):
                problems.append(f"{s.trigger}: files_case needs a choice input named 'type'")
            if (s.files_case or s.links_case) and "form" not in s.needs:
                problems.append(f"{s.trigger}: filing or linking a case takes a form; add needs={{'form'}}")
            if s.inputs and "form" not in s.needs:
                problems.append(f"{s.trigger}: inputs come from a form; add needs={{'form'}}")
            if set(s.sources) & self.final:
                problems.append(f"{s.trigger}: leaves a final state")
            if s.tone not in TONES:
                problems.append(f"{s.trigger}: unknown tone {s.tone!r}")
            for recipient, _ in s.notify:
                if recipient not in RECIPIENTS:
                    problems.append(f"{s.trigger}: cannot notify {recipient!r}")
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

    # -- traits, asked of one case ------------------------------------------------------------
    def first_state(self, intake: Intake) -> str:
        """The state a case filed with this intake starts in."""
        state = self.starts_in(intake) if self.starts_in is not None else self.initial
        if state not in self.entry_states:
            raise ValueError(f"workflow {self.case_type}: starts_in chose {state!r}, not an entry state")
        return state

    def starting_in(self, start: str) -> Workflow:
        """The same lifecycle as a case that starts in `start` lives it: states it can never reach, and the
        steps among them, left out (a KGB request never waits on a superior). For the published procedure
        and its diagram; `self` when nothing is left out."""
        if start not in self.entry_states:
            raise ValueError(f"workflow {self.case_type}: {start!r} is not an entry state")
        seen, frontier = {start}, [start]
        while frontier:
            here = frontier.pop()
            for s in self.steps:
                if here in s.sources and s.dest not in seen:
                    seen.add(s.dest)
                    frontier.append(s.dest)
        if seen == set(self.states):
            return self
        steps = [replace(s, source=tuple(x for x in s.sources if x in seen)) for s in self.steps
                 if set(s.sources) & seen]
        kept = self.by_trigger.keys() & {s.trigger for s in steps}
        booking = self.booking
        if booking is not None:
            booking = replace(booking, released_in=booking.released_in & seen,
                              changeable_in=booking.changeable_in & seen) if booking.closed_day_trigger in kept else None
        return replace(
            self, initial=start, entry_states=frozenset(), starts_in=None, steps=steps, booking=booking,
            states={k: v for k, v in self.states.items() if k in seen}, final=self.final & seen,
            paused_in={k: v for k, v in self.paused_in.items() if k in seen},
            external_in=self.external_in & seen, answered_in=self.answered_in & seen,
            no_feedback_in=self.no_feedback_in & seen)

    @property
    def other_party_takes_part(self) -> bool:
        return self.other_party is not None and self.other_party.takes_part

    def other_party_reads(self, case: CaseRecord) -> bool:
        """The case's other party takes part in it now (and so reads it, as "other_party")."""
        return self.other_party_takes_part and case.is_other_party_involved

    def waiting_on(self, state: str) -> str:
        """What a case paused in `state` waits on, as the page says it."""
        return self.paused_in.get(state, "menunggu pemohon")

    # -- running ------------------------------------------------------------------------------
    def is_final(self, state: str) -> bool:
        return state in self.final

    def triggers_from(self, state: str) -> list[str]:
        """Triggers leaving `state`, in declaration order."""
        return [s.trigger for s in self.steps if state in s.sources]

    def may_fire(self, trigger: str, actor_tags: Iterable[str]) -> bool:
        step_ = self.by_trigger.get(trigger)
        return step_ is not None and bool(step_.who & set(actor_tags))

    def refusal(self, case: CaseRecord, trigger: str, ctx: StepContext) -> Refusal | None:
        """Why `trigger` would not fire now, or None if every guard holds."""
        reasons = tuple(g.message for g in self.by_trigger[trigger].guards if not g.holds(case, ctx))
        return Refusal(trigger, reasons) if reasons else None

    def fire(self, case: CaseRecord, trigger: str, **ctx: Any) -> bool:
        """Fire on the shared machine; reads and writes `case.state`. False when a guard refuses."""
        try:
            return bool(self.machine.events[trigger].trigger(case, **ctx))
        except (KeyError, MachineError) as exc:
            raise TransitionImpossible(trigger, case.state) from exc

    def available(self, case: CaseRecord, actor_tags: Iterable[str]) -> list[Step]:
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
        text: str = graph.get_graph().draw(None)
        # Show the Indonesian state names the desk uses; the ids stay as they are in the code.
        for name, label in self.states.items():
            text = text.replace(f'state "{name}" as {name}', f'state "{label}" as {name}')
        return text


class TransitionImpossible(Exception):
    def __init__(self, trigger: str, state: str):
        super().__init__(f"{trigger!r} is not possible from {state!r}")
        self.trigger, self.state = trigger, state
