"""Make identity's secrets: the token-signing key and the code pepper (docs/DEPLOY.md).

    python3 identity-keygen.py --signing-key signing-key.pem --pepper code-pepper.hex

* ``--signing-key``: an Ed25519 private key, PKCS#8 PEM, unencrypted: what
  ``IDENTITY_SIGNING_KEY_FILE`` must point at (identity signs EdDSA; it also accepts P-256,
  ``--algorithm ES256``, and refuses anything else, RSA included).
* ``--pepper``: 32 random bytes as 64 hex digits: ``IDENTITY_CODE_PEPPER_FILE``. Every
  identity replica must read the same pepper, or a code sent by one replica fails on another.

A file that exists is kept (so the compose one-shot can run at every ``up``). ``--owner
10001:10001`` hands the files to the image's user (compose runs this as root). Needs only
the ``cryptography`` package (in the application image).
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey


def signing_key_pem(algorithm: str) -> bytes:
    key = (
        Ed25519PrivateKey.generate()
        if algorithm == "EdDSA"
        else ec.generate_private_key(ec.SECP256R1())
    )
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def write_secret(path: Path, content: bytes, owner: tuple[int, int] | None) -> None:
    if path.exists():
        print(f"{path} exists, kept")
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(content)
    if owner is not None:
        os.chown(path, *owner)
    path.chmod(0o400)
    print(f"{path} created")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signing-key", type=Path, help="PEM file to create")
    parser.add_argument("--pepper", type=Path, help="hex file to create")
    parser.add_argument("--algorithm", choices=("EdDSA", "ES256"), default="EdDSA")
    parser.add_argument("--owner", help="uid:gid of the created files (needs root)")
    args = parser.parse_args(argv)
    if args.signing_key is None and args.pepper is None:
        parser.error("nothing to make: give --signing-key and/or --pepper")
    owner: tuple[int, int] | None = None
    if args.owner:
        uid, gid = args.owner.split(":")
        owner = (int(uid), int(gid))
    if args.signing_key is not None:
        write_secret(args.signing_key, signing_key_pem(args.algorithm), owner)
    if args.pepper is not None:
        write_secret(args.pepper, (secrets.token_hex(32) + "\n").encode(), owner)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
