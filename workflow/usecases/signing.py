"""The installation's Ed25519 signing key: where it lives, who may read it, and the
signatures it makes, in minisign's format so an inspector can check them with a standard
tool (``minisign -V``) as well as with ``ketnap audit verify-bundle``.

Where the key lives (rule of docs/inspection.md): ``KETNAP_KEY`` when set (a real server
sets it: a file only the service's own account may read); otherwise, for a SQLite file, the
OS user's configuration folder (``~/.config/ketnap/khoa/``), never the database's folder,
so a copy of the database folder is not a copy of the key. PostgreSQL needs ``KETNAP_KEY``.
A key file that others may read or write is refused. A key is never replaced: it is made
with O_EXCL, and rotating it (``ketnap audit rotate-key``) is an audit event endorsed by the
old key, so checkpoints signed before still verify.

minisign's formats (https://jedisct1.github.io/minisign/): a public key is ``"Ed" ‖ key id
(8 bytes) ‖ public key (32 bytes)`` in base64; a signature file is an untrusted comment,
``base64("ED" ‖ key id ‖ Ed25519(BLAKE2b-512(message)))``, a trusted comment and
``base64(Ed25519(signature ‖ trusted comment))``. The key id here is the first 8 bytes of
the public key's SHA-256, so nothing but the key itself needs keeping.
"""

from __future__ import annotations

import base64
import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workflow.domain.errors import BadInput

KEY_FIELD = "Khóa ký (KETNAP_KEY)"


# --- where the key lives ---------------------------------------------------------------------


def config_home() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "ketnap" / "khoa"


def key_path(db_url: str) -> Path:
    """KETNAP_KEY, or for a SQLite file a key named after it in the OS user's configuration
    folder. A key left beside the database by an older ketnap is still found there (and
    ``ketnap init`` says to move it)."""
    explicit = os.environ.get("KETNAP_KEY")
    if explicit:
        return Path(explicit)
    if db_url.startswith("sqlite:///"):
        db_file = Path(db_url.removeprefix("sqlite:///")).resolve()
        legacy = Path(str(db_file) + ".ed25519")
        tag = hashlib.sha256(str(db_file).encode("utf-8")).hexdigest()[:12]
        default = config_home() / f"{db_file.name}-{tag}.ed25519"
        return legacy if legacy.exists() and not default.exists() else default
    raise BadInput.one(
        KEY_FIELD,
        "với PostgreSQL hãy đặt biến KETNAP_KEY: đường dẫn tệp khóa ký, ngoài thư mục dữ liệu",
    )


def beside_database(key: Path, db_url: str) -> bool:
    """The key sits in the SQLite file's own folder (the old default): a copy of that
    folder would carry the key with it."""
    if not db_url.startswith("sqlite:///"):
        return False
    folder = Path(db_url.removeprefix("sqlite:///")).resolve().parent
    return key.resolve().parent == folder


def check_private(path: Path) -> None:
    """Refuse a key file that someone else may read or change (mode 0600 is expected)."""
    try:
        mode = path.stat().st_mode
    except OSError:
        raise BadInput.one(KEY_FIELD, f"không đọc được tệp khóa '{path}'") from None
    if not stat.S_ISREG(mode):
        raise BadInput.one(KEY_FIELD, f"'{path}' không phải một tệp")
    if mode & 0o077:
        raise BadInput.one(
            KEY_FIELD,
            f"tệp khóa '{path}' có quyền {stat.S_IMODE(mode):04o}: người khác đọc hoặc sửa "
            f"được. Hãy chạy: chmod 600 '{path}'",
        )


# --- the key ----------------------------------------------------------------------------------


def key_id(public: bytes) -> bytes:
    return hashlib.sha256(public).digest()[:8]


def key_id_text(public: bytes) -> str:
    """The key id as minisign prints it (a little-endian 64-bit number in hex), so the id
    ketnap shows is the one the inspector's tool shows."""
    return key_id(public)[::-1].hex().upper()


@dataclass(frozen=True)
class Signer:
    """A loaded private key. ``sign`` signs raw bytes; ``minisig`` makes a signature file."""

    private: Any  # cryptography's Ed25519PrivateKey
    public: bytes

    @property
    def key_id(self) -> bytes:
        return key_id(self.public)

    @property
    def key_id_hex(self) -> str:
        return key_id_text(self.public)

    def sign(self, message: bytes) -> bytes:
        return bytes(self.private.sign(message))

    def minisig(self, message: bytes, trusted_comment: str, untrusted: str = "") -> str:
        """minisign's signature file for ``message`` (prehashed, algorithm ``ED``)."""
        if "\n" in trusted_comment:
            raise ValueError("trusted comment on one line")
        digest = hashlib.blake2b(message, digest_size=64).digest()
        signature = self.sign(digest)
        blob = b"ED" + self.key_id + signature
        global_sig = self.sign(signature + trusted_comment.encode("utf-8"))
        return (
            f"untrusted comment: {untrusted or 'chữ ký ketnap, khóa ' + self.key_id_hex}\n"
            f"{base64.b64encode(blob).decode('ascii')}\n"
            f"trusted comment: {trusted_comment}\n"
            f"{base64.b64encode(global_sig).decode('ascii')}\n"
        )

    def public_minisign(self) -> str:
        return public_minisign(self.public)


