#!/usr/bin/python3
# A proxy in front of a registry that misbehaves on request, for the tests
# of retries, resumes, redirects, kills and refusals.
#
#   registry-proxy.py --dir DIR --upstream HOST:PORT [--upstream-auth USER:PASSWORD]
#
# Writes DIR/port (it listens on 127.0.0.1) and DIR/log (a JSON line a
# request: method, path, range, whether an Authorization came, status).
# DIR/rules (JSON, read at every request, may change while it runs):
#   {"fail":     [{"match": "SUBSTRING", "status": 503, "times": 2,
#                  "retry_after": "0"}],
#    "drop":     [{"match": "SUBSTRING", "after": 100000, "times": 1}],
#                 (send the headers and AFTER bytes of the body, then close)
#    "stall":    ["SUBSTRING"],   (send half the body, then wait forever)
#    "redirect": "SUBSTRING",     (307 to http://localhost:PORT/_storage/...,
#                                  another origin, served from upstream)
#    "serve":    [{"match": "SUBSTRING", "status": 200, "type": "T",
#                  "body": "TEXT", "repeat": N}]}  (N copies of TEXT)
# Counts of "times" are kept in DIR/state.  Everything else is forwarded
# as it is, Host included (so the registry's Locations come back here).
import argparse
import base64
import http.client
import http.server
import json
import os
import sys
import threading
import time
import urllib.parse

LOCK = threading.Lock()
HOP = {"connection", "keep-alive", "transfer-encoding", "proxy-connection", "te", "upgrade"}


class Proxy(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *a):
        pass

    def note(self, status, extra=None):
        entry = {"method": self.command, "path": self.path,
                 "range": self.headers.get("Range"),
                 "authorization": self.headers.get("Authorization") is not None,
                 "status": status}
        if extra:
            entry.update(extra)
        with LOCK, open(os.path.join(self.server.dir, "log"), "a") as f:
            f.write(json.dumps(entry) + "\n")

    def rules(self):
        try:
            with open(os.path.join(self.server.dir, "rules")) as f:
                return json.load(f)
        except (OSError, ValueError):
            return {}

    def take(self, kind, i, times):
        """Count one use of rule `kind`[i]; False once it is used up."""
        p = os.path.join(self.server.dir, "state")
        with LOCK:
            try:
                with open(p) as f:
                    st = json.load(f)
            except (OSError, ValueError):
                st = {}
            key = "%s.%d" % (kind, i)
            if st.get(key, 0) >= times:
                return False
            st[key] = st.get(key, 0) + 1
            with open(p + ".tmp", "w") as f:
                json.dump(st, f)
            os.rename(p + ".tmp", p)
            return True

    def simple(self, status, body=b"", headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def body_in(self):
        n = int(self.headers.get("Content-Length", "0") or "0")
        return self.rfile.read(n) if n else None

    def upstream(self, method, path, body, headers):
        c = http.client.HTTPConnection(self.server.upstream, timeout=120)
        c.request(method, path, body=body, headers=headers)
        return c, c.getresponse()

    def forward(self, path=None, auth=None, drop=None, stall=False):
        body = self.body_in()
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
        if auth:
            headers["Authorization"] = auth
        c, r = self.upstream(self.command, path or self.path, body, headers)
        self.send_response(r.status)
        length = r.getheader("Content-Length")
        data = None
        if length is None and self.command != "HEAD":
            data = r.read()
            length = str(len(data))
        for k, v in r.getheaders():
            if k.lower() not in HOP and k.lower() != "content-length":
                self.send_header(k, v)
        if length is not None:
            self.send_header("Content-Length", length)
        self.end_headers()
        self.note(r.status)
        if self.command == "HEAD":
            c.close()
            return
        if data is not None:
            self.wfile.write(data)
            c.close()
            return
        left = int(length)
        limit = drop if drop is not None else (left // 2 if stall else None)
        sent = 0
        while left > 0:
            chunk = r.read(min(65536, left))
            if not chunk:
                break
            if limit is not None and sent + len(chunk) > limit:
                chunk = chunk[:limit - sent]
                self.wfile.write(chunk)
                self.wfile.flush()
                if stall:
                    while True:
                        time.sleep(3600)
                self.close_connection = True
                c.close()
                return
            self.wfile.write(chunk)
            sent += len(chunk)
            left -= len(chunk)
        c.close()

    def handle_any(self):
        rules = self.rules()
        for i, f in enumerate(rules.get("fail", [])):
            if f["match"] in self.path and self.take("fail", i, f.get("times", 1)):
                self.body_in()
                hdrs = [("Retry-After", f["retry_after"])] if "retry_after" in f else []
                self.note(f["status"], {"injected": True})
                return self.simple(f["status"], b'{"errors":[{"code":"UNAVAILABLE"}]}', hdrs)
        for s in rules.get("serve", []):
            if s["match"] in self.path:
                self.body_in()
                body = (s.get("body", "") * s.get("repeat", 1)).encode()
                self.note(s.get("status", 200), {"injected": True})
                return self.simple(s.get("status", 200), body, [("Content-Type", s["type"])])
        if self.path.startswith("/_storage/"):
            # Blob storage of another origin: it gets no credentials of
            # the client's (that is the point) and uses its own.
            real = urllib.parse.unquote(self.path[len("/_storage"):].split("?")[0])
            return self.forward(real, auth=self.server.upstream_auth)
        red = rules.get("redirect")
        if red and red in self.path and self.command == "GET" and "/blobs/sha256:" in self.path:
            loc = "http://localhost:%d/_storage%s?signature=x" % (self.server.port, self.path)
            self.note(307, {"injected": True})
            return self.simple(307, b"", [("Location", loc)])
        for s in rules.get("stall", []):
            if s in self.path and self.command == "GET":
                return self.forward(stall=True)
        for i, d in enumerate(rules.get("drop", [])):
            if d["match"] in self.path and self.command == "GET" and \
                    self.take("drop", i, d.get("times", 1)):
                return self.forward(drop=d["after"])
        return self.forward()

    do_GET = do_HEAD = do_PUT = do_POST = do_PATCH = do_DELETE = handle_any


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--upstream", required=True)
    ap.add_argument("--upstream-auth")
    args = ap.parse_args()
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
    srv.daemon_threads = True
    srv.dir = args.dir
    srv.upstream = args.upstream
    srv.port = srv.server_address[1]
    srv.upstream_auth = None
    if args.upstream_auth:
        srv.upstream_auth = "Basic " + base64.b64encode(args.upstream_auth.encode()).decode()
    tmp = os.path.join(args.dir, "port.tmp")
    with open(tmp, "w") as f:
        f.write(str(srv.port))
    os.rename(tmp, os.path.join(args.dir, "port"))
    srv.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
