"""检查本证据包 / Check this evidence package.

用法 Usage:  python3 verify.py [证据包目录 package folder]

只用 Python 标准库（3.8 及以上），不联网，不需要人事系统。它检查：
It needs only the Python standard library (3.8 or later), no network and no Renshi. It checks:

1. SHA256SUMS 列出的每个文件的 SHA-256，且包内没有未列出的文件；
   the SHA-256 of every file SHA256SUMS lists, and that no file is left out of it;
2. 每个条目（entries/）的字节算出的叶哈希（RFC 6962：SHA-256(0x00 || 字节)），
   以及它的包含证明（proofs/）算回检查点（checkpoint/checkpoint.txt）的根哈希；
   the leaf hash of each entry's bytes (RFC 6962: SHA-256(0x00 || bytes)), and that its
   inclusion proof leads to the root in the checkpoint's signed text;
3. 条目列出的每个附件（blobs/）存在且 SHA-256 与条目记载的一致；
   that every attachment an entry names is present and hashes to the name the entry gives it;
4. 所有条目属于同一名员工、同一家公司，与 package.json 一致。
   that all entries are about one employee of one company, the one package.json names.

检查点的 Ed25519 签名和 RFC 3161 时间戳用 openssl 检查（见 README.txt）：标准库做不到。
The checkpoint's Ed25519 signature and the RFC 3161 timestamp are checked with openssl (see
README.txt): the standard library cannot.

退出码 Exit status: 0 全部通过 all checks passed; 1 有检查未通过 a check failed; 2 用法错误 usage.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import sys
from pathlib import Path
from typing import Any

SUMS = "SHA256SUMS"
MANIFEST = "package.json"
CHECKPOINT = "checkpoint/checkpoint.txt"
SIGNATURE = "checkpoint/checkpoint.sig"
PUBLIC_KEY = "checkpoint/public_key.pem"
FORMAT = "renshi-evidence-package"
VERSION = 1
HASH_SIZE = 32
SIGNATURE_SIZE = 64
# The DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410); the raw key follows it.
ED25519_PUBLIC_KEY_PREFIX = bytes.fromhex("302a300506032b6570032100")
# Files an operating system or an unzip tool leaves behind, which are not part of the package.
IGNORED_NAMES = {".DS_Store", "Thumbs.db", "desktop.ini"}
IGNORED_FOLDERS = {"__MACOSX", "__pycache__"}
_SUMS_LINE = re.compile(r"([0-9a-f]{64})  ([^\n]+)")
_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")
_SIZE = re.compile(r"0|[1-9][0-9]*")
_ENTRY_FILE = re.compile(r"entries/([0-9]+)\.json")
_PROOF_FILE = re.compile(r"proofs/([0-9]+)\.json")
_SHA256 = re.compile(r"[0-9a-f]{64}")
PROOF_ALGORITHM = "RFC 6962 SHA-256 Merkle tree; verify as RFC 9162 section 2.1.3.2"
PROOF_FIELDS = {"algorithm", "audit_path", "index", "leaf_hash", "tree_size"}

OK, FAIL, NOTE = "ok", "fail", "note"
LABELS = {OK: "通过 OK  ", FAIL: "失败 FAIL", NOTE: "提示 NOTE"}


class PackageError(Exception):
    """A check that cannot go on: the Chinese and the English reason."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh = zh
        self.en = en


class Report:
    """The checks in the order they ran, each with its outcome in Chinese and English."""

    def __init__(self) -> None:
        self.lines: list[tuple[str, str, str]] = []

    def add(self, status: str, zh: str, en: str) -> None:
        self.lines.append((status, zh, en))

    def fail(self, error: PackageError) -> None:
        self.add(FAIL, error.zh, error.en)

    @property
    def is_valid(self) -> bool:
        return bool(self.lines) and all(status != FAIL for status, _, _ in self.lines)

    @property
    def failures(self) -> int:
        return sum(1 for status, _, _ in self.lines if status == FAIL)

    def text(self) -> str:
        rows = []
        for status, zh, en in self.lines:
            rows.append(f"[{LABELS[status]}] {zh}")
            rows.append(f"{' ' * 12}{en}")
        return "\n".join(rows)


