"""The published service standards (standar pelayanan, PermenPANRB 15/2014): one for every service in the
catalogue and one for every case type that declares a `PublicStandard` (complaints, mediation, consultations,
chat), each with the regulation's six public components:

1. Persyaratan — the catalogue's fields and documents, or the declaration's requirements;
2. Sistem, mekanisme dan prosedur — the workflow's steps in order, and its diagram, as a case filed for this
   service lives them (Workflow.starting_in: a KGB request never waits on a superior);
3. Jangka waktu — the SLA targets a case filed today would get (services.sla.effective_terms: the admin's
   policy, else the catalogue's days, else the workflow's default), in working time;
4. Biaya/tarif — free;
5. Produk pelayanan — what the person receives (catalogue.Service.output, PublicStandard.output);
6. Penanganan pengaduan — the complaint channel (the declaration with `takes_complaints`) and its own times.

The pages are public and the same for every reader: nothing here reads a person, a case or who saved a policy.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sqlalchemy import select

from .. import catalogue
from ..extensions import db
from ..models.sla import SlaPolicy
from ..workflows import REGISTRY, Intake, Workflow, case_types_where
from ..workflows.clocks import APPROVAL, EXTERNAL, FIRST_RESPONSE, RESOLUTION
from ..workflows.docs import transition_rows
from ..working_time import parse_duration
from .errors import InvalidInput
from .sla import effective_terms

# The office's pledge (maklumat pelayanan), in the form PermenPANRB 15/2014 gives it.
MAKLUMAT = (
    "Dengan ini kami menyatakan sanggup menyelenggarakan pelayanan kepegawaian sesuai standar pelayanan yang "
    "telah ditetapkan, dan apabila tidak menepati janji ini, kami siap menerima sanksi sesuai peraturan "
    "perundang-undangan yang berlaku."
)
MAKLUMAT_BY = "Kepala Dinas Kelautan dan Perikanan Provinsi Kepulauan Bangka Belitung"
COST = "Gratis / tidak dipungut biaya."
MAX_QUERY = 200
# The catalogue's services are promised from a complete file (domain.md §1: "berkas lengkap").
FROM_COMPLETE_FILE = "sejak berkas lengkap diterima"
BODIES = ", ".join(label for _, label in catalogue.EXTERNAL_BODIES)
# The clocks in the order a request meets them.
PUBLIC_ORDER = (APPROVAL, FIRST_RESPONSE, RESOLUTION, EXTERNAL)
WORKING_TIME_NOTE = ("Dihitung dalam waktu kerja (WIB): Senin–Jumat pada jam kerja, tidak termasuk hari libur "
                     "nasional, cuti bersama dan hari kantor tutup.")


@dataclass(frozen=True)
class Standard:
    """One service's standard, as its page and the index show it."""

    key: str
    name: str
    topic: str
    summary: str
    workflow: Workflow  # the lifecycle as a case of this service lives it
    output: str
    resolution_from: str
    requirements: tuple[str, ...] = ()  # in words, for a type outside the catalogue
    fields: tuple[catalogue.FieldSpec, ...] = ()
    documents: tuple[catalogue.DocumentSpec, ...] = ()
    service: str | None = None  # the catalogue key, when it is a catalogue service
    takes_complaints: bool = False
    public_filing: bool = False
    apply_endpoint: str = "intake.new"
    apply_values: dict[str, Any] = field(default_factory=dict)  # url_for arguments

    @property
    def case_type(self) -> str:
        return self.workflow.case_type

    @property
    def topic_label(self) -> str:
        return catalogue.TOPICS[self.topic]

    def words(self) -> str:
        """Everything the index's text search looks in, folded (lower case, no accents)."""
        parts = [self.name, self.summary, self.topic_label, self.output, *self.requirements,
                 *(f.label for f in self.fields), *(label for f in self.fields for _, label in f.choices),
                 *(d.label for d in self.documents)]
        return fold(" ".join(parts))


@dataclass(frozen=True)
class Promise:
    """One line of component 3 (jangka waktu)."""

    clock: str
    label: str
    target: str  # "5d"
    text: str


@dataclass(frozen=True)
class StandardPage:
    standard: Standard
    steps: list[dict[str, str]]
    promises: list[Promise]
    paused: list[str]  # what the clocks wait on, in words
    complaints: Standard | None
    complaint_promises: list[Promise]


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@cache
def _build(case_types: tuple[str, ...]) -> tuple[Standard, ...]:
    found: list[Standard] = []
    for case_type in case_types_where(lambda wf: wf.per_service):
        workflow = REGISTRY[case_type]
        for s in catalogue.SERVICES.values():
            start = workflow.first_state(Intake(fields={"service": s.key}, requester_has_superior=True))
            found.append(Standard(
                key=s.key, name=s.name, topic=s.topic, summary=s.summary, workflow=workflow.starting_in(start),
                output=s.output, resolution_from=FROM_COMPLETE_FILE, fields=s.fields,
                documents=tuple(d for d in s.documents if d != catalogue.OTHER_DOCUMENT), service=s.key,
                apply_values={"case_type": case_type, "layanan": s.key}))
    for case_type in case_types:
        workflow = REGISTRY[case_type]
        p = workflow.standard
        if p is None or workflow.per_service:
            continue
        found.append(Standard(
            key=p.key, name=p.name, topic=p.topic, summary=p.summary, workflow=workflow, output=p.output,
            resolution_from=p.resolution_from, requirements=p.requirements, takes_complaints=p.takes_complaints,
            public_filing=p.public_filing, apply_endpoint=p.apply_endpoint,
            apply_values={"case_type": case_type} if p.apply_endpoint == "intake.new" else {}))
    return tuple(found)


