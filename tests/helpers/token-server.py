#!/usr/bin/python3
# A token server for the registry tests, as Docker Hub's auth.docker.io
# works (the distribution token spec): GET /token?service=S&scope=... with
# Basic credentials or none, and the OAuth2 POST /token (grant_type
# refresh_token or password).  It issues ES256 JWTs whose header carries
# its certificate in x5c, so a registry with `auth: token:
# rootcertbundle: CERT` accepts them.
#
#   token-server.py --dir DIR [--user NAME:PASSWORD:ACTIONS]... [--anonymous ACTIONS]
#                   [--refresh TOKEN:NAME]... [--field token|access_token|both]
#                   [--expires SECONDS] [--tls] [--fake-registry]
#
# DIR/field, when it exists, overrides --field at every request.
# Writes into DIR: port (the port it listens on, 127.0.0.1), cert.pem (the
# signing certificate, the registry's rootcertbundle), log (a JSON line a
# request: method, path, query, user, scopes granted).  ACTIONS: "pull",
# "pull,push", or "" for nothing.  With --tls it serves HTTPS with a
# certificate for localhost, 127.0.0.1, auth.docker.io and
# registry-1.docker.io signed by a CA it makes (DIR/ca/ca.crt).  With
# --fake-registry it also answers /v2/ like Docker Hub's registry-1:
# challenges with realm https://auth.docker.io/token and service
# registry.docker.io, and one manifest (library/alpine:latest) for a
# valid token.  DIR/revoke, when it holds N, makes the registry refuse
# (401, error="invalid_token") the first N tokens issued, as expired.
import argparse
import base64
import datetime
import hashlib
import http.server
import json
import os
import ssl
import sys
import threading
import time
import urllib.parse
import uuid

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
import ipaddress

ISSUER = "cabin-test-issuer"
HUB_SERVICE = "registry.docker.io"
HUB_REALM = "https://auth.docker.io/token"
MANIFEST = json.dumps({
    "schemaVersion": 2,
    "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
               "digest": "sha256:" + "0" * 64, "size": 2},
    "layers": []}, separators=(",", ":")).encode()


