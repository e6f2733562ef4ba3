"""Evidence that the company had a file at a time: RFC 3161 tokens and a local hash chain.

``CHIZAI_TSA_URL`` names a time-stamping authority; ``CHIZAI_TSA_CA_FILE`` (PEM) the root
that signs its certificate. A request carries only the SHA-256 of the file, never the
content. Without a TSA each version is still linked into the organisation's hash chain
(``chain_hash`` = SHA-256 over the previous link and this version's hash), which proves
order and integrity but not time against an outsider; such versions say "untimestamped".
"""

from __future__ import annotations

import hashlib
import secrets
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime

from chizai.conf.env import env_int, env_str

GENESIS = "0" * 64
SHA256_OID_DER = bytes.fromhex("0609608648016503040201")


class TimestampError(Exception):
    """The TSA could not be reached, refused, or answered with a token that does not verify."""


def chain_link(prev_hash: str, sha256: str, seq: int) -> str:
    return hashlib.sha256(f"{seq}|{prev_hash}|{sha256}".encode()).hexdigest()


def chain_faults(links) -> list[str]:
    """What is wrong with an organisation's chain; empty when it verifies.

    ``links`` are (seq, prev, hash, sha256) in any order. The sequence must run 1..N with
    no gap or repeat, each link must start from the hash of the one before (the first from
    GENESIS), and each hash must be the link computed over its file's SHA-256.
    """
    faults, expected_prev = [], GENESIS
    for position, (seq, prev, link, sha256) in enumerate(sorted(links), start=1):
        if seq != position:
            faults.append(f"link {seq}: expected sequence number {position}")
        if prev != expected_prev:
            faults.append(f"link {seq}: does not continue from the link before it")
        if link != chain_link(prev, sha256, seq):
            faults.append(f"link {seq}: hash does not match the file's SHA-256")
        expected_prev = link
    return faults


def tsa_url() -> str:
    return env_str("CHIZAI_TSA_URL").strip()


# --- a minimal DER writer: the request is three fields, not worth a dependency ----------


def _der(tag: int, body: bytes) -> bytes:
    n = len(body)
    if n < 0x80:
        length = bytes([n])
    else:
        raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
        length = bytes([0x80 | len(raw)]) + raw
    return bytes([tag]) + length + body


def _der_int(value: int) -> bytes:
    raw = value.to_bytes(value.bit_length() // 8 + 1, "big")
    return _der(0x02, raw)


def build_request(sha256_hex: str, nonce: int) -> bytes:
    """TimeStampReq (RFC 3161 §2.4.1) over a SHA-256 digest, asking for the TSA certificate."""
    digest = bytes.fromhex(sha256_hex)
    algorithm = _der(0x30, SHA256_OID_DER + b"\x05\x00")
    imprint = _der(0x30, algorithm + _der(0x04, digest))
    return _der(0x30, _der_int(1) + imprint + _der_int(nonce) + b"\x01\x01\xff")


@dataclass
class Token:
    response: bytes
    gen_time: datetime
    serial: str
    chain_verified: bool


def _roots():
    from cryptography import x509

    path = env_str("CHIZAI_TSA_CA_FILE").strip()
    if not path:
        return []
    try:
        with open(path, "rb") as handle:
            return x509.load_pem_x509_certificates(handle.read())
    except (OSError, ValueError) as exc:
        raise TimestampError(f"CHIZAI_TSA_CA_FILE ({path}) cannot be read as PEM certificates: {exc}") from None


def verify_response(response: bytes, sha256_hex: str, nonce: int | None = None) -> Token:
    """Decode and check a TimeStampResp; raises ``TimestampError`` naming what is wrong."""
    import rfc3161_client
    from rfc3161_client import PKIStatus, VerificationError, VerifierBuilder

    try:
        decoded = rfc3161_client.decode_timestamp_response(response)
    except Exception as exc:  # noqa: BLE001 - the parser raises several types on garbage
        raise TimestampError(f"The TSA's answer is not a valid RFC 3161 response: {exc}") from None
    if PKIStatus(decoded.status) not in (PKIStatus.GRANTED, PKIStatus.GRANTED_WITH_MODS):
        raise TimestampError(f"The TSA refused the request (status {decoded.status}).")
    info = decoded.tst_info
    if info.message_imprint.message != bytes.fromhex(sha256_hex):
        raise TimestampError("The TSA's token is for a different hash than the file's.")
    if nonce is not None and info.nonce != nonce:
        raise TimestampError("The TSA's token carries the wrong nonce (a replayed or foreign answer).")
    roots = _roots()
    verified = False
    if roots:
        builder = VerifierBuilder()
        for root in roots:
            builder = builder.add_root_certificate(root)
        if nonce is not None:
            builder = builder.nonce(nonce)
        try:
            builder.build().verify(decoded, bytes.fromhex(sha256_hex))
        except VerificationError as exc:
            raise TimestampError(f"The TSA's token does not verify against CHIZAI_TSA_CA_FILE: {exc}") from None
        verified = True
    return Token(response=response, gen_time=info.gen_time, serial=str(info.serial_number), chain_verified=verified)


def request_token(sha256_hex: str, url: str | None = None) -> Token:
    url = url or tsa_url()
    nonce = secrets.randbits(63)
    request = urllib.request.Request(
        url,
        data=build_request(sha256_hex, nonce),
        method="POST",
        headers={"Content-Type": "application/timestamp-query", "Accept": "application/timestamp-reply"},
    )
    try:
        with urllib.request.urlopen(request, timeout=env_int("CHIZAI_TSA_TIMEOUT", 15)) as answer:  # noqa: S310 - URL from the operator
            body = answer.read(1024 * 1024)
    except urllib.error.HTTPError as exc:
        raise TimestampError(f"The TSA at {url} answered HTTP {exc.code}.") from None
    except (urllib.error.URLError, OSError) as exc:
        raise TimestampError(f"The TSA at {url} could not be reached: {getattr(exc, 'reason', exc)}") from None
    return verify_response(body, sha256_hex, nonce)
