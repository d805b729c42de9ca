"""Slow request bodies (slow loris): the app stops reading a body that trickles in too slowly and
answers 408 problem+json, so ten such clients cannot hold every worker; the nginx configuration
shipped in deploy/nginx is valid for the nginx of this machine."""
from __future__ import annotations

import json
import os
import select
import shutil
import socket
import ssl
import subprocess
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from app import create_app
from config import BASE_DIR
from tests.conftest import PASSWORD, free_port, make_config

NGINX_CONF = BASE_DIR / "deploy" / "nginx" / "anxun.conf"


def _streamed(stream, length: int) -> dict:
    """Test-client arguments sending ``stream`` (not seekable) as a body of ``length`` bytes."""
    return {"environ_overrides": {"wsgi.input": stream, "CONTENT_LENGTH": str(length)}}


class Trickle:
    """A body of ``size`` bytes that arrives ``step`` bytes every ``pause_s`` seconds; the client
    gives up (the stream ends short) after ``patience_s``, so a server that keeps reading ends
    the test with a 400 instead of hanging it."""

    def __init__(self, size: int, step: int = 1, pause_s: float = 0.2, patience_s: float = 8):
        self.left, self.step, self.pause_s = size, step, pause_s
        self.give_up_at = time.monotonic() + patience_s

    def read(self, size=-1):
        if self.left <= 0 or time.monotonic() > self.give_up_at:
            return b""
        time.sleep(self.pause_s)
        n = min(self.step, self.left, size if size and size > 0 else self.step)
        self.left -= n
        return b"{" if n == 1 else b" " * n

    def readline(self, size=-1):
        return self.read(size)


@pytest.fixture
def impatient_app(database_url, media_dir):
    return create_app(make_config(database_url, media_dir, REQUEST_BODY_GRACE_S=1,
                                  REQUEST_BODY_MIN_RATE=1000))


def test_a_trickling_body_is_cut_off_with_408(impatient_app):
    started = time.monotonic()
    response = impatient_app.test_client().post(
        "/api/v1/auth/login", content_type="application/json", **_streamed(Trickle(10_000), 10_000))
    assert response.status_code == 408, response.data[:300]
    assert response.mimetype == "application/problem+json"
    assert "过慢" in json.loads(response.data)["detail"]
    assert time.monotonic() - started < 5


def test_a_form_upload_trickling_is_cut_off_too(impatient_app):
    response = impatient_app.test_client().post(
        "/api/v1/photos", content_type="multipart/form-data; boundary=XyZ",
        headers={"Accept-Language": "en"}, **_streamed(Trickle(10_000), 10_000))
    assert response.status_code == 408
    assert "too slowly" in json.loads(response.data)["detail"]


def test_a_body_at_a_decent_pace_is_read(impatient_app, factory):
    """4 KB/s against a minimum of 1 KB/s: read in full, however long after the grace."""
    user = factory.user("inspector")
    body = json.dumps({"username": user.username, "password": PASSWORD}).encode()
    padded = body[:-1] + b" " * 6000 + b"}"

    class Paced:
        def __init__(self):
            self.data = padded

        def read(self, size=-1):
            time.sleep(0.1)
            chunk, self.data = self.data[:400], self.data[400:]
            return chunk

    response = impatient_app.test_client().post(
        "/api/v1/auth/login", content_type="application/json",
        **_streamed(Paced(), len(padded)))
    assert response.status_code == 200, response.data


def _trickle_photo(base: str, cookie: str, csrf: str, seconds: float) -> tuple[str, float]:
    """POST /photos sending one body byte a second; returns the answer's status line and when it
    came (or ``"none"`` after ``seconds``)."""
    url = urlsplit(base)
    head = (f"POST /api/v1/photos HTTP/1.1\r\nHost: {url.netloc}\r\n"
            f"Content-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: 100000\r\n"
            f"Cookie: {cookie}\r\nX-CSRF-Token: {csrf}\r\nConnection: close\r\n\r\n").encode()
    started = time.monotonic()
    with socket.create_connection((url.hostname, url.port), timeout=seconds) as conn:
        conn.sendall(head + b"--XyZ\r\n")
        while time.monotonic() - started < seconds:
            readable, _, _ = select.select([conn], [], [], 1.0)
            if readable:
                answer = conn.recv(65536).decode("latin-1")
                return answer.split("\r\n", 1)[0], time.monotonic() - started
            try:
                conn.sendall(b"x")
            except OSError:
                break
    return "none", time.monotonic() - started


