"""Key pairs: import and generation, fingerprints, per-user scope, the key_pairs quota.

A user's key pairs are listed from a per-process copy kept while the key
pairs generation holds (``db.generations``; every create and delete bumps
it), paged by name in Python; ``KeypairAPI.views`` keeps what the API
makes of them the same way.

An ssh key's fingerprint is the MD5 of its base64-decoded key blob, an x509
certificate's the SHA-1 of its DER form, both as colon-separated lower-case
hex, as nova computes them. Generated keys are RSA 2048 with the private key
in PEM; a generated ssh public key ends in "Generated-by-Nova".

cryptography is imported by the functions that use it, not with the module:
it adds about 8 MB to every process that loads the compute or metadata
stack, and most of them never create a key pair.
"""

import base64
import binascii
import datetime
import hashlib

import sqlalchemy as sa

from minova_tw.compute import base, exception, quotas
from minova_tw.db import generations, models

K = models.KeyPair

TYPE_SSH = "ssh"
TYPE_X509 = "x509"
KEY_TYPES = (TYPE_SSH, TYPE_X509)
GENERATED_COMMENT = "Generated-by-Nova"
X509_VALID_DAYS = 3650


def _colon_hex(digest):
    return ":".join("%02x" % byte for byte in digest)


def ssh_fingerprint(public_key):
    """MD5 fingerprint of an OpenSSH public key line; InvalidKeypair if bad."""
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization
    try:
        serialization.load_ssh_public_key(public_key.strip().encode())
        blob = base64.b64decode(public_key.split()[1], validate=True)
    except (ValueError, IndexError, binascii.Error, UnsupportedAlgorithm):
        raise exception.InvalidKeypair(
            reason="failed to generate fingerprint") from None
    return _colon_hex(hashlib.md5(blob).digest())


def x509_fingerprint(certificate):
    """SHA-1 fingerprint of a PEM certificate; InvalidKeypair if bad."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    try:
        cert = x509.load_pem_x509_certificate(certificate.encode())
    except ValueError:
        raise exception.InvalidKeypair(
            reason="failed to generate X509 fingerprint") from None
    return _colon_hex(cert.fingerprint(hashes.SHA1()))


def _private_pem(key):
    from cryptography.hazmat.primitives import serialization
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption()).decode()


def generate_ssh_key():
    """(private key PEM, "ssh-rsa <b64> Generated-by-Nova")."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = key.public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    return _private_pem(key), "%s %s" % (public.decode(), GENERATED_COMMENT)


def generate_x509_cert(user_id, project_id, now):
    """(private key PEM, self-signed certificate PEM) for a user."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, project_id or "minova"),
        x509.NameAttribute(NameOID.COMMON_NAME, user_id),
    ])
    cert = (x509.CertificateBuilder()
            .subject_name(name).issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now)
            .not_valid_after(now + datetime.timedelta(days=X509_VALID_DAYS))
            .sign(key, hashes.SHA256()))
    return (_private_pem(key),
            cert.public_bytes(serialization.Encoding.PEM).decode())


def _owner(context, user_id, action):
    """The user whose key pairs ``context`` works on (another: admin only,
    by the default of the os-keypairs ``action``'s rule)."""
    if user_id is None:
        user_id = context.user_id
    context.can("os_compute_api:os-keypairs:" + action, {"user_id": user_id})
    return user_id


def get_keypair(session, user_id, name):
    keypair = session.scalars(sa.select(K).where(
        K.user_id == user_id, K.name == name)).first()
    if keypair is None:
        raise exception.KeypairNotFound(name=name, user_id=user_id)
    return keypair


class KeypairAPI(base.Service):

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._cache = generations.Cache(self.db, generations.KEY_PAIRS)
        #: Values made from the key pairs alone (the API's serialized
        #: listings), kept while no key pair is written.
        self.views = generations.Cache(self.db, generations.KEY_PAIRS)

    @base.writer
    def create(self, session, now, context, name, public_key=None,
               key_type=TYPE_SSH, user_id=None):
        """Import ``public_key``, or generate one when it is None.

        Returns (keypair, private key PEM or None).
        """
        user_id = _owner(context, user_id, "create")
        if key_type not in KEY_TYPES:
            raise exception.InvalidKeypair(
                reason="Specified Keypair type %s is invalid" % key_type)
        private_key = None
        if public_key is None:
            if key_type == TYPE_SSH:
                private_key, public_key = generate_ssh_key()
            else:
                private_key, public_key = generate_x509_cert(
                    user_id, context.project_id, now)
        if key_type == TYPE_SSH:
            fingerprint = ssh_fingerprint(public_key)
        else:
            fingerprint = x509_fingerprint(public_key)
        # The quota first, as nova checks it; it holds the user's lock, so
        # a name taken at the same moment elsewhere is seen here.
        quotas.check_key_pairs(session, self.conf, context.project_id,
                               user_id)
        if session.scalar(sa.select(K.id).where(K.user_id == user_id,
                                                K.name == name)):
            raise exception.KeyPairExists(key_name=name)
        generations.bump(session, generations.KEY_PAIRS)
        keypair = K(user_id=user_id, name=name, type=key_type,
                    public_key=public_key, fingerprint=fingerprint,
                    created_at=now)
        session.add(keypair)
        session.flush()
        return keypair, private_key

    def list(self, context, user_id=None, limit=None, marker=None):
        """A user's key pairs by name; ``marker`` is a key pair name."""
        user_id = _owner(context, user_id, "index")
        keypairs = self._cache.get(user_id, lambda: self.db.run(
            lambda session: session.scalars(
                sa.select(K).where(K.user_id == user_id)
                .order_by(K.name, K.id)).all(), write=False))
        if marker is not None:
            names = [keypair.name for keypair in keypairs]
            if marker not in names:
                raise exception.MarkerNotFound(marker=marker)
            keypairs = keypairs[names.index(marker) + 1:]
        max_limit = self.conf.api.max_limit
        return keypairs[:max_limit if limit is None
                        else min(limit, max_limit)]

    @base.reader
    def get(self, session, now, context, name, user_id=None):
        return get_keypair(session, _owner(context, user_id, "show"), name)

    @base.writer
    def delete(self, session, now, context, name, user_id=None):
        """Delete a key pair; of concurrent deletes one wins, the others
        find it gone (KeypairNotFound)."""
        user_id = _owner(context, user_id, "delete")
        deleted = session.execute(sa.delete(K).where(
            K.user_id == user_id, K.name == name)).rowcount
        if not deleted:
            raise exception.KeypairNotFound(name=name, user_id=user_id)
        generations.bump(session, generations.KEY_PAIRS)
