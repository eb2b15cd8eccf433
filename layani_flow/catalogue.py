"""The service catalogue (katalog layanan kepegawaian): each service's own fields and document checklist.

Pure data, read by the service-request form, the workflow's guards and the pages. Required documents
follow the typical lists in shared/domain.md §1; an admin-editable catalogue can replace this later.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from . import leave

# A rule on a service's fields that needs today's date (WIB): field name → problems; empty when none.
FieldsCheck = Callable[[Mapping[str, Any], dt.date], dict[str, list[str]]]


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    kind: str  # text, textarea, date, select, integer
    required: bool = True
    choices: tuple[tuple[str, str], ...] = ()
    help: str = ""
    # An attribute of the person filing that fills the field in advance (still editable), e.g.
    # "pangkat_golongan" → "Penata Muda, III/a".
    prefill: str | None = None


@dataclass(frozen=True)
class DocumentSpec:
    key: str
    label: str
    required: bool = True


@dataclass(frozen=True)
class Service:
    key: str
    name: str
    summary: str
    fields: tuple[FieldSpec, ...]
    documents: tuple[DocumentSpec, ...]
    needs_superior: bool = False  # the atasan langsung endorses it before the desk works on it
    external_body: str = "BKPSDMD"
    sla_days: int = 5  # working days for the desk, from a complete file (domain.md §1: proposed defaults)
    approval_days: int = 2  # working days the superior has to decide, when needs_superior
    # Checked by the intake form and again by open_case (so the API answers the same 422s).
    checks: tuple[FieldsCheck, ...] = ()
    # (first, last) date fields whose span the form shows in working days, e.g. a leave's length.
    working_days_between: tuple[str, str] | None = None
    # Its service standard (PermenPANRB 15/2014, /standar-pelayanan): the product the desk delivers, and the
    # topic its page is filed under (TOPICS).
    output: str = ""
    topic: str = "data"

    def problems(self, fields: Mapping[str, Any], today: dt.date) -> dict[str, list[str]]:
        """What this service's own rules find wrong with the fields (see `checks`)."""
        found: dict[str, list[str]] = {}
        for check in self.checks:
            for name, messages in check(fields, today).items():
                found.setdefault(name, []).extend(messages)
        return found

    @property
    def required_documents(self) -> tuple[DocumentSpec, ...]:
        return tuple(d for d in self.documents if d.required)


# The topics the service standards are filed under (/standar-pelayanan?topik=…), in the order the filter lists them.
TOPICS: dict[str, str] = {
    "cuti": "Cuti",
    "gaji_pangkat": "Gaji dan pangkat",
    "pensiun_mutasi": "Pensiun dan mutasi",
    "data": "Data kepegawaian",
    "pengaduan": "Pengaduan dan mediasi",
    "konsultasi": "Konsultasi dan informasi",
}

OTHER_DOCUMENT = DocumentSpec("lainnya", "Dokumen pendukung lain", required=False)
# What the desk issues when it completes a request (the SK, the letter): kept with the case for its requester.
OUTPUT_DOCUMENT = DocumentSpec("keluaran", "Dokumen hasil layanan (mis. SK yang terbit)", required=False)
# What a complaint's filer attaches on its form (Workflow.evidence_files says how many).
EVIDENCE = DocumentSpec("bukti", "Bukti pendukung", required=False)