@pytest.mark.parametrize("live_server", [{"REQUEST_BODY_GRACE_S": "2"}], indirect=True)
def test_ten_slow_uploads_do_not_hold_the_workers(live_server, factory):
    """Ten connections at one byte a second on POST /photos (two gunicorn workers): each is cut
    off with 408 a few seconds into it, and the server keeps answering others meanwhile."""
    user = factory.user("inspector")
    login = requests.post(live_server + "/api/v1/auth/login", timeout=30,
                          json={"username": user.username, "password": PASSWORD})
    cookie = "; ".join(f"{k}={v}" for k, v in login.cookies.get_dict().items())
    csrf = login.json()["csrf_token"]
    answers = []
    threads = [threading.Thread(target=lambda: answers.append(
        _trickle_photo(live_server, cookie, csrf, 60)), daemon=True) for _ in range(10)]
    for t in threads:
        t.start()
    time.sleep(1)
    meanwhile = requests.get(live_server + "/healthz", timeout=45)
    for t in threads:
        t.join(90)
    assert meanwhile.status_code == 200
    assert all(status.startswith("HTTP/1.1 408 ") for status, _ in answers), answers
    assert len(answers) == 10
    # Two workers, each cutting a slow body off after about its grace: all done in well under
    # the minute the clients were prepared to go on for.
    assert max(seconds for _, seconds in answers) < 40, answers


# --------------------------------------------------------------------------- nginx
def test_nginx_configuration_matches_the_app():
    conf = NGINX_CONF.read_text()
    from config import Config
    limit_mb = -(-Config.MAX_CONTENT_LENGTH // (1024 * 1024))
    assert f"client_max_body_size {limit_mb}m;" in conf
    assert Config.PHOTO_MAX_BYTES <= Config.MAX_CONTENT_LENGTH
    for directive in ("proxy_request_buffering on;", "client_body_timeout",
                      "client_header_timeout", "proxy_set_header X-Forwarded-For "
                      "$proxy_add_x_forwarded_for;", "proxy_set_header X-Forwarded-Proto $scheme;",
                      "proxy_set_header Host $host;"):
        assert directive in conf, directive


HOST = "anxun.example.gov.cn"


def _nginx_binary():
    found = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(p).exists()), None)
    if found is None:
        pytest.skip("nginx is not installed (make system-deps installs it)")
    return found


def _nginx_setup(tmp_path, site: str) -> Path:
    """A minimal main configuration around the shipped server blocks (which belong in
    conf.d/), with a throwaway certificate; returns its path."""
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", f"/CN={HOST}", "-keyout", str(tmp_path / "key.pem"),
                    "-out", str(tmp_path / "cert.pem")], check=True, capture_output=True)
    site = site.replace("/etc/ssl/anxun/fullchain.pem", str(tmp_path / "cert.pem"))
    site = site.replace("/etc/ssl/anxun/privkey.pem", str(tmp_path / "key.pem"))
    (tmp_path / "anxun.conf").write_text(site)
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers must reach tmp_path
    main = tmp_path / "nginx.conf"
    main.write_text(
        f"{user}daemon off;\npid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\n"
        f"events {{}}\nhttp {{\n  include /etc/nginx/mime.types;\n  access_log off;\n"
        f"  client_body_temp_path {tmp_path}/body;\n  proxy_temp_path {tmp_path}/proxy;\n"
        f"  include {tmp_path}/anxun.conf;\n}}\n")
    return main


