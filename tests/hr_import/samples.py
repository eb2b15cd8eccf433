"""CSV files for the import tests: well-formed people (NIP born on the date it carries) and a writer."""
from __future__ import annotations

import datetime as dt

HEADER = "nip,nama,email,peran,nip_atasan,unit,jabatan,golongan,tmt_golongan,tmt_kgb,tanggal_lahir,bup"


def nip_for(n: int, born: dt.date = dt.date(1985, 6, 1)) -> str:
    """A well-formed NIP: born `born` + n days, TMT 2010-01, male, serial n % 1000."""
    day = born + dt.timedelta(days=n // 1000)
    return f"{day:%Y%m%d}201001{1}{n % 1000:03d}"


def person(n: int, superior: str = "", role: str = "pegawai", **over: str) -> dict[str, str]:
    nip = over.pop("nip", None) or nip_for(n)
    row = {"nip": nip, "nama": f"Pegawai Impor {n}", "email": f"impor{n}@dkp.babelprov.go.id", "peran": role,
           "nip_atasan": superior, "unit": "Bidang Perikanan Tangkap", "jabatan": "Pengadministrasi Umum",
           "golongan": "III/a", "tmt_golongan": "2020-04-01", "tmt_kgb": "2024-01-01",
           "tanggal_lahir": f"{nip[0:4]}-{nip[4:6]}-{nip[6:8]}", "bup": ""}
    row.update(over)
    return row


def csv_text(rows: list[dict[str, str]], header: str = HEADER, sep: str = ",") -> str:
    columns = header.split(",")
    lines = [sep.join(columns)]
    for row in rows:
        lines.append(sep.join(row.get(c, "") for c in columns))
    return "\n".join(lines) + "\n"


def office(size: int) -> list[dict[str, str]]:
    """`size` people: one head, ten kabid under them, everyone else under a kabid; staff before superiors."""
    head = person(0, role="admin", jabatan="Kepala Dinas Kelautan dan Perikanan", golongan="IV/c")
    kabids = [person(i, superior=head["nip"], role="atasan", jabatan=f"Kepala Bidang {i}") for i in range(1, 11)]
    staff = [person(i, superior=kabids[i % 10]["nip"]) for i in range(11, size)]
    return [*staff, *kabids, head][:size] if size >= 11 else [head, *kabids][:size]