SERVICES: dict[str, Service] = {
    s.key: s
    for s in (
        Service(
            "cuti",
            "Cuti",
            "Permohonan cuti tahunan, besar, sakit, melahirkan, alasan penting atau di luar tanggungan negara.",
            fields=(
                FieldSpec("jenis_cuti", "Jenis cuti", "select", choices=(
                    ("tahunan", "Cuti tahunan"), ("besar", "Cuti besar"), ("sakit", "Cuti sakit"),
                    ("melahirkan", "Cuti melahirkan"), ("alasan_penting", "Cuti karena alasan penting"),
                    ("cltn", "Cuti di luar tanggungan negara"))),
                FieldSpec("tanggal_mulai", "Tanggal mulai", "date"),
                FieldSpec("tanggal_selesai", "Tanggal selesai", "date"),
                FieldSpec("alamat_selama_cuti", "Alamat selama cuti", "text"),
                FieldSpec("alasan", "Alasan", "textarea"),
            ),
            documents=(
                DocumentSpec("formulir_cuti", "Formulir permintaan cuti"),
                DocumentSpec("surat_dokter", "Surat keterangan dokter (cuti sakit/melahirkan)", required=False),
                OTHER_DOCUMENT,
            ),
            needs_superior=True,
            sla_days=2,
            checks=(leave.leave_problems,),
            working_days_between=("tanggal_mulai", "tanggal_selesai"),
            output="Surat izin cuti dari pejabat yang berwenang memberikan cuti",
            topic="cuti",
        ),
        Service(
            "kgb",
            "Kenaikan gaji berkala (KGB)",
            "Kenaikan gaji berkala setiap dua tahun.",
            fields=(
                FieldSpec("tmt_kgb_terakhir", "TMT KGB terakhir", "date", prefill="kgb_tmt"),
                FieldSpec("golongan", "Pangkat/golongan sekarang", "text", help="Contoh: Penata Muda, III/a",
                          prefill="pangkat_golongan"),
            ),
            documents=(
                DocumentSpec("sk_pangkat_terakhir", "SK pangkat terakhir"),
                DocumentSpec("sk_kgb_terakhir", "SK KGB terakhir"),
                DocumentSpec("skp", "SKP satu tahun terakhir (minimal baik)"),
                OTHER_DOCUMENT,
            ),
            output="Surat pemberitahuan kenaikan gaji berkala (KGB)",
            topic="gaji_pangkat",
        ),
        Service(
            "kenaikan_pangkat",
            "Kenaikan pangkat",
            "Usul kenaikan pangkat reguler atau pilihan, diteruskan ke BKPSDMD dan BKN.",
            fields=(
                FieldSpec("jenis_kp", "Jenis kenaikan pangkat", "select", choices=(
                    ("reguler", "Reguler"), ("pilihan_jf", "Pilihan – jabatan fungsional"),
                    ("pilihan_struktural", "Pilihan – jabatan struktural"),
                    ("penyesuaian_ijazah", "Penyesuaian ijazah"))),
                FieldSpec("periode", "Periode", "select", choices=(
                    ("02", "1 Februari"), ("04", "1 April"), ("06", "1 Juni"), ("08", "1 Agustus"),
                    ("10", "1 Oktober"), ("12", "1 Desember"))),
                FieldSpec("golongan_sekarang", "Pangkat/golongan sekarang", "text", prefill="pangkat_golongan"),
            ),
            documents=(
                DocumentSpec("sk_kp_terakhir", "SK kenaikan pangkat terakhir"),
                DocumentSpec("skp_2_tahun", "SKP dua tahun terakhir"),
                DocumentSpec("ijazah", "Ijazah dan transkrip terakhir"),
                DocumentSpec("sertifikat_ujian_dinas", "Sertifikat ujian dinas (jika naik golongan)", required=False),
                OTHER_DOCUMENT,
            ),
            output="SK kenaikan pangkat (ditetapkan PPK setelah pertimbangan teknis BKN)",
            topic="gaji_pangkat",
        ),
        Service(
            "pensiun",
            "Pensiun",
            "Usul pensiun batas usia, atas permintaan sendiri, atau janda/duda.",
            fields=(
                FieldSpec("jenis_pensiun", "Jenis pensiun", "select", choices=(
                    ("bup", "Batas usia pensiun (BUP)"), ("aps", "Atas permintaan sendiri"),
                    ("janda_duda", "Janda/duda"))),
                FieldSpec("tmt_pensiun", "Perkiraan TMT pensiun", "date", prefill="retirement_date"),
            ),
            documents=(
                DocumentSpec("permohonan", "Surat permohonan"),
                DocumentSpec("dpcp", "Data perorangan calon pensiun (DPCP)"),
                DocumentSpec("sk_cpns_pns", "SK CPNS dan SK PNS"),
                DocumentSpec("sk_pangkat_terakhir", "SK pangkat terakhir"),
                DocumentSpec("kartu_keluarga", "Kartu keluarga"),
                OTHER_DOCUMENT,
            ),
            sla_days=10,
            output="SK pensiun (ditetapkan PPK setelah pertimbangan teknis BKN)",
            topic="pensiun_mutasi",
        ),
        Service(
            "mutasi",
            "Mutasi / pindah",
            "Permohonan pindah antar-OPD atau antar-instansi.",
            fields=(
                FieldSpec("instansi_tujuan", "Instansi/unit tujuan", "text"),
                FieldSpec("alasan", "Alasan pindah", "textarea"),
            ),
            documents=(
                DocumentSpec("permohonan", "Surat permohonan"),
                DocumentSpec("persetujuan_tujuan", "Surat persetujuan menerima dari instansi tujuan"),
                DocumentSpec("skp", "SKP satu tahun terakhir"),
                OTHER_DOCUMENT,
            ),
            sla_days=10,
            output="SK mutasi/pindah dari pejabat yang berwenang",
            topic="pensiun_mutasi",
        ),
        Service(
            "pemutakhiran_data",
            "Pemutakhiran data",
            "Perubahan data kepegawaian: alamat, status keluarga, pendidikan, rekening.",
            fields=(
                FieldSpec("jenis_data", "Data yang diubah", "select", choices=(
                    ("alamat", "Alamat"), ("keluarga", "Status perkawinan / keluarga"),
                    ("pendidikan", "Pendidikan"), ("rekening", "Rekening bank"), ("lainnya", "Lainnya"))),
                FieldSpec("keterangan", "Keterangan perubahan", "textarea"),
            ),
            documents=(
                DocumentSpec("bukti_perubahan", "Dokumen bukti perubahan"),
                OTHER_DOCUMENT,
            ),
            output="Data kepegawaian yang sudah diperbarui dan diverifikasi di SIASN",
            topic="data",
        ),
    )
}

EXTERNAL_BODIES = (("BKPSDMD", "BKPSDMD Provinsi"), ("BKN", "Kanreg BKN"), ("TASPEN", "PT Taspen"))


def document_spec(service_key: str | None, requirement: str) -> DocumentSpec | None:
    service = SERVICES.get(service_key or "")
    docs = (*service.documents, OUTPUT_DOCUMENT) if service else (OTHER_DOCUMENT, EVIDENCE)
    return next((d for d in docs if d.key == requirement), None)


def missing_verified_documents(service_key: str | None, documents: Iterable) -> list[DocumentSpec]:
    """Required documents of the service that have no verified upload yet."""
    service = SERVICES.get(service_key or "")
    if service is None:
        return []
    verified = {d.requirement for d in documents if d.review_status == "verified"}
    return [d for d in service.required_documents if d.key not in verified]