# --- Merkle tree (RFC 6962 §2.1; inclusion proofs checked as RFC 9162 §2.1.3.2 says) -----------


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def root_from_inclusion_proof(index: int, size: int, leaf: bytes, path: list[bytes]) -> bytes:
    """The root that leaf ``index`` of a tree of ``size`` leaves leads to along ``path``, the
    sibling hashes from the leaf up; a path of the wrong length for the index and size is
    refused, since the two numbers alone fix how long it is."""
    if not 0 <= index < size:
        raise PackageError(
            f"叶序号 {index} 不在 {size} 个叶子的树中",
            f"leaf {index} is not in a tree of {size} leaves",
        )
    position, last = index, size - 1
    digest = leaf
    for sibling in path:
        if last == 0:
            raise PackageError("证明的哈希过多", "the proof has too many hashes")
        if position % 2 == 1 or position == last:
            digest = node_hash(sibling, digest)
            # A right edge without a sibling at this level: climb until the node is a right child.
            while position % 2 == 0 and position != 0:
                position, last = position >> 1, last >> 1
        else:
            digest = node_hash(digest, sibling)
        position, last = position >> 1, last >> 1
    if last != 0:
        raise PackageError("证明的哈希不足", "the proof has too few hashes")
    return digest


# --- Reading the package ------------------------------------------------------------------------


