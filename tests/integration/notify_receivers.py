"""Loopback receivers for the notification tests: an HTTP webhook receiver
and a minimal SMTP server, both recording what they get.

HttpReceiver: POSTs to any path are recorded as dicts {path, headers, body,
json}.  Behaviour per path prefix: fail(prefix, k) answers the next k
requests with 500; hang(prefix, seconds) sleeps, then answers 504 (a
client timeout, the message not processed); reset() clears both.  Recording happens before failing, so
`requests` holds every attempt and `delivered` only the answered-2xx ones.

SmtpReceiver: a line-based SMTP server (EHLO/HELO, MAIL, RCPT, DATA, RSET,
NOOP, QUIT), enough for libcurl.  Each accepted message is recorded as
{mail_from, rcpts, data (bytes, dot-unstuffed, CRLF kept)}.
"""
import http.server
import json
import socketserver
import threading
import time


class _HttpHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # quiet
        pass

    def do_POST(self):
        rcv = self.server.receiver
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n)
        rec = {"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()},
               "body": body}
        try:
            rec["json"] = json.loads(body)
        except ValueError:
            rec["json"] = None
        status, delay = rcv._decide(self.path)
        with rcv.lock:
            rcv.requests.append(rec)
        if delay:
            time.sleep(delay)
        if status < 300:
            with rcv.lock:
                rcv.delivered.append(rec)
        payload = b"ok" if status < 300 else b"error"
        try:
            self.send_response(status)
            self.send_header("Content-Length", str(len(payload)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(payload)
        except OSError:
            pass  # the client gave up (timeout)


class HttpReceiver:
    def __init__(self):
        self.lock = threading.Lock()
        self.requests, self.delivered = [], []
        self._fail, self._hang = {}, {}
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _HttpHandler)
        self.server.daemon_threads = True
        self.server.receiver = self
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def fail(self, prefix, k):
        with self.lock:
            self._fail[prefix] = k

    def hang(self, prefix, seconds):
        with self.lock:
            self._hang[prefix] = seconds

    def reset(self):
        with self.lock:
            self._fail.clear()
            self._hang.clear()

    def clear(self):
        with self.lock:
            self.requests, self.delivered = [], []

    def _decide(self, path):
        with self.lock:
            for prefix, secs in self._hang.items():
                if path.startswith(prefix):
                    return 504, secs
            for prefix, k in self._fail.items():
                if path.startswith(prefix) and k != 0:
                    self._fail[prefix] = k - 1
                    return 500, 0
        return 200, 0

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class _SmtpHandler(socketserver.StreamRequestHandler):
    def say(self, line):
        self.wfile.write(line.encode() + b"\r\n")
        self.wfile.flush()

    def handle(self):
        rcv = self.server.receiver
        self.say("220 localhost test SMTP")
        mail_from, rcpts = None, []
        while True:
            raw = self.rfile.readline()
            if not raw:
                return
            line = raw.rstrip(b"\r\n").decode("utf-8", "replace")
            verb = line[:4].upper()
            if verb in ("EHLO", "HELO"):
                self.say("250 localhost")
            elif line.upper().startswith("MAIL FROM:"):
                mail_from, rcpts = line[10:].strip(), []
                self.say("250 OK")
            elif line.upper().startswith("RCPT TO:"):
                rcpts.append(line[8:].strip())
                self.say("250 OK")
            elif verb == "DATA":
                self.say("354 End data with <CR><LF>.<CR><LF>")
                data = []
                while True:
                    d = self.rfile.readline()
                    if not d or d in (b".\r\n", b".\n"):
                        break
                    data.append(d[1:] if d.startswith(b".") else d)
                with rcv.lock:
                    rcv.messages.append({"mail_from": mail_from, "rcpts": rcpts,
                                         "data": b"".join(data)})
                self.say("250 OK queued")
            elif verb == "RSET":
                mail_from, rcpts = None, []
                self.say("250 OK")
            elif verb == "NOOP":
                self.say("250 OK")
            elif verb == "QUIT":
                self.say("221 bye")
                return
            else:
                self.say("502 command not implemented")


class SmtpReceiver:
    def __init__(self):
        self.lock = threading.Lock()
        self.messages = []
        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SmtpHandler)
        self.server.daemon_threads = True
        self.server.receiver = self
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self):
        return "smtp://127.0.0.1:%d" % self.port

    def clear(self):
        with self.lock:
            self.messages = []

    def close(self):
        self.server.shutdown()
        self.server.server_close()
