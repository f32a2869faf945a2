"""A fault-injecting HTTP proxy in front of moto_server, for the collector's
tests.  Each request is forwarded unchanged, or, by the configured odds,
answered with a throttling error in its protocol's own format (EC2
RequestLimitExceeded, query Throttling, S3 SlowDown, JSON
ThrottlingException, rest-json 429 TooManyRequestsException), a 503, a
connection reset (closed without an answer), or delayed by `latency`
seconds; `always500` (a string) answers every request whose body or path
contains it with the same 500 InternalError, as moto does for some calls.
Counts what it did in `stats`, and the access key id of each request in
`keys` (None: unsigned).  Use: FaultProxy(upstream_port,
throttle=0.3).start() -> .port; .configure(...) changes the odds."""
import http.client
import random
import re
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
import time

THROTTLE = {
    "ec2": (503, "text/xml", "<Response><Errors><Error><Code>RequestLimitExceeded</Code>"
            "<Message>Request limit exceeded.</Message></Error></Errors><RequestID>f1</RequestID></Response>", {}),
    "query": (400, "text/xml", "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code>"
              "<Message>Rate exceeded</Message></Error><RequestId>f2</RequestId></ErrorResponse>", {}),
    "s3": (503, "application/xml", "<Error><Code>SlowDown</Code><Message>Please reduce your request rate."
           "</Message><RequestId>f3</RequestId></Error>", {}),
    "json": (400, "application/x-amz-json-1.1", '{"__type":"ThrottlingException","message":"Rate exceeded"}', {}),
    "rest-json": (429, "application/json", '{"Type":"User","message":"Rate exceeded"}',
                  {"x-amzn-ErrorType": "TooManyRequestsException"}),
}


def protocol_of(headers, path):
    auth = headers.get("Authorization", "")
    m = re.search(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/", auth)
    svc = m.group(1) if m else ""
    if headers.get("X-Amz-Target"):
        return "json"
    if svc == "s3":
        return "s3"
    if svc == "lambda":
        return "rest-json"
    if svc == "ec2":
        return "ec2"
    return "query"


class FaultProxy:
    def __init__(self, upstream_port, seed=7, **odds):
        self.upstream = upstream_port
        self.rnd = random.Random(seed)
        self.lock = threading.Lock()
        self.stats = {"forwarded": 0, "throttle": 0, "error503": 0, "reset": 0, "always500": 0}
        self.keys = []  # per request: the access key id it was signed with, or None
        self.configure(**odds)

    def configure(self, throttle=0.0, error503=0.0, reset=0.0, latency=0.0, always500=None):
        self.odds = (throttle, error503, reset)
        self.latency = latency
        self.always500 = always500.encode() if always500 else None

    def pick(self):
        with self.lock:
            r = self.rnd.random()
        t, e, z = self.odds
        if r < t:
            return "throttle"
        if r < t + e:
            return "error503"
        if r < t + e + z:
            return "reset"
        return "forward"

    def start(self):
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def handle_any(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else b""
                m = re.search(r"Credential=([^/]+)/", self.headers.get("Authorization", ""))
                with proxy.lock:
                    proxy.keys.append(m.group(1) if m else None)
                if proxy.latency:
                    time.sleep(proxy.latency)
                what = proxy.pick()
                if proxy.always500 and (proxy.always500 in body or proxy.always500 in self.path.encode()):
                    what = "always500"
                with proxy.lock:
                    proxy.stats[what if what != "forward" else "forwarded"] += 1
                if what == "reset":
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                    self.connection.close()
                    self.close_connection = True
                    return
                if what in ("throttle", "error503", "always500"):
                    if what == "throttle":
                        status, ctype, text, extra = THROTTLE[protocol_of(self.headers, self.path)]
                    elif what == "always500":
                        status, ctype, text, extra = 500, "text/xml", (
                            "<Response><Errors><Error><Code>InternalError</Code><Message>moto-like failure"
                            "</Message></Error></Errors><RequestID>f5</RequestID></Response>"), {}
                    else:
                        status, ctype, text, extra = 503, "text/html", "<html>Service Unavailable</html>", {}
                    data = text.encode()
                    self.send_response(status)
                    self.send_header("Content-Type", ctype)
                    self.send_header("Content-Length", str(len(data)))
                    for k, v in extra.items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(data)
                    return
                conn = http.client.HTTPConnection("127.0.0.1", proxy.upstream, timeout=60)
                hdrs = {k: v for k, v in self.headers.items()}
                conn.request(self.command, self.path, body=body, headers=hdrs)
                r = conn.getresponse()
                data = r.read()
                self.send_response(r.status)
                for k, v in r.getheaders():
                    if k.lower() not in ("content-length", "transfer-encoding", "connection"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                conn.close()

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = handle_any

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        self.server.shutdown()
