"""One-shot: create identity's development token-signing key if the volume has none yet.

Runs in the application image (which ships `cryptography`); production keys are made with
openssl and stored in a Kubernetes Secret instead (docs/DEPLOY.md).
"""

import os
import sys
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

path = Path(sys.argv[1] if len(sys.argv) > 1 else "/keys/identity-signing-key.pem")
if path.exists():
    print(f"{path} exists, kept")
    sys.exit(0)
key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
pem = key.private_bytes(
    serialization.Encoding.PEM,
    serialization.PrivateFormat.PKCS8,
    serialization.NoEncryption(),
)
path.parent.mkdir(parents=True, exist_ok=True)
path.write_bytes(pem)
os.chown(path, 10001, 10001)
path.chmod(0o400)
print(f"{path} created")
