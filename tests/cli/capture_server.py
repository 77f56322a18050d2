#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Serves recorded responses the way a Go service's debug server does, for the
capture tests: `capture_server.py RESPONSES` prints "listening on PORT"
and serves until killed. The first path element picks how it answers:
  /ok/...         every endpoint (heap, goroutine, vars, metrics; goroutineleak 404)
  /missing/...    404 for everything but the heap profile
  /slow/...       the goroutine dump only after 30 s
  /truncated/...  a heap profile whose body ends before its Content-Length
  /hung/...       accepts and never answers
  /huge/...       a goroutine?debug=2 dump of ~3 MB, repeated (debug=1 stays small)
  /slowdump/...   every endpoint; the heap dump (/debug/heapdump) only after 2.5 s
"""
import http.server
import os
import socketserver
import sys
import threading
import time

responses = sys.argv[1]


def read(path):
    with open(path, "rb") as f:
        return f.read()


FILES = {
    "/debug/pprof/heap": (os.path.join(responses, "heap.pb.gz"), "application/octet-stream"),
    "/debug/pprof/goroutine?debug=2": (os.path.join(responses, "goroutine-debug2.txt"), "text/plain"),
    "/debug/pprof/goroutine?debug=1": (os.path.join(responses, "goroutine-debug1.txt"), "text/plain"),
    "/debug/vars": (os.path.join(responses, "vars.json"), "application/json"),
    "/metrics": (os.path.join(responses, "metrics.txt"), "text/plain; version=0.0.4"),
    "/debug/heapdump": (os.path.join(responses, "..", "..", "heapdump", "heapdump_tiny_go119.bin"),
                        "application/octet-stream"),
}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, code, body, ctype="text/plain", length=None):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        _, mode, rest = self.path.split("/", 2)
        path = "/" + rest
        if mode == "hung":
            time.sleep(3600)
            return
        if mode == "slow" and path.startswith("/debug/pprof/goroutine"):
            time.sleep(30)
        if mode == "slowdump" and path == "/debug/heapdump":
            time.sleep(2.5)
        if mode == "missing" and path != "/debug/pprof/heap":
            return self.send(404, b"404 page not found\n")
        if mode == "truncated" and path == "/debug/pprof/heap":
            body = read(FILES[path][0])
            return self.send(200, body[: len(body) // 2], length=len(body))
        if mode == "huge" and path == "/debug/pprof/goroutine?debug=2":
            one = read(FILES[path][0])
            return self.send(200, one * (3_000_000 // len(one) + 1))
        if path.startswith("/debug/pprof/allocs?seconds="):
            return self.send(200, read(os.path.join(responses, "allocs-delta.pb.gz")),
                             "application/octet-stream")
        if path not in FILES:
            return self.send(404, b"Unknown profile\n")
        name, ctype = FILES[path]
        self.send(200, read(name), ctype)


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


server = Server(("127.0.0.1", 0), Handler)
print(f"listening on {server.server_address[1]}", flush=True)
server.serve_forever()
