"""A throwaway timestamp authority for tests: a CA, a TSA certificate, ``openssl ts -reply``
behind a local HTTP server, and a hand-made token signed by a certificate that lacks the
timeStamping usage.

``openssl ts -reply`` refuses to sign with such a certificate, so the bad token is assembled
here in DER, field by field as RFC 3161 and RFC 5652 lay it out (TSTInfo in a CMS SignedData,
with the ESS signing-certificate-v2 attribute). Signed with the real TSA certificate the same
assembly verifies, which is what shows the refusal is about the certificate alone.
"""

from __future__ import annotations

import datetime
import hashlib
import re
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

TSA_EXTENSIONS = (
    "basicConstraints=CA:FALSE\n"
    "keyUsage=critical,digitalSignature,nonRepudiation\n"
    "extendedKeyUsage=critical,timeStamping\n"
)
SERVER_EXTENSIONS = (
    "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n"
)
TSA_CONFIG = """
[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
serial = {folder}/serial
crypto_device = builtin
signer_cert = {folder}/tsa.pem
certs = {folder}/ca.pem
other_policies = 1.2.3.4.2
signer_key = {folder}/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""


def openssl(*args: str, folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["openssl", *args], cwd=folder, capture_output=True, text=True, check=True, timeout=60
    )


@dataclass(frozen=True)
class Authority:
    folder: Path

    @property
    def ca_file(self) -> Path:
        return self.folder / "ca.pem"

    def reply(self, query: bytes) -> bytes:
        """What a real TSA answers: ``openssl ts -reply`` with the TSA certificate."""
        with tempfile.TemporaryDirectory(dir=self.folder) as directory:
            work = Path(directory)
            (work / "query.tsq").write_bytes(query)
            openssl(
                "ts", "-reply", "-config", str(self.folder / "tsa.cnf"), "-queryfile",
                "query.tsq", "-out", "reply.tsr", folder=work,
            )  # fmt: skip
            return (work / "reply.tsr").read_bytes()

    def forged_reply(self, query: bytes, signer: str) -> bytes:
        """A granted reply whose token is assembled here and signed by ``signer`` (``tsa`` or
        ``server``, the certificate without the timeStamping usage)."""
        imprint, nonce = _query_fields(query, self.folder)
        token = self.token(imprint=imprint, nonce=nonce, signer=signer)
        return _seq(_seq(_integer(0)), token)

    def token(self, *, imprint: bytes, nonce: int | None, signer: str) -> bytes:
        cert = x509.load_pem_x509_certificate((self.folder / f"{signer}.pem").read_bytes())
        key = serialization.load_pem_private_key(
            (self.folder / f"{signer}.key").read_bytes(), password=None
        )
        assert isinstance(key, ec.EllipticCurvePrivateKey)
        return _token(imprint=imprint, nonce=nonce, cert=cert, key=key)


def make_authority(folder: Path) -> Authority:
    """A CA, a TSA certificate (timeStamping, critical) and a server certificate, all EC P-256."""
    openssl(
        "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", "ca.key", "-out", "ca.pem", "-days", "30", "-subj", "/CN=Renshi Test CA",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign", folder=folder,
    )  # fmt: skip
    for name, extensions in (("tsa", TSA_EXTENSIONS), ("server", SERVER_EXTENSIONS)):
        (folder / f"{name}.ext").write_text(extensions)
        openssl(
            "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", f"/CN=Renshi Test {name}",
            folder=folder,
        )  # fmt: skip
        openssl(
            "x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-out", f"{name}.pem", "-days", "30", "-extfile", f"{name}.ext",
            folder=folder,
        )  # fmt: skip
    (folder / "serial").write_text("01\n")
    (folder / "tsa.cnf").write_text(TSA_CONFIG.format(folder=folder))
    return Authority(folder)


class TsaServer:
    """``POST`` a TimeStampReq, get a TimeStampResp; ``mode`` chooses what is answered."""

    def __init__(self, authority: Authority) -> None:
        self.authority = authority
        self.mode = "tsa"
        self.requests = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the http.server hook
                server.requests += 1
                query = self.rfile.read(int(self.headers["Content-Length"]))
                if self.headers.get_content_type() != "application/timestamp-query":
                    self.send_error(415)
                    return
                if server.mode == "tsa":
                    body = server.authority.reply(query)
                else:
                    body = server.authority.forged_reply(query, signer=server.mode)
                self.send_response(200)
                self.send_header("Content-Type", "application/timestamp-reply")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                return

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}/tsa"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def __enter__(self) -> TsaServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


def _query_fields(query: bytes, folder: Path) -> tuple[bytes, int | None]:
    with tempfile.TemporaryDirectory(dir=folder) as directory:
        (Path(directory) / "query.tsq").write_bytes(query)
        text = openssl("ts", "-query", "-in", "query.tsq", "-text", folder=Path(directory)).stdout
    digest = re.search(r"Message data:\n(.*?)\nPolicy", text, re.DOTALL)
    assert digest is not None, text
    # "    0000 - 58 91 b5 b5 22 d5 df 08-6d 0f f0 b1 10 fb d9 d2   X...": hex, then ASCII.
    rows = [line.split(" - ", 1)[1][:47].replace("-", " ") for line in digest.group(1).splitlines()]
    hex_digits = "".join("".join(rows).split())
    nonce = re.search(r"Nonce: (0x[0-9A-Fa-f]+|\d+)", text)
    return bytes.fromhex(hex_digits), None if nonce is None else int(nonce.group(1), 0)


# DER, as much of it as a token needs.
def _length(count: int) -> bytes:
    if count < 0x80:
        return bytes([count])
    encoded = count.to_bytes((count.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(encoded)]) + encoded


def _tlv(tag: int, body: bytes) -> bytes:
    return bytes([tag]) + _length(len(body)) + body


def _seq(*parts: bytes) -> bytes:
    return _tlv(0x30, b"".join(parts))


def _set(*parts: bytes) -> bytes:
    return _tlv(0x31, b"".join(sorted(parts)))  # DER sorts the members of a SET OF


def _integer(value: int) -> bytes:
    return _tlv(0x02, value.to_bytes(value.bit_length() // 8 + 1, "big", signed=True))


def _octets(data: bytes) -> bytes:
    return _tlv(0x04, data)


def _oid(dotted: str) -> bytes:
    numbers = [int(part) for part in dotted.split(".")]
    body = bytes([40 * numbers[0] + numbers[1]])
    for number in numbers[2:]:
        chunk = [number & 0x7F]
        number >>= 7
        while number:
            chunk.append(0x80 | (number & 0x7F))
            number >>= 7
        body += bytes(reversed(chunk))
    return _tlv(0x06, body)


def _implicit(tag: int, encoded: bytes) -> bytes:
    return bytes([0xA0 + tag]) + encoded[1:]


SHA256 = _seq(_oid("2.16.840.1.101.3.4.2.1"))
TST_INFO = "1.2.840.113549.1.9.16.1.4"


def _token(
    *, imprint: bytes, nonce: int | None, cert: x509.Certificate, key: ec.EllipticCurvePrivateKey
) -> bytes:
    now = datetime.datetime.now(datetime.UTC).strftime("%Y%m%d%H%M%SZ").encode()
    tst_info = _seq(
        _integer(1),
        _oid("1.2.3.4.1"),
        _seq(SHA256, _octets(imprint)),
        _integer(int.from_bytes(hashlib.sha256(now).digest()[:8], "big")),
        _tlv(0x18, now),
        *([] if nonce is None else [_integer(nonce)]),
    )
    cert_der = cert.public_bytes(serialization.Encoding.DER)
    signed_attributes = _set(
        _seq(_oid("1.2.840.113549.1.9.3"), _set(_oid(TST_INFO))),
        _seq(_oid("1.2.840.113549.1.9.4"), _set(_octets(hashlib.sha256(tst_info).digest()))),
        # signingCertificateV2: the hash of the signer's certificate (SHA-256, the default).
        _seq(
            _oid("1.2.840.113549.1.9.16.2.47"),
            _set(_seq(_seq(_seq(_octets(hashlib.sha256(cert_der).digest()))))),
        ),
    )
    signature = key.sign(signed_attributes, ec.ECDSA(hashes.SHA256()))
    signer_info = _seq(
        _integer(1),
        _seq(cert.issuer.public_bytes(), _integer(cert.serial_number)),
        SHA256,
        _implicit(0, signed_attributes),
        _seq(_oid("1.2.840.10045.4.3.2")),
        _octets(signature),
    )
    signed_data = _seq(
        _integer(3),
        _set(SHA256),
        _seq(_oid(TST_INFO), _tlv(0xA0, _octets(tst_info))),
        _implicit(0, _set(cert_der)),
        _set(signer_info),
    )
    return _seq(_oid("1.2.840.113549.1.7.2"), _tlv(0xA0, signed_data))
