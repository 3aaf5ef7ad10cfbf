#!/usr/bin/env python3
"""A webhook receiver for the tests: appends each POST body (one JSON per line) to a file and answers 200, or 503 to
the first --fail-first requests. With --tls CERT KEY it serves HTTPS. With --secret S it checks each post's
X-TrustedCompute-Timestamp (within 300 s) and X-TrustedCompute-Signature (sha256=HMAC-SHA256(S, "timestamp.body")),
answers 401 to a post that fails and appends it to LOG.rejected instead. Prints its port, then serves until killed."""
import argparse, hashlib, hmac, http.server, ssl, sys, threading, time

parser = argparse.ArgumentParser()
parser.add_argument("log")
parser.add_argument("--fail-first", type=int, default=0)
parser.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
parser.add_argument("--secret")
args = parser.parse_args()
lock = threading.Lock()
seen = {"posts": 0}


def signed(headers, body):
    if args.secret is None:
        return True
    stamp = headers.get("X-TrustedCompute-Timestamp", "")
    if not (stamp.isascii() and stamp.isdigit()) or abs(time.time() - int(stamp)) > 300:
        return False
    mac = hmac.new(args.secret.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(headers.get("X-TrustedCompute-Signature", ""), "sha256=" + mac)


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if not signed(self.headers, body):
            with lock, open(args.log + ".rejected", "ab") as f:
                f.write(body.replace(b"\n", b" ") + b"\n")
            self.send_response(401)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        with lock:
            seen["posts"] += 1
            failing = seen["posts"] <= args.fail_first
            if not failing:
                with open(args.log, "ab") as f:
                    f.write(body.replace(b"\n", b" ") + b"\n")
        self.send_response(503 if failing else 200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
if args.tls:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*args.tls)
    server.socket = context.wrap_socket(server.socket, server_side=True)
print(server.server_address[1], flush=True)
sys.stdout.close()
server.serve_forever()
