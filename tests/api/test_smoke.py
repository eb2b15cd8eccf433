def test_file_and_read_a_complaint(api, office):
    client = api(office.employee)
    r = client.post("/api/v1/cases", json={"type": "complaint", "fields": {
        "category": "pengaduan", "subject": "Layanan lambat", "description": "Sudah dua minggu tidak ada kabar."}})
    assert r.status_code == 201, r.json
    case = r.json
    assert case["state"] == "submitted" and case["requester"]["nip"] == office.employee.nip
    r = client.get(f"/api/v1/cases/{case['id']}")
    assert r.status_code == 200
    assert [e["kind"] for e in r.json["events"]] == ["created"]
