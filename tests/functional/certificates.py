"""A test's PKI made with trustme, written as PEM files an operator would configure.

A root CA, an intermediate that signs the server's certificate (so the
chain must be served), and a second CA for client certificates.
"""

import os

import trustme


class Certificates:
    """The test's PKI, written as PEM files into ``directory``."""

    def __init__(self, directory):
        self.directory = directory
        self.root = trustme.CA()
        self.intermediate = self.root.create_child_ca()
        self.client_ca = trustme.CA()
        self.root_file = self.write("root.pem", self.root.cert_pem.bytes())
        self.client_ca_file = self.write("client-ca.pem",
                                         self.client_ca.cert_pem.bytes())
        self.server = self.intermediate.issue_cert("127.0.0.1", "localhost")
        self.cert_file, self.key_file = self.write_server(self.server)

    def write(self, name, data):
        path = os.path.join(self.directory, name)
        with open(path + ".new", "wb") as f:
            f.write(data)
        os.replace(path + ".new", path)  # atomic, as an operator would
        return path

    def write_server(self, leaf, cert="server.pem", key="server-key.pem"):
        """Write ``leaf``'s chain (leaf, then intermediate) and key."""
        return (self.write(cert, b"".join(p.bytes()
                                          for p in leaf.cert_chain_pems)),
                self.write(key, leaf.private_key_pem.bytes()))

    def client_files(self, ca, name):
        """A client certificate from ``ca`` as (cert chain, key) files."""
        leaf = ca.issue_cert(name + "@example.com", common_name=name)
        return self.write_server(leaf, name + ".pem", name + "-key.pem")
