"""A forged Host header never reaches a printed QR code: production needs PUBLIC_BASE_URL or a
list of ALLOWED_HOSTS (other hosts are refused with 400), and the codes print one of those."""
from __future__ import annotations

import io
import json

import pytest
import zxingcpp
from PIL import Image

from app import create_app
from tests.conftest import ApiClient, make_config

GOOD = "anxun.example.gov.cn"
FORGED = "evil.example.com"


def _qr_text(png: bytes) -> str:
    [result] = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)),
                                      formats=zxingcpp.BarcodeFormat.QRCode)
    return result.text


def _production(database_url, media_dir, **overrides):
    return create_app(make_config(database_url, media_dir, ENV_NAME="production",
                                  **{"PUBLIC_BASE_URL": "", "ALLOWED_HOSTS": [], **overrides}))


def test_production_refuses_to_start_without_a_public_address(database_url, media_dir):
    with pytest.raises(RuntimeError) as refused:
        _production(database_url, media_dir)
    assert "PUBLIC_BASE_URL" in str(refused.value) and "ALLOWED_HOSTS" in str(refused.value)


def _admin_client(app, factory, host):
    admin = factory.user("admin")
    client = ApiClient(app.test_client())
    response = client.raw.post("/api/v1/auth/login", base_url=f"http://{host}",
                               json={"username": admin.username, "password": admin.password})
    assert response.status_code == 200, response.data
    client.csrf_token = response.get_json()["csrf_token"]
    return client


def test_allowed_hosts_refuse_a_forged_host_and_print_the_real_one(database_url, media_dir,
                                                                  factory):
    app = _production(database_url, media_dir, ALLOWED_HOSTS=[GOOD])
    enterprise = factory.enterprise()
    client = _admin_client(app, factory, GOOD)
    forged = client.get(f"/api/v1/enterprises/{enterprise.id}/qr.png",
                        base_url=f"http://{FORGED}")
    assert forged.status_code == 400
    assert forged.mimetype == "application/problem+json"
    body = json.loads(forged.data)
    assert "Host" in body["errors"] and "主机名" in body["detail"]
    assert app.test_client().get("/healthz", base_url=f"http://{FORGED}").status_code == 400

    png = client.get(f"/api/v1/enterprises/{enterprise.id}/qr.png", base_url=f"https://{GOOD}")
    assert png.status_code == 200
    assert _qr_text(png.data) == f"https://{GOOD}/e/{enterprise.qr_token}"


def test_public_base_url_is_printed_whatever_the_host(database_url, media_dir, factory):
    app = _production(database_url, media_dir, PUBLIC_BASE_URL=f"https://{GOOD}")
    enterprise = factory.enterprise()
    client = _admin_client(app, factory, FORGED)
    png = client.get(f"/api/v1/enterprises/{enterprise.id}/qr.png", base_url=f"http://{FORGED}")
    assert png.status_code == 200
    assert _qr_text(png.data) == f"https://{GOOD}/e/{enterprise.qr_token}"
    card = client.get(f"/api/v1/enterprises/{enterprise.id}", base_url=f"http://{FORGED}")
    assert card.get_json()["qr_url"] == f"https://{GOOD}/e/{enterprise.qr_token}"