def all_standards() -> tuple[Standard, ...]:
    """Every published standard: the catalogue's services first, then the other channels. Built once per set of
    registered case types (the declarations are code)."""
    return _build(tuple(REGISTRY))


def find_standard(key: str) -> Standard | None:
    return next((s for s in all_standards() if s.key == key), None)


def complaint_channel() -> Standard | None:
    return next((s for s in all_standards() if s.takes_complaints), None)


def list_standards(query: str | None = None, topic: str | None = None) -> list[Standard]:
    """The index: narrowed to a topic (catalogue.TOPICS; anything else is ignored) and to the standards whose
    words hold every word of `query` (upper or lower case, with or without accents)."""
    text = (query or "").strip()
    if len(text) > MAX_QUERY:
        raise InvalidInput("Kata pencarian terlalu panjang.",
                           {"q": [f"Tulis paling banyak {MAX_QUERY} huruf, mis. cuti, pensiun atau SK."]})
    wanted = fold(text).split()
    return [s for s in all_standards()
            if (topic not in catalogue.TOPICS or s.topic == topic) and all(w in s.words() for w in wanted)]


def duration_words(target: str) -> str:
    """'5d' → '5 hari kerja'; '8h' → '8 jam kerja'; '15m' → '15 menit kerja'; '0d' → the same working day."""
    unit, amount = parse_duration(target)
    if unit == "d":
        return f"{amount} hari kerja" if amount else "hari kerja yang sama"
    return f"{amount} {'jam' if unit == 'h' else 'menit'} kerja"


def _clocks(workflow: Workflow) -> list[str]:
    """The clocks a case of this lifecycle can run: approval only where it waits on a superior, external only
    where it can go to another body."""
    runs = set(workflow.sla) | set(workflow.sla_settings)
    if not workflow.approval_in:
        runs.discard(APPROVAL)
    if not workflow.external_in:
        runs.discard(EXTERNAL)
    return [name for name in PUBLIC_ORDER if name in runs]


def _promises(standard: Standard, policies: list[SlaPolicy]) -> list[Promise]:
    promises = []
    for clock in _clocks(standard.workflow):
        terms = effective_terms(policies, standard.case_type, standard.service, clock)
        if terms is None:
            continue
        d = duration_words(terms.target)
        label, text = {
            FIRST_RESPONSE: ("Tanggapan pertama", f"paling lambat {d} sejak diterima"),
            RESOLUTION: ("Penyelesaian", f"paling lambat {d} {standard.resolution_from}"),
            APPROVAL: ("Persetujuan atasan langsung", f"paling lambat {d} sejak diajukan, sebelum petugas "
                                                      "memprosesnya"),
            EXTERNAL: ("Di instansi lain", f"bila berkas diteruskan ke instansi lain ({BODIES}), "
                                           f"waktunya dipantau terpisah dengan target {d}; jangka waktu "
                                           "penyelesaian kami berhenti selama itu"),
        }[clock]
        promises.append(Promise(clock, label, terms.target, text))
    return promises


def _active_policies() -> list[SlaPolicy]:
    return list(db.session.scalars(select(SlaPolicy).where(SlaPolicy.is_active)).all())


def standard_page(key: str) -> StandardPage | None:
    """A standard with its six components. One query: the active SLA policies."""
    standard = find_standard(key)
    if standard is None:
        return None
    policies = _active_policies()
    complaints = complaint_channel()
    paused = list(dict.fromkeys(standard.workflow.paused_in.values()))
    return StandardPage(standard=standard, steps=transition_rows(standard.workflow),
                        promises=_promises(standard, policies), paused=paused, complaints=complaints,
                        complaint_promises=_promises(complaints, policies) if complaints else [])


def resolution_times(standards: list[Standard]) -> dict[str, str]:
    """Each listed standard's resolution (else first response) time in words, for the index. One query."""
    policies = _active_policies()
    times = {}
    for standard in standards:
        promises = {p.clock: p for p in _promises(standard, policies)}
        chosen = promises.get(RESOLUTION) or promises.get(FIRST_RESPONSE)
        if chosen is not None:
            times[standard.key] = f"{chosen.label}: {duration_words(chosen.target)}"
    return times