def read_package(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` by its path relative to it, with ``/`` between folders."""
    files = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if path.is_dir() or relative.name in IGNORED_NAMES:
            continue
        if any(part in IGNORED_FOLDERS for part in relative.parts):
            continue
        files[relative.as_posix()] = path.read_bytes()
    return files


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def pretty_json(value: object) -> bytes:
    """How the package writes its own JSON files (proofs, package.json): any other bytes for the
    same content mean the file was edited."""
    return (json.dumps(value, ensure_ascii=False, sort_keys=True, indent=2) + "\n").encode()


def canonical_json(value: object) -> bytes:
    """How the evidence log writes an entry: sorted keys, no spaces, UTF-8."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def load_json(files: dict[str, bytes], name: str, *, form: str = "pretty") -> object:
    if name not in files:
        raise PackageError(f"缺少文件 {name}", f"the file {name} is missing")
    data = files[name]
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise PackageError(f"{name} 不是 JSON 文件", f"{name} is not a JSON file") from None
    expected = canonical_json(value) if form == "canonical" else pretty_json(value)
    if data != expected:
        raise PackageError(
            f"{name} 的字节与其内容的规范写法不同（被编辑过）",
            f"{name} differs from the canonical form of its content (it was edited)",
        )
    return value


def require(condition: bool, zh: str, en: str) -> None:
    if not condition:
        raise PackageError(zh, en)


# --- The checks ---------------------------------------------------------------------------------


def check_sums(files: dict[str, bytes], report: Report) -> None:
    """SHA256SUMS: one ``<sha256>  <path>`` line per file, every other file listed, each hash
    right. Strict, so that no byte of it can change unnoticed."""
    if SUMS not in files:
        report.fail(PackageError(f"缺少文件 {SUMS}", f"the file {SUMS} is missing"))
        return
    try:
        text = files[SUMS].decode("utf-8")
    except UnicodeDecodeError:
        report.fail(PackageError(f"{SUMS} 不是 UTF-8 文本", f"{SUMS} is not UTF-8 text"))
        return
    listed: dict[str, str] = {}
    problems: list[PackageError] = []
    lines = text.split("\n")
    if lines[-1] != "":
        problems.append(PackageError(f"{SUMS} 末尾缺少换行", f"{SUMS} does not end in a newline"))
    for number, line in enumerate(lines[:-1], start=1):
        match = _SUMS_LINE.fullmatch(line)
        if match is None or match.group(2) in listed or match.group(2) == SUMS:
            problems.append(
                PackageError(f"{SUMS} 第 {number} 行格式不对", f"{SUMS} line {number} is malformed")
            )
            continue
        listed[match.group(2)] = match.group(1)
    if list(listed) != sorted(listed):
        problems.append(PackageError(f"{SUMS} 的行序被改动", f"the lines of {SUMS} were reordered"))
    for name, digest in listed.items():
        if name not in files:
            problems.append(PackageError(f"缺少文件 {name}", f"the file {name} is missing"))
        elif sha256_hex(files[name]) != digest:
            problems.append(
                PackageError(
                    f"{name} 的 SHA-256 与 {SUMS} 不符（文件被改动）",
                    f"{name} does not match its SHA-256 in {SUMS} (the file was changed)",
                )
            )
    for name in sorted(set(files) - set(listed) - {SUMS}):
        problems.append(
            PackageError(f"{name} 不在 {SUMS} 中（多出的文件）", f"{name} is not listed in {SUMS}")
        )
    for problem in problems:
        report.fail(problem)
    if not problems:
        report.add(
            OK,
            f"{SUMS}：全部 {len(listed)} 个文件的 SHA-256 一致，没有多出或缺少的文件",
            f"{SUMS}: all {len(listed)} files match their SHA-256; none missing, none extra",
        )


def parse_checkpoint(message: bytes) -> dict[str, Any]:
    """The four lines of the signed text: origin, size, root (base64), time (UTC)."""
    try:
        text = message.decode("utf-8")
    except UnicodeDecodeError:
        raise PackageError(f"{CHECKPOINT} 不是 UTF-8 文本", f"{CHECKPOINT} is not UTF-8") from None
    lines = text.split("\n")
    require(
        len(lines) == 5 and lines[4] == "",
        f"{CHECKPOINT} 应为四行，每行以换行结束",
        f"{CHECKPOINT} must be four lines, each ending in a newline",
    )
    origin, size, root, time = lines[:4]
    require(
        _SIZE.fullmatch(size) is not None, "检查点的大小不是十进制数", "the size is not a number"
    )
    try:
        root_bytes = base64.b64decode(root, validate=True)
    except binascii.Error:
        raise PackageError("检查点的根哈希不是 base64", "the root is not base64") from None
    require(
        len(root_bytes) == HASH_SIZE and base64.b64encode(root_bytes).decode() == root,
        "检查点的根哈希不是 32 字节",
        "the root is not 32 bytes",
    )
    require(_TIME.fullmatch(time) is not None, "检查点的时间格式不对", "the time is malformed")
    require(bool(origin.strip()), "检查点缺少日志名称", "the checkpoint names no log")
    return {"origin": origin, "size": int(size), "root": root_bytes, "time": time}


def check_checkpoint(
    files: dict[str, bytes], manifest: dict[str, Any], report: Report
) -> dict[str, Any]:
    if CHECKPOINT not in files:
        raise PackageError(f"缺少文件 {CHECKPOINT}", f"the file {CHECKPOINT} is missing")
    checkpoint = parse_checkpoint(files[CHECKPOINT])
    described = manifest.get("checkpoint", {})
    root = base64.b64encode(checkpoint["root"]).decode()
    require(
        [described.get(key) for key in ("origin", "size", "root", "time")]
        == [checkpoint["origin"], checkpoint["size"], root, checkpoint["time"]],
        f"{MANIFEST} 描述的检查点与 {CHECKPOINT} 不同",
        f"{MANIFEST} describes another checkpoint than {CHECKPOINT}",
    )
    report.add(
        OK,
        f"检查点：日志 {checkpoint['origin']}，{checkpoint['size']} 个条目，根哈希 {root}，"
        f"签署时间 {checkpoint['time']}（UTC）",
        f"Checkpoint: log {checkpoint['origin']}, {checkpoint['size']} entries, root {root}, "
        f"signed at {checkpoint['time']} (UTC)",
    )
    signature = files.get(SIGNATURE)
    require(
        signature is not None and len(signature) == SIGNATURE_SIZE,
        f"{SIGNATURE} 应为 64 字节的 Ed25519 签名",
        f"{SIGNATURE} must be a 64-byte Ed25519 signature",
    )
    fingerprint = public_key_fingerprint(files)
    require(
        fingerprint == described.get("key_fingerprint"),
        f"公钥指纹 {fingerprint} 与 {MANIFEST} 不符",
        f"the key fingerprint {fingerprint} differs from {MANIFEST}",
    )
    report.add(
        NOTE,
        f"签名须用 openssl 检查（见 README.txt）；公钥指纹 {fingerprint}，"
        "请与公司公布的公钥指纹核对",
        f"Check the signature with openssl (README.txt); key fingerprint {fingerprint}: compare "
        "it with the one the company published",
    )
    return checkpoint


def public_key_fingerprint(files: dict[str, bytes]) -> str:
    """The first 16 hex digits of the SHA-256 of the raw Ed25519 public key."""
    pem = files.get(PUBLIC_KEY, b"").decode("ascii", errors="replace").strip().splitlines()
    require(
        len(pem) >= 3 and pem[0] == "-----BEGIN PUBLIC KEY-----" and pem[-1].startswith("-----END"),
        f"{PUBLIC_KEY} 不是 PEM 公钥",
        f"{PUBLIC_KEY} is not a PEM public key",
    )
    try:
        der = base64.b64decode("".join(pem[1:-1]), validate=True)
    except binascii.Error:
        raise PackageError(f"{PUBLIC_KEY} 不是 PEM 公钥", f"{PUBLIC_KEY} is not PEM") from None
    require(
        len(der) == len(ED25519_PUBLIC_KEY_PREFIX) + 32
        and der.startswith(ED25519_PUBLIC_KEY_PREFIX),
        f"{PUBLIC_KEY} 不是 Ed25519 公钥",
        f"{PUBLIC_KEY} is not an Ed25519 public key",
    )
    return sha256_hex(der[len(ED25519_PUBLIC_KEY_PREFIX) :])[:16]


def check_entry(
    files: dict[str, bytes],
    described: dict[str, Any],
    checkpoint: dict[str, Any],
    person: dict[str, Any],
) -> tuple[str, str]:
    """One entry: its bytes, its attachments, its proof. Returns a line for the report."""
    index = described.get("index")
    if not isinstance(index, int):
        raise PackageError(f"{MANIFEST} 中的条目序号不对", f"{MANIFEST}: an entry's index is wrong")
    name, proof_name = f"entries/{index:06d}.json", f"proofs/{index:06d}.json"
    require(
        described.get("file") == name and described.get("proof") == proof_name,
        f"{MANIFEST} 中条目 {index} 的文件名不对",
        f"{MANIFEST}: the files of entry {index} are misnamed",
    )
    document = load_json(files, name, form="canonical")
    require(isinstance(document, dict), f"{name} 不是条目", f"{name} is not an entry")
    assert isinstance(document, dict)
    digest = leaf_hash(files[name])
    require(
        document.get("index") == index and document.get("kind") == described.get("kind"),
        f"{name} 的序号或类型与 {MANIFEST} 不符",
        f"{name}: its index or kind differs from {MANIFEST}",
    )
    require(
        document.get("employee") == person["employee"]
        and document.get("company") == person["company"],
        f"{name} 属于另一名员工或另一家公司",
        f"{name} is about another employee or another company",
    )
    attachments = check_blobs(files, name, document, described)
    proof = load_json(files, proof_name)
    require(isinstance(proof, dict), f"{proof_name} 不是证明", f"{proof_name} is not a proof")
    assert isinstance(proof, dict)
    require(
        set(proof) == PROOF_FIELDS and proof["algorithm"] == PROOF_ALGORITHM,
        f"{proof_name} 的字段与本格式不符（被编辑过）",
        f"{proof_name}: its fields are not this format's (it was edited)",
    )
    require(
        proof.get("index") == index and proof.get("tree_size") == checkpoint["size"],
        f"{proof_name} 的序号或树大小与检查点不符",
        f"{proof_name}: its index or tree size is not the checkpoint's",
    )
    require(
        proof.get("leaf_hash") == digest.hex() == described.get("leaf_hash"),
        f"{name} 的叶哈希 {digest.hex()} 与证明不符（条目被改动）",
        f"{name}: its leaf hash {digest.hex()} is not the proof's (the entry was changed)",
    )
    path = proof.get("audit_path")
    require(
        isinstance(path, list) and all(isinstance(h, str) and _SHA256.fullmatch(h) for h in path),
        f"{proof_name} 的哈希格式不对",
        f"{proof_name}: its hashes are malformed",
    )
    assert isinstance(path, list)
    root = root_from_inclusion_proof(
        index, checkpoint["size"], digest, [bytes.fromhex(h) for h in path]
    )
    require(
        root == checkpoint["root"],
        f"条目 {index} 的包含证明算出的根哈希与检查点不符",
        f"the inclusion proof of entry {index} does not lead to the checkpoint's root",
    )
    return (
        f"条目 #{index} {document['kind']}：叶哈希、{attachments} 个附件、包含证明均与检查点一致",
        f"entry #{index} {document['kind']}: leaf hash, attachments ({attachments}) and "
        "inclusion proof agree with the checkpoint",
    )


def check_blobs(
    files: dict[str, bytes], name: str, document: dict[str, Any], described: dict[str, Any]
) -> int:
    """The attachments the entry names, each present under blobs/ with the hash it is named by."""
    named = document.get("blobs")
    require(isinstance(named, dict), f"{name} 的附件列表格式不对", f"{name}: malformed blobs")
    assert isinstance(named, dict)
    listed = {item.get("name"): item for item in described.get("blobs", [])}
    require(
        sorted(listed) == sorted(named),
        f"{name} 的附件与 {MANIFEST} 不符",
        f"{name}: its attachments differ from {MANIFEST}",
    )
    for title, digest in sorted(named.items()):
        blob = listed[title].get("file")
        require(
            listed[title].get("sha256") == digest
            and isinstance(blob, str)
            and blob.startswith(f"blobs/{digest}")
            and blob in files,
            f"{name} 的附件 {title}（{digest}）不在包中",
            f"{name}: its attachment {title} ({digest}) is missing",
        )
        require(
            sha256_hex(files[blob]) == digest,
            f"附件 {blob} 的 SHA-256 与条目记载的不符（附件被改动）",
            f"the attachment {blob} does not hash to the name its entry gives (it was changed)",
        )
    return len(named)


def check_entries(
    files: dict[str, bytes], manifest: dict[str, Any], checkpoint: dict[str, Any], report: Report
) -> None:
    described = manifest.get("entries")
    if not isinstance(described, list):
        raise PackageError(f"{MANIFEST} 缺少条目列表", f"{MANIFEST} lists no entries")
    person = {
        "employee": manifest.get("employee", {}).get("id"),
        "company": manifest.get("company", {}).get("id"),
    }
    require(
        isinstance(person["employee"], int) and isinstance(person["company"], int),
        f"{MANIFEST} 未写明员工和公司",
        f"{MANIFEST} does not name the employee and the company",
    )
    expected = {item.get("file") for item in described} | {item.get("proof") for item in described}
    present = {name for name in files if _ENTRY_FILE.fullmatch(name) or _PROOF_FILE.fullmatch(name)}
    for extra in sorted(present - expected, key=str):
        report.fail(PackageError(f"{extra} 不在 {MANIFEST} 中", f"{extra} is not in {MANIFEST}"))
    used: set[str] = set()
    passed = 0
    for item in described:
        try:
            report.add(OK, *check_entry(files, item, checkpoint, person))
            passed += 1
        except PackageError as error:
            report.fail(error)
        used.update(blob.get("file") for blob in item.get("blobs", []))
    for extra in sorted(name for name in files if name.startswith("blobs/") and name not in used):
        report.fail(PackageError(f"附件 {extra} 不属于任何条目", f"{extra} belongs to no entry"))
    if passed == len(described):
        employee = manifest["employee"]
        report.add(
            OK,
            f"全部 {passed} 个条目属于同一名员工：{employee.get('number')} {employee.get('name')}",
            f"all {passed} entries are about one employee: {employee.get('number')}",
        )


def check_package(files: dict[str, bytes]) -> Report:
    """Every check this script makes, on the package's files by relative path."""
    report = Report()
    check_sums(files, report)
    try:
        manifest = load_json(files, MANIFEST)
        require(
            isinstance(manifest, dict)
            and manifest.get("format") == FORMAT
            and manifest.get("version") == VERSION,
            f"{MANIFEST} 不是本格式的证据包说明",
            f"{MANIFEST} does not describe a package of this format",
        )
        assert isinstance(manifest, dict)
        checkpoint = check_checkpoint(files, manifest, report)
        check_entries(files, manifest, checkpoint, report)
    except PackageError as error:
        report.fail(error)
    except (AttributeError, TypeError, KeyError, ValueError):
        report.fail(PackageError(f"{MANIFEST} 的结构不对", f"{MANIFEST} is malformed"))
    tokens = sorted(
        name for name in files if name.startswith("checkpoint/") and name.endswith(".tst")
    )
    if tokens:
        report.add(
            NOTE,
            f"时间戳 {', '.join(tokens)} 须用 openssl ts -verify 检查（见 README.txt）",
            f"Check the timestamp {', '.join(tokens)} with openssl ts -verify (README.txt)",
        )
    return report


def main(argv: list[str]) -> int:
    if len(argv) > 2 or (len(argv) == 2 and argv[1] in ("-h", "--help")):
        print(__doc__)
        return 2
    folder = Path(argv[1]) if len(argv) == 2 else Path(__file__).resolve().parent
    if not folder.is_dir():
        print(f"不是目录 not a folder: {folder}", file=sys.stderr)
        return 2
    report = check_package(read_package(folder))
    print(report.text())
    if report.is_valid:
        print("\n结论：全部检查通过。签名与时间戳请再用 openssl 检查（见 README.txt）。")
        print("RESULT: every check passed. Check the signature and timestamp with openssl too.")
        return 0
    print(f"\n结论：{report.failures} 项检查未通过，本证据包不可信。")
    print(f"RESULT: {report.failures} checks FAILED; do not rely on this package.")
    return 1


if __name__ == "__main__":
    for stream in (sys.stdout, sys.stderr):
        # A console that cannot show Chinese still shows the English half of each line.
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")
    sys.exit(main(sys.argv))