def create_key(path: Path) -> None:
    """A new key at ``path`` (mode 0600); never over an existing file."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise BadInput.one(KEY_FIELD, f"đã có tệp khóa '{path}'; không ghi đè") from None
    with os.fdopen(fd, "wb") as f:
        f.write(pem)


def load_signer(path: Path) -> Signer:
    """The key at ``path``, after checking that nobody else may read it."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    check_private(path)
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError):
        raise BadInput.one(KEY_FIELD, f"'{path}' không phải tệp khóa Ed25519 đọc được") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise BadInput.one(KEY_FIELD, f"'{path}' không phải khóa Ed25519")
    public = key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return Signer(key, public)


# --- public keys and signatures, for anyone ------------------------------------------------------


def public_minisign(public: bytes) -> str:
    """The base64 line minisign takes with ``-P``."""
    return base64.b64encode(b"Ed" + key_id(public) + public).decode("ascii")


def public_file_text(public: bytes) -> str:
    """A minisign public key file (``minisign -p``)."""
    return (
        f"untrusted comment: khóa công khai ketnap {key_id_text(public)}\n"
        f"{public_minisign(public)}\n"
    )


def parse_public(text: str) -> bytes:
    """A public key as the inspector was given it: 64 hex digits, minisign's base64 line,
    or the content of a minisign public key file. Raises ValueError."""
    lines = [x.strip() for x in text.strip().splitlines() if x.strip()]
    lines = [x for x in lines if not x.startswith("untrusted comment:")]
    if len(lines) != 1:
        raise ValueError("khóa công khai")
    value = lines[0]
    if len(value) == 64:
        try:
            return bytes.fromhex(value)
        except ValueError:
            pass
    try:
        blob = base64.b64decode(value, validate=True)
    except ValueError:
        raise ValueError("khóa công khai") from None
    if len(blob) != 42 or blob[:2] != b"Ed" or blob[2:10] != key_id(blob[10:]):
        raise ValueError("khóa công khai")
    return blob[10:]


def public_from(value: str) -> bytes:
    """``--pubkey``: the key as given (hex, minisign's line) or the path of a minisign public
    key file (``ketnap.pub``); BadInput naming the option otherwise."""
    field = "Khóa công khai (--pubkey)"
    text = value
    candidate = Path(value.strip()) if value.strip() and len(value) < 4096 else None
    if candidate is not None and candidate.is_file():
        if candidate.stat().st_size > 4096:
            raise BadInput.one(field, f"'{candidate}' quá lớn để là tệp khóa công khai")
        try:
            text = candidate.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            raise BadInput.one(field, f"không đọc được '{candidate}'") from None
    try:
        return parse_public(text)
    except ValueError:
        raise BadInput.one(
            field,
            "không phải khóa Ed25519: cần 64 ký tự hex, dòng base64 của minisign (RW…), hoặc "
            "đường dẫn tệp ketnap.pub",
        ) from None


def verify_raw(public: bytes, message: bytes, signature: bytes) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        Ed25519PublicKey.from_public_bytes(public).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


@dataclass(frozen=True)
class Minisig:
    key_id: bytes
    signature: bytes
    trusted_comment: str
    global_signature: bytes
    prehashed: bool


def parse_minisig(text: str) -> Minisig:
    """Raises ValueError on anything that is not a minisign signature file."""
    lines = text.splitlines()
    if len(lines) < 4 or not lines[0].startswith("untrusted comment:"):
        raise ValueError("chữ ký")
    if not lines[2].startswith("trusted comment: "):
        raise ValueError("chữ ký")
    blob = base64.b64decode(lines[1].strip(), validate=True)
    if len(blob) != 74 or blob[:2] not in (b"ED", b"Ed"):
        raise ValueError("chữ ký")
    return Minisig(
        blob[2:10],
        blob[10:],
        lines[2].removeprefix("trusted comment: "),
        base64.b64decode(lines[3].strip(), validate=True),
        blob[:2] == b"ED",
    )


def verify_minisig(publics: list[bytes], message: bytes, text: str) -> bytes | None:
    """The public key (among ``publics``) that made this minisign signature of ``message``,
    trusted comment included; None when none did."""
    try:
        sig = parse_minisig(text)
    except ValueError:
        return None
    signed = hashlib.blake2b(message, digest_size=64).digest() if sig.prehashed else message
    for public in publics:
        if key_id(public) != sig.key_id:
            continue
        if verify_raw(public, signed, sig.signature) and verify_raw(
            public, sig.signature + sig.trusted_comment.encode("utf-8"), sig.global_signature
        ):
            return public
    return None
