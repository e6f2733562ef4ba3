"""A local RFC 3161 time-stamping authority for tests: ``openssl ts -reply`` behind HTTP on 127.0.0.1.

Never the network. ``mode`` lets a test make it answer with an HTTP error or with a
token for some other hash.
"""

from __future__ import annotations

import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

CONFIG = """
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = chizai test TSA
[ tsa_ext ]
basicConstraints = critical,CA:false
keyUsage = critical,digitalSignature,nonRepudiation
extendedKeyUsage = critical,timeStamping
[ ca_ext ]
basicConstraints = critical,CA:true
keyUsage = critical,keyCertSign,cRLSign
[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
dir = {dir}
serial = {dir}/serial
crypto_device = builtin
signer_cert = {dir}/tsa.pem
certs = {dir}/tsa.pem
signer_key = {dir}/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = no
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""


def _openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def make_authority(directory: Path) -> Path:
    """Create a root CA and a TSA certificate; returns the config path."""
    directory.mkdir(parents=True, exist_ok=True)
    config = directory / "tsa.cnf"
    config.write_text(CONFIG.format(dir=directory))
    (directory / "serial").write_text("01\n")
    _openssl(
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "30",
        "-subj",
        "/CN=chizai test root",
        "-config",
        str(config),
        "-extensions",
        "ca_ext",
        cwd=directory,
    )
    _openssl(
        "req",
        "-new",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        "tsa.key",
        "-out",
        "tsa.csr",
        "-config",
        str(config),
        cwd=directory,
    )
    _openssl(
        "x509",
        "-req",
        "-in",
        "tsa.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "tsa.pem",
        "-days",
        "30",
        "-extfile",
        str(config),
        "-extensions",
        "tsa_ext",
        cwd=directory,
    )
    return config


class LocalTSA:
    def __init__(self, directory: Path):
        self.directory = directory
        self.config = make_authority(directory)
        self.mode = "ok"
        self.requests = 0
        tsa = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                tsa.requests += 1
                if tsa.mode == "http-error":
                    self.send_response(500)
                    self.end_headers()
                    return
                query = tsa.directory / f"q{tsa.requests}.tsq"
                if tsa.mode == "wrong-hash":
                    subprocess.run(
                        ["openssl", "ts", "-query", "-digest", "11" * 32, "-sha256", "-cert", "-out", str(query)],
                        check=True,
                        capture_output=True,
                    )
                else:
                    query.write_bytes(body)
                reply = tsa.directory / f"r{tsa.requests}.tsr"
                subprocess.run(
                    [
                        "openssl",
                        "ts",
                        "-reply",
                        "-config",
                        str(tsa.config),
                        "-queryfile",
                        str(query),
                        "-out",
                        str(reply),
                    ],
                    check=True,
                    capture_output=True,
                    cwd=tsa.directory,
                )
                data = reply.read_bytes() if tsa.mode != "garbage" else b"\x30\x03garbage"
                self.send_response(200)
                self.send_header("Content-Type", "application/timestamp-reply")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/tsa"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def ca_file(self) -> Path:
        return self.directory / "ca.pem"

    def close(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