def name(cn):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def make_cert(subject, key, issuer, issuer_key, ca, sans=()):
    now = datetime.datetime.utcnow()
    b = (x509.CertificateBuilder().subject_name(name(subject)).issuer_name(name(issuer))
         .public_key(key.public_key()).serial_number(x509.random_serial_number())
         .not_valid_before(now - datetime.timedelta(days=1))
         .not_valid_after(now + datetime.timedelta(days=30))
         .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if sans:
        b = b.add_extension(x509.SubjectAlternativeName(list(sans)), critical=False)
    return b.sign(issuer_key, hashes.SHA256())


def pem(cert):
    return cert.public_bytes(serialization.Encoding.PEM)


class State:
    def __init__(self, args):
        self.args = args
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.cert = make_cert("cabin test token signer", self.key, "cabin test token signer",
                              self.key, False)
        self.x5c = base64.b64encode(self.cert.public_bytes(serialization.Encoding.DER)).decode()
        self.users = {}
        for u in args.user:
            n, p, a = u.split(":", 2)
            self.users[n] = (p, set(x for x in a.split(",") if x))
        self.anonymous = set(x for x in args.anonymous.split(",") if x)
        self.refresh = dict(r.split(":", 1) for r in args.refresh)
        self.lock = threading.Lock()
        self.issued = 0

    def log(self, entry):
        with self.lock, open(os.path.join(self.args.dir, "log"), "a") as f:
            f.write(json.dumps(entry) + "\n")

    def issue(self, user, service, scopes):
        allowed = self.users[user][1] if user else self.anonymous
        access = []
        for s in scopes:
            parts = s.split(":")
            if len(parts) < 3:
                continue
            kind, repo, actions = parts[0], ":".join(parts[1:-1]), parts[-1]
            granted = [a for a in actions.split(",") if a in allowed or "*" in allowed]
            access.append({"type": kind, "name": repo, "actions": granted})
        now = int(time.time())
        with self.lock:
            self.issued += 1
            seq = self.issued
        claims = {"iss": ISSUER, "sub": user or "", "aud": service, "exp": now + self.args.expires,
                  "nbf": now - 10, "iat": now, "jti": uuid.uuid4().hex, "access": access,
                  "seq": seq}
        tok = jwt.encode(claims, self.key, algorithm="ES256", headers={"x5c": [self.x5c]})
        return tok, access

    def check_token(self, header, repo):
        if not header or not header.startswith("Bearer "):
            return False
        try:
            claims = jwt.decode(header[7:], self.cert.public_key(), algorithms=["ES256"],
                                audience=HUB_SERVICE, issuer=ISSUER)
        except jwt.PyJWTError:
            return False
        try:
            with open(os.path.join(self.args.dir, "revoke")) as f:
                if claims.get("seq", 0) <= int(f.read().strip() or "0"):
                    return None
        except OSError:
            pass
        if repo is None:
            return True
        return any(a["name"] == repo and "pull" in a["actions"] for a in claims["access"])


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *a):
        pass

    def reply(self, status, body, headers=()):
        data = json.dumps(body).encode() if not isinstance(body, bytes) else body
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def basic_user(self):
        st = self.server.state
        h = self.headers.get("Authorization")
        if not h or not h.startswith("Basic "):
            return None, True
        try:
            u, p = base64.b64decode(h[6:]).decode().split(":", 1)
        except Exception:
            return None, False
        ok = u in st.users and st.users[u][0] == p
        return (u if ok else None), ok

    def token_reply(self, user, service, scopes, entry):
        st = self.server.state
        tok, access = st.issue(user, service, scopes)
        entry["granted"] = access
        st.log(entry)
        body = {"expires_in": st.args.expires, "issued_at": datetime.datetime.utcnow().isoformat() + "Z"}
        field = st.args.field
        try:
            with open(os.path.join(st.args.dir, "field")) as f:
                field = f.read().strip()
        except OSError:
            pass
        if field in ("token", "both"):
            body["token"] = tok
        if field in ("access_token", "both"):
            body["access_token"] = tok
        self.reply(200, body, [("Content-Type", "application/json")])

    def do_GET(self):
        u = urllib.parse.urlparse(self.path)
        q = urllib.parse.parse_qs(u.query)
        if u.path.startswith("/v2/") and self.server.state.args.fake_registry:
            return self.registry(u.path)
        if u.path != "/token":
            return self.reply(404, {"details": "not found"})
        user, ok = self.basic_user()
        entry = {"method": "GET", "path": u.path, "query": q, "user": user,
                 "host": self.headers.get("Host"),
                 "authorization": self.headers.get("Authorization") is not None}
        if not ok:
            entry["refused"] = True
            self.server.state.log(entry)
            return self.reply(401, {"details": "incorrect username or password"},
                              [("WWW-Authenticate", 'Basic realm="token"')])
        self.token_reply(user, q.get("service", [""])[0], q.get("scope", []), entry)

    def do_POST(self):
        st = self.server.state
        n = int(self.headers.get("Content-Length", "0"))
        form = urllib.parse.parse_qs(self.rfile.read(n).decode())
        entry = {"method": "POST", "path": self.path, "form": {k: v for k, v in form.items()
                                                               if k != "password"}}
        user = None
        grant = form.get("grant_type", [""])[0]
        if grant == "refresh_token":
            user = st.refresh.get(form.get("refresh_token", [""])[0])
        elif grant == "password":
            n_, p_ = form.get("username", [""])[0], form.get("password", [""])[0]
            user = n_ if n_ in st.users and st.users[n_][0] == p_ else None
        if user is None:
            entry["refused"] = True
            st.log(entry)
            return self.reply(401, {"error": "invalid_grant"})
        entry["user"] = user
        scopes = " ".join(form.get("scope", [])).split()
        self.token_reply(user, form.get("service", [""])[0], scopes, entry)

    def registry(self, path):
        st = self.server.state
        repo = None
        if path.startswith("/v2/") and "/manifests/" in path:
            repo = path[4:path.index("/manifests/")]
        auth = self.headers.get("Authorization")
        st.log({"method": "GET", "path": path, "registry": True, "bearer": bool(auth)})
        ok = st.check_token(auth, repo)
        if not ok:
            chal = 'Bearer realm="%s",service="%s"' % (HUB_REALM, HUB_SERVICE)
            if repo:
                chal += ',scope="repository:%s:pull"' % repo
            if ok is None:
                chal += ',error="invalid_token"'
            return self.reply(401, {"errors": [{"code": "UNAUTHORIZED",
                                                "message": "authentication required"}]},
                              [("WWW-Authenticate", chal), ("Content-Type", "application/json")])
        if repo is None:
            return self.reply(200, b"{}", [("Content-Type", "application/json")])
        if repo != "library/alpine" or not path.endswith("/latest"):
            return self.reply(404, {"errors": [{"code": "MANIFEST_UNKNOWN",
                                                "message": "manifest unknown"}]})
        digest = "sha256:" + hashlib.sha256(MANIFEST).hexdigest()
        self.reply(200, MANIFEST, [("Content-Type", "application/vnd.oci.image.manifest.v1+json"),
                                   ("Docker-Content-Digest", digest)])


def tls_context(d):
    os.makedirs(os.path.join(d, "ca"), exist_ok=True)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = make_cert("cabin test CA", ca_key, "cabin test CA", ca_key, True)
    key = ec.generate_private_key(ec.SECP256R1())
    sans = [x509.DNSName("localhost"), x509.DNSName("auth.docker.io"),
            x509.DNSName("registry-1.docker.io"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    leaf = make_cert("localhost", key, "cabin test CA", ca_key, False, sans)
    with open(os.path.join(d, "ca", "ca.crt"), "wb") as f:
        f.write(pem(ca))
    with open(os.path.join(d, "tls.pem"), "wb") as f:
        f.write(pem(leaf) + key.private_bytes(serialization.Encoding.PEM,
                                              serialization.PrivateFormat.PKCS8,
                                              serialization.NoEncryption()))
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(os.path.join(d, "tls.pem"))
    return ctx


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--user", action="append", default=[])
    ap.add_argument("--anonymous", default="pull")
    ap.add_argument("--refresh", action="append", default=[])
    ap.add_argument("--field", default="token", choices=["token", "access_token", "both"])
    ap.add_argument("--expires", type=int, default=300)
    ap.add_argument("--tls", action="store_true")
    ap.add_argument("--fake-registry", action="store_true")
    args = ap.parse_args()
    st = State(args)
    with open(os.path.join(args.dir, "cert.pem"), "wb") as f:
        f.write(pem(st.cert))
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    srv.state = st
    if args.tls:
        srv.socket = tls_context(args.dir).wrap_socket(srv.socket, server_side=True)
    tmp = os.path.join(args.dir, "port.tmp")
    with open(tmp, "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(tmp, os.path.join(args.dir, "port"))
    srv.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
