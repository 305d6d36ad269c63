"""deploy/nginx/reviews.conf passes `nginx -t` from Debian's nginx (scripts/ensure-nginx.sh installs
it), and its body-size limit is the application's largest request."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from tests.conftest import _in_ci

BASE_DIR = Path(settings.BASE_DIR)
SITE = BASE_DIR / "deploy" / "nginx" / "reviews.conf"


@pytest.fixture
def nginx() -> str:
    binary = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)
    if binary is None:
        if _in_ci():
            pytest.fail("CI=true but nginx is not installed: run scripts/ensure-nginx.sh")
        pytest.skip("needs nginx: run scripts/ensure-nginx.sh")
    return binary


def nginx_test(nginx: str, tmp_path: Path, site: str) -> subprocess.CompletedProcess[str]:
    """`nginx -t` on the site inside a main configuration of the test's own (its own pid, logs and
    temporary folders), with a self-signed certificate where the site expects the real one."""
    certificate, key = tmp_path / "fullchain.pem", tmp_path / "privkey.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=reviews.example.org",
         "-keyout", str(key), "-out", str(certificate)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    (tmp_path / "static").mkdir()
    site = (
        site.replace("/etc/ssl/reviews/fullchain.pem", str(certificate))
        .replace("/etc/ssl/reviews/privkey.pem", str(key))
        .replace("/var/lib/reviews/static/", f"{tmp_path}/static/")
    )
    (tmp_path / "site.conf").write_text(site)
    temp = {name: tmp_path / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    for folder in temp.values():
        folder.mkdir()
    (tmp_path / "nginx.conf").write_text(
        f"""
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/error.log;
events {{}}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    client_body_temp_path {temp["body"]};
    proxy_temp_path {temp["proxy"]};
    fastcgi_temp_path {temp["fastcgi"]};
    uwsgi_temp_path {temp["uwsgi"]};
    scgi_temp_path {temp["scgi"]};
    include {tmp_path}/site.conf;
}}
"""
    )
    return subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-e", str(tmp_path / "error.log")],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_nginx_accepts_the_site(nginx, tmp_path):
    result = nginx_test(nginx, tmp_path, SITE.read_text())
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


def test_nginx_refuses_a_broken_site(nginx, tmp_path):
    """The check above can fail: a misspelt directive is refused, naming it."""
    result = nginx_test(nginx, tmp_path, SITE.read_text().replace("proxy_set_header Host", "proxy_set_heder Host"))
    assert result.returncode != 0
    assert 'unknown directive "proxy_set_heder"' in result.stderr


def test_the_body_size_limit_is_the_applications_largest_request():
    limit = re.search(r"^\s*client_max_body_size (\d+)m;", SITE.read_text(), re.MULTILINE)
    assert limit is not None
    assert int(limit.group(1)) * 1024 * 1024 == settings.FILE_UPLOAD_MAX_MEMORY_SIZE
    assert (
        max(settings.DOCUMENT_MAX_BYTES, settings.ACTION_EVIDENCE_MAX_BYTES, settings.CHRONOLOGY_IMPORT_MAX_BYTES)
        < settings.FILE_UPLOAD_MAX_MEMORY_SIZE
    )


def test_the_site_terminates_tls_and_sets_the_proxy_headers_django_trusts():
    site = SITE.read_text()
    assert "listen 443 ssl" in site and "return 301 https://$host$request_uri;" in site
    assert "ssl_protocols TLSv1.2 TLSv1.3;" in site
    for header in ("Host $host", "X-Forwarded-Proto $scheme", "X-Forwarded-For $remote_addr"):
        assert f"proxy_set_header {header};" in site
    # No route serves uploaded files (documents and evidence go through views that check access).
    assert "/media" not in re.sub(r"#.*", "", site)