def test_nginx_accepts_the_configuration(tmp_path):
    nginx = _nginx_binary()
    main = _nginx_setup(tmp_path, NGINX_CONF.read_text())
    result = subprocess.run([nginx, "-t", "-p", str(tmp_path), "-c", str(main)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr


@pytest.fixture
def nginx_in_front(live_server, tmp_path):
    """The shipped configuration, listening on free local ports, in front of the live server;
    yields its HTTPS port."""
    nginx = _nginx_binary()
    https, http = free_port(), free_port()
    site = NGINX_CONF.read_text()
    site = site.replace("server 127.0.0.1:8000;", f"server {urlsplit(live_server).netloc};")
    site = site.replace("listen 443 ssl", f"listen 127.0.0.1:{https} ssl")
    site = site.replace("listen 80", f"listen 127.0.0.1:{http}")
    main = _nginx_setup(tmp_path, site)
    proc = subprocess.Popen([nginx, "-p", str(tmp_path), "-c", str(main)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", https), timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    yield https
    proc.terminate()
    proc.wait(timeout=10)


def _tls(port: int, host: str = HOST) -> ssl.SSLSocket:
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    return context.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=30),
                               server_hostname=host)


def _https(port: int, method: str, path: str, headers: dict | None = None,
           body: bytes = b"", host: str = HOST) -> tuple[int, dict, bytes]:
    """One HTTP/1.0 exchange through nginx (SNI and Host ``host``)."""
    lines = [f"{method} {path} HTTP/1.0", f"Host: {host}", f"Content-Length: {len(body)}"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    with _tls(port, host) as conn:
        conn.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    head, _, content = answer.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    found: dict = {}
    for line in header_lines:
        key, _, value = line.partition(":")
        found.setdefault(key.strip().lower(), []).append(value.strip())
    return int(status_line.split()[1]), found, content


@pytest.mark.parametrize("live_server", [{"TRUSTED_PROXIES": "1"}], indirect=True)
def test_nginx_in_front_buffers_slow_bodies_and_forwards_the_client(nginx_in_front, live_server,
                                                                   factory):
    """Through the shipped configuration: the app sees the client's scheme and host (QR codes),
    ten clients trickling photo uploads hold no gunicorn worker (both keep answering at once),
    an oversize body is refused by nginx, and another Host never reaches the app."""
    port = nginx_in_front
    admin = factory.user("admin")
    enterprise = factory.enterprise()
    status, headers, content = _https(port, "POST", "/api/v1/auth/login",
                                      {"Content-Type": "application/json"},
                                      json.dumps({"username": admin.username,
                                                  "password": PASSWORD}).encode())
    assert status == 200, content
    cookie = "; ".join(c.split(";", 1)[0] for c in headers["set-cookie"])
    csrf = json.loads(content)["csrf_token"]
    status, _, content = _https(port, "GET", f"/api/v1/enterprises/{enterprise.id}",
                                {"Cookie": cookie})
    assert status == 200
    assert json.loads(content)["qr_url"].startswith(f"https://{HOST}/e/")

    slow = []
    for _ in range(10):
        conn = _tls(port)
        conn.sendall((f"POST /api/v1/photos HTTP/1.0\r\nHost: {HOST}\r\n"
                      f"Content-Type: multipart/form-data; boundary=XyZ\r\n"
                      f"Content-Length: 100000\r\nCookie: {cookie}\r\nX-CSRF-Token: {csrf}"
                      f"\r\n\r\n--XyZ\r\n").encode())
        slow.append(conn)
    try:
        for _second in range(3):
            for conn in slow:
                conn.sendall(b"x")
            time.sleep(1)
        for _ in range(4):  # more than the two workers: none of them is waiting on a body
            started = time.monotonic()
            assert _https(port, "GET", "/healthz")[0] == 200
            assert requests.get(live_server + "/healthz", timeout=30).status_code == 200
            assert time.monotonic() - started < 3
    finally:
        for conn in slow:
            conn.close()

    too_big = _https(port, "POST", "/api/v1/photos", {"Cookie": cookie, "X-CSRF-Token": csrf},
                     b"x" * (21 * 1024 * 1024))
    assert too_big[0] == 413
    with pytest.raises((ssl.SSLError, ConnectionError)):
        _https(port, "GET", "/healthz", host="forged.example.com")
