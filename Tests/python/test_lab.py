"""`make lab`: notebooks/lab.py registers the `swiftnn` kernel in the virtualenv and starts
JupyterLab. The test starts it on 127.0.0.1 (a free port, a random token), talks to it over
HTTP as a browser would (REST for the kernel, the kernel's websocket for code), runs
`import swiftnn` in a `swiftnn` kernel, and shuts the server down."""
import asyncio
import json
import os
import pathlib
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid

import pytest

LAB = pathlib.Path(__file__).resolve().parents[2] / "notebooks" / "lab.py"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(base, token, path, method="GET", body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method,
                                 headers={"Authorization": f"token {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as response:
        text = response.read().decode()
        return response.status, (json.loads(text) if text else None)


def wait_until_up(base, token, server, log, deadline=90):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if server.poll() is not None:
            pytest.fail(f"JupyterLab exited with {server.returncode}:\n{log.read_text()}")
        try:
            return request(base, token, "/api/status")
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.5)
    pytest.fail(f"JupyterLab did not answer within {deadline} s:\n{log.read_text()}")


async def execute(url, code, timeout=120):
    """Runs `code` in the kernel behind the websocket `url`; returns its stdout."""
    from tornado.websocket import websocket_connect
    socket_ = await websocket_connect(url)
    msg_id, session = uuid.uuid4().hex, uuid.uuid4().hex
    socket_.write_message(json.dumps({
        "header": {"msg_id": msg_id, "session": session, "username": "test", "msg_type": "execute_request",
                   "version": "5.3", "date": ""},
        "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
        "content": {"code": code, "silent": False, "store_history": False, "user_expressions": {},
                    "allow_stdin": False},
    }))
    out, error = [], None
    try:
        while True:
            raw = await asyncio.wait_for(socket_.read_message(), timeout)
            assert raw is not None, "the kernel's websocket closed"
            message = json.loads(raw)
            if message.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = message["msg_type"], message["content"]
            if kind == "stream":
                out.append(content["text"])
            elif kind == "error":
                error = f"{content['ename']}: {content['evalue']}"
            elif kind == "status" and content["execution_state"] == "idle":
                break
    finally:
        socket_.close()
    assert error is None, error
    return "".join(out)


def test_make_lab_serves_a_kernel_that_imports_swiftnn(tmp_path):
    pytest.importorskip("jupyterlab")
    port, token = free_port(), secrets.token_hex(16)
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"), JUPYTER_CONFIG_DIR=str(tmp_path / "config"))
    log = tmp_path / "lab.log"
    with open(log, "w") as sink:
        server = subprocess.Popen([sys.executable, str(LAB), "--no-browser", "--ip=127.0.0.1", f"--port={port}",
                                   "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}"],
                                  stdout=sink, stderr=subprocess.STDOUT, env=env)
    try:
        status, _ = wait_until_up(base, token, server, log)
        assert status == 200
        with pytest.raises(urllib.error.HTTPError) as refused:  # the token is required
            request(base, "wrong-token", "/api/kernels")
        assert refused.value.code == 403
        _, specs = request(base, token, "/api/kernelspecs")
        assert "swiftnn" in specs["kernelspecs"], specs["kernelspecs"].keys()
        _, kernel = request(base, token, "/api/kernels", "POST", {"name": "swiftnn"})
        assert kernel["name"] == "swiftnn"
        url = f"ws://127.0.0.1:{port}/api/kernels/{kernel['id']}/channels?token={token}"
        out = asyncio.run(execute(url, "import sys, swiftnn\nprint(swiftnn.__version__, sys.prefix)\n"
                                       "print(swiftnn.models.normal_CNN()(swiftnn.randn(1, 3, 32, 32)).shape)"))
        import swiftnn
        assert f"{swiftnn.__version__} {sys.prefix}" in out
        assert "(1, 10)" in out or "[1, 10]" in out
        status, _ = request(base, token, f"/api/kernels/{kernel['id']}", "DELETE")
        assert status == 204
        request(base, token, "/api/shutdown", "POST")
        assert server.wait(timeout=60) == 0
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
