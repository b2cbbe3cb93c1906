"""minova_tw.compute.keypairs: import, generation, fingerprints, scope, paging, quota."""

import base64
import hashlib
import subprocess

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from minova_tw.compute import exception, keypairs


@pytest.fixture(scope="module")
def ssh_key(tmp_path_factory):
    """A key made by ssh-keygen, and its MD5 fingerprint as ssh-keygen says."""
    path = tmp_path_factory.mktemp("ssh") / "id"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C",
                    "me@host", "-f", str(path)], check=True)
    out = subprocess.run(["ssh-keygen", "-l", "-E", "md5", "-f",
                          str(path) + ".pub"], check=True, text=True,
                         capture_output=True).stdout
    fingerprint = out.split()[1]
    assert fingerprint.startswith("MD5:")
    return (path.with_suffix(".pub").read_text().strip(),
            fingerprint[len("MD5:"):])


def test_import_fingerprint_matches_ssh_keygen(compute, ctx, clock, ssh_key):
    public_key, fingerprint = ssh_key
    keypair, private_key = compute.keypairs.create(ctx, "mine", public_key)
    assert private_key is None
    assert (keypair.fingerprint, keypair.public_key, keypair.type,
            keypair.user_id, keypair.created_at) == (
        fingerprint, public_key, "ssh", "user-a", clock.now)
    assert compute.keypairs.get(ctx, "mine").fingerprint == fingerprint


def test_generated_ssh_key(compute, ctx):
    keypair, private_pem = compute.keypairs.create(ctx, "gen")
    assert private_pem.startswith("-----BEGIN RSA PRIVATE KEY-----")
    private = serialization.load_pem_private_key(private_pem.encode(), None)
    assert private.key_size == 2048
    kind, blob, comment = keypair.public_key.split()
    assert (kind, comment) == ("ssh-rsa", "Generated-by-Nova")
    expected = private.public_key().public_bytes(
        serialization.Encoding.OpenSSH,
        serialization.PublicFormat.OpenSSH).decode()
    assert "%s %s" % (kind, blob) == expected
    assert keypair.fingerprint == keypairs.ssh_fingerprint(keypair.public_key)


def test_x509(compute, ctx):
    keypair, private_pem = compute.keypairs.create(ctx, "cert",
                                                   key_type="x509")
    cert = x509.load_pem_x509_certificate(keypair.public_key.encode())
    assert keypair.fingerprint == cert.fingerprint(hashes.SHA1()).hex(":")
    assert private_pem.startswith("-----BEGIN RSA PRIVATE KEY-----")
    again, none = compute.keypairs.create(ctx, "cert2", keypair.public_key,
                                          key_type="x509")
    assert (again.fingerprint, none) == (keypair.fingerprint, None)


@pytest.mark.parametrize("bad", [
    "ssh-rsa", "ssh-rsa !!!notbase64", "not a key at all",
    "ssh-rsa " + "QUFBQQ==",
])
def test_invalid_key(compute, ctx, bad):
    with pytest.raises(exception.InvalidKeypair,
                       match="Keypair data is invalid: failed to generate "
                             "fingerprint") as err:
        compute.keypairs.create(ctx, "bad", bad)
    assert err.value.code == 400
    with pytest.raises(exception.InvalidKeypair):
        compute.keypairs.create(ctx, "bad", bad, key_type="x509")
    with pytest.raises(exception.InvalidKeypair):
        compute.keypairs.create(ctx, "bad", bad, key_type="pgp")
    assert compute.keypairs.list(ctx) == []


def test_duplicate_and_scope(compute, ctx, other_ctx, admin_ctx, ssh_key):
    compute.keypairs.create(ctx, "k", ssh_key[0])
    with pytest.raises(exception.KeyPairExists,
                       match="Key pair 'k' already exists.") as err:
        compute.keypairs.create(ctx, "k")
    assert err.value.code == 409
    compute.keypairs.create(other_ctx, "k", ssh_key[0])  # another user: fine
    with pytest.raises(exception.KeypairNotFound,
                       match="Keypair k2 not found for user user-b"):
        compute.keypairs.get(other_ctx, "k2")
    assert [k.name for k in compute.keypairs.list(admin_ctx,
                                                  user_id="user-a")] == ["k"]
    with pytest.raises(exception.Forbidden):
        compute.keypairs.list(ctx, user_id="user-b")
    compute.keypairs.create(admin_ctx, "for-b", ssh_key[0], user_id="user-b")
    assert [k.name for k in compute.keypairs.list(other_ctx)] == ["for-b",
                                                                  "k"]
    compute.keypairs.delete(ctx, "k")
    with pytest.raises(exception.KeypairNotFound):
        compute.keypairs.delete(ctx, "k")
    assert compute.keypairs.get(other_ctx, "k").user_id == "user-b"


def test_paging_by_name(compute, ctx, ssh_key):
    for name in ("c", "a", "d", "b"):
        compute.keypairs.create(ctx, name, ssh_key[0])
    assert [k.name for k in compute.keypairs.list(ctx, limit=2)] == ["a", "b"]
    assert [k.name for k in compute.keypairs.list(ctx, marker="b")] == [
        "c", "d"]
    with pytest.raises(exception.MarkerNotFound):
        compute.keypairs.list(ctx, marker="zz")


def test_quota(compute, ctx, other_ctx, override, ssh_key):
    override("key_pairs", 2, "quota")
    compute.keypairs.create(ctx, "1", ssh_key[0])
    compute.keypairs.create(ctx, "2", ssh_key[0])
    with pytest.raises(exception.KeypairLimitExceeded,
                       match="Quota exceeded, too many key pairs.") as err:
        compute.keypairs.create(ctx, "3", ssh_key[0])
    assert err.value.code == 403
    compute.keypairs.create(other_ctx, "1", ssh_key[0])  # per user
    assert compute.quotas.get_limits(ctx)["maxTotalKeypairs"] == 2


def test_fingerprint_of_a_fixed_key():
    key = ed25519.Ed25519PrivateKey.from_private_bytes(bytes(32))
    public = key.public_key().public_bytes(
        serialization.Encoding.OpenSSH,
        serialization.PublicFormat.OpenSSH).decode()
    digest = hashlib.md5(base64.b64decode(public.split()[1])).hexdigest()
    expected = ":".join(digest[i:i + 2] for i in range(0, 32, 2))
    assert keypairs.ssh_fingerprint(public + " comment") == expected
