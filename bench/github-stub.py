#!/usr/bin/env python3
"""A stand-in for GitHub's REST API on loopback, for the pull-request comment benchmark: one open pull request
(BASE_REF at BASE_SHA <- HEAD_REF at HEAD_SHA) and its comments kept in memory (list, create, update). Prints
its port on the first line of stdout.

usage: github-stub.py BASE_REF BASE_SHA HEAD_REF HEAD_SHA
"""
import json
import re
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

comments = []
base_ref, base_sha, head_ref, head_sha = sys.argv[1:5]


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *arguments):
        pass

    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(length) or b"{}")

    def do_GET(self):
        if re.match(r"^/repos/[^/]+/[^/]+/pulls/\d+$", self.path):
            return self.answer(200, {
                "number": int(self.path.rsplit("/", 1)[1]), "state": "open", "html_url": "http://127.0.0.1/pull",
                "base": {"ref": base_ref, "sha": base_sha}, "head": {"ref": head_ref, "sha": head_sha}})
        if re.match(r"^/repos/[^/]+/[^/]+/issues/\d+/comments", self.path):
            return self.answer(200, comments)
        self.answer(404, {"message": "Not Found"})

    def do_POST(self):
        if re.match(r"^/repos/[^/]+/[^/]+/issues/\d+/comments", self.path):
            number = len(comments) + 1
            comment = {"id": number, "body": self.body().get("body", ""),
                       "html_url": f"http://127.0.0.1/pull#issuecomment-{number}"}
            comments.append(comment)
            return self.answer(201, comment)
        self.answer(404, {"message": "Not Found"})

    def do_PATCH(self):
        match = re.match(r"^/repos/[^/]+/[^/]+/issues/comments/(\d+)", self.path)
        if match and 0 < int(match.group(1)) <= len(comments):
            comments[int(match.group(1)) - 1]["body"] = self.body().get("body", "")
            return self.answer(200, comments[int(match.group(1)) - 1])
        self.answer(404, {"message": "Not Found"})


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
