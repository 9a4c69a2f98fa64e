"""Sealing electronic ballots to the meeting's count key: plain Python on
PyNaCl, no ORM (docs/decisions/0048).

At setup the server makes a key pair for the meeting and a random count
passphrase (100 bits, in two halves for two tellers). The private key is kept
only encrypted under a key derived from the passphrase; the passphrase itself
is shown once and never stored. Each ballot is sealed to the public key at
cast time (a sealed box: anonymous, randomised, so two equal ballots give
different boxes) after padding to one length for the whole meeting, so not
even a box's size says what it holds. At the count the tellers enter the
passphrase, the private key is unlocked in memory, the boxes are opened and
destroyed, and the locked private key is erased.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from typing import Any

from nacl.encoding import RawEncoder
from nacl.exceptions import CryptoError
from nacl.hash import blake2b
from nacl.public import PrivateKey, PublicKey, SealedBox
from nacl.secret import SecretBox

PASSPHRASE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # 32 symbols: 5 bits each
HALF_LENGTH = 10  # two halves of 10: 100 bits in all
_SALT_BYTES = 16
_PERSON = b"xuanren-count"
_LENGTH_BYTES = 4


class SealingError(ValueError):
    """A wrong passphrase, or a box that is not one of this meeting's."""


@dataclass(frozen=True)
class CountKey:
    """What setup makes: the public key (stored), the private key locked under
    the passphrase (stored), and the passphrase's two halves (shown once)."""

    public_key: bytes
    locked_private_key: bytes
    first_half: str
    second_half: str


def clean_passphrase(raw: str) -> str:
    return "".join(ch for ch in raw.upper() if ch.isalnum())


def format_half(half: str) -> str:
    return f"{half[:5]}-{half[5:]}"


def _box_key(passphrase: str, salt: bytes) -> bytes:
    # The passphrase is random with 100 bits, so a fast keyed hash is as good
    # as a slow password hash here: nobody can try 2^100 guesses either way.
    return blake2b(
        clean_passphrase(passphrase).encode(),
        digest_size=SecretBox.KEY_SIZE,
        salt=salt,
        person=_PERSON,
        encoder=RawEncoder,
    )


def make_count_key() -> CountKey:
    private = PrivateKey.generate()
    first = "".join(secrets.choice(PASSPHRASE_ALPHABET) for _i in range(HALF_LENGTH))
    second = "".join(secrets.choice(PASSPHRASE_ALPHABET) for _i in range(HALF_LENGTH))
    salt = secrets.token_bytes(_SALT_BYTES)
    locked = salt + bytes(SecretBox(_box_key(first + second, salt)).encrypt(bytes(private)))
    return CountKey(bytes(private.public_key), locked, format_half(first), format_half(second))


def unlock(locked_private_key: bytes, passphrase: str) -> bytes:
    """The private key, or SealingError when the passphrase is wrong."""
    salt, box = locked_private_key[:_SALT_BYTES], locked_private_key[_SALT_BYTES:]
    try:
        return bytes(SecretBox(_box_key(passphrase, salt)).decrypt(box))
    except CryptoError as exc:
        raise SealingError("wrong passphrase") from exc


def padded_size(items: int, write_in_slots: int) -> int:
    """One plaintext length for every ballot of a meeting, enough for the
    longest ballot the meeting allows (every name marked with the longest
    option, every write-in slot filled with the longest allowed name)."""
    need = 256 + 64 * items + 160 * write_in_slots
    return -(-need // 1024) * 1024


def seal(public_key: bytes, group: str, content: dict[str, Any], size: int) -> bytes:
    body = json.dumps(
        {"g": group, "c": content}, ensure_ascii=False, sort_keys=True, separators=(",", ":")
    ).encode()
    if len(body) + _LENGTH_BYTES > size:
        raise SealingError("ballot longer than the meeting's padded size")
    plain = len(body).to_bytes(_LENGTH_BYTES, "big") + body
    plain += b"\0" * (size - len(plain))
    return bytes(SealedBox(PublicKey(public_key)).encrypt(plain))


def unseal(private_key: bytes, box: bytes) -> tuple[str, dict[str, Any]]:
    try:
        plain = SealedBox(PrivateKey(private_key)).decrypt(box)
    except CryptoError as exc:
        raise SealingError("not a box of this meeting") from exc
    length = int.from_bytes(plain[:_LENGTH_BYTES], "big")
    data = json.loads(plain[_LENGTH_BYTES : _LENGTH_BYTES + length])
    return str(data["g"]), dict(data["c"])
