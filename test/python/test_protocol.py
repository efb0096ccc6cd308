"""Protocol behaviour checked with real Jupyter clients: jupyter_client's KernelManager and
BlockingKernelClient, and pyzmq for raw frames. Every test runs once per kernel profile (Sluice, and
ipykernel as a check of the harness; see kernel_harness.py), each against a fresh kernel.
"""

from __future__ import annotations

import json
import os
import signal
import time
import uuid
from pathlib import Path
from queue import Empty
from typing import Any, Dict, List, Optional

import pytest
import zmq
from jupyter_client.session import Session

from kernel_harness import DEFAULT_TIMEOUT, Message, RunningKernel, parent_id

#: The brief's bound: the interrupted cell's reply arrives within this many seconds of the interrupt.
INTERRUPT_REPLY_WITHIN = 2.0
#: How long output that a cell schedules for later may take to show up.
LATE_OUTPUT_TIMEOUT = 15.0


def error_text(content: Dict[str, Any]) -> str:
    return f"{content.get('ename', '')}: {content.get('evalue', '')}"


# --------------------------------------------------------------------------------------------------
# Interrupts
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["message", "signal"])
@pytest.mark.parametrize("case", ["busy-loop", "pending-await"])
def test_interrupt_stops_the_cell_and_keeps_state(kernel: RunningKernel, case: str, how: str) -> None:
    profile = kernel.profile
    # The kernelspec asks for interrupt_request messages; "signal" sends SIGINT to the process anyway.
    assert kernel.km.kernel_spec is not None
    assert kernel.km.kernel_spec.interrupt_mode == "message"
    kernel.execute_ok(profile.set_keep)

    msg_id = kernel.submit(profile.busy_loop if case == "busy-loop" else profile.pending_await)
    time.sleep(0.5)
    if how == "message":
        kernel.km.interrupt_kernel()
    else:
        os.kill(kernel.pid, signal.SIGINT)
    reply = kernel.shell_reply(msg_id, timeout=INTERRUPT_REPLY_WITHIN)

    content = reply["content"]
    assert content["status"] == "error", content
    assert profile.interrupted_marker in error_text(content).lower(), content
    kernel.iopub.wait_idle(msg_id)
    assert kernel.km.is_alive()
    assert kernel.execute_ok_after_error(profile.keep_plus_one).result_text() == "42"


# --------------------------------------------------------------------------------------------------
# stop_on_error
# --------------------------------------------------------------------------------------------------


def test_error_aborts_the_executes_queued_behind_it(kernel: RunningKernel) -> None:
    profile = kernel.profile
    failing = kernel.submit(profile.throw, stop_on_error=True)
    queued = [kernel.submit(profile.set_ran), kernel.submit(profile.set_ran)]

    assert kernel.shell_reply(failing)["content"]["status"] == "error"
    for msg_id in queued:
        assert kernel.shell_reply(msg_id)["content"]["status"] == "aborted"

    check = kernel.execute_ok_after_error(profile.ran_exists)
    assert (check.result_text() or "").lower() == "false"
    # Everything the kernel published for the aborted requests precedes the check's idle.
    for msg_id in queued:
        produced = [m["msg_type"] for m in kernel.iopub.for_parent(msg_id)]
        assert not {"execute_result", "stream", "error", "display_data"} & set(produced), produced


# --------------------------------------------------------------------------------------------------
# stdin
# --------------------------------------------------------------------------------------------------


def test_input_asks_the_frontend(kernel: RunningKernel) -> None:
    profile = kernel.profile
    msg_id = kernel.submit(profile.read_name, allow_stdin=True)
    request = kernel.kc.get_stdin_msg(timeout=DEFAULT_TIMEOUT)
    assert request["msg_type"] == "input_request"
    assert request["content"]["prompt"] == "Name?"
    assert request["content"]["password"] is False
    assert parent_id(request) == msg_id
    kernel.kc.input("Ada Lovelace")
    assert kernel.finish(msg_id).status == "ok"
    assert kernel.execute_ok(profile.show_name).result_text() == profile.repr_string("Ada Lovelace")


def test_password_is_flagged(kernel: RunningKernel) -> None:
    profile = kernel.profile
    msg_id = kernel.submit(profile.read_password, allow_stdin=True)
    request = kernel.kc.get_stdin_msg(timeout=DEFAULT_TIMEOUT)
    assert request["msg_type"] == "input_request"
    assert request["content"]["prompt"] == "pw"
    assert request["content"]["password"] is True
    kernel.kc.input("s3cret")
    execution = kernel.finish(msg_id)
    assert execution.status == "ok", execution.reply["content"]
    assert execution.result_text() == profile.repr_string("s3cret")


def test_input_without_allow_stdin_is_an_error_naming_stdin(kernel: RunningKernel) -> None:
    execution = kernel.execute(kernel.profile.read_name, allow_stdin=False)
    assert execution.status == "error"
    assert "stdin" in error_text(execution.reply["content"]).lower(), execution.reply["content"]
    with pytest.raises(Empty):
        kernel.kc.get_stdin_msg(timeout=0.2)
    assert kernel.execute_ok_after_error("1 + 1").result_text() == "2"


# --------------------------------------------------------------------------------------------------
# Comms
# --------------------------------------------------------------------------------------------------


def _send_shell(kernel: RunningKernel, msg_type: str, content: Dict[str, Any]) -> str:
    msg = kernel.kc.session.msg(msg_type, content)
    kernel.kc.shell_channel.send(msg)
    return msg["header"]["msg_id"]


def _comm_info(kernel: RunningKernel, target_name: Optional[str] = None) -> Dict[str, Any]:
    reply = kernel.shell_reply(kernel.kc.comm_info(target_name=target_name))
    assert reply["msg_type"] == "comm_info_reply"
    assert reply["content"]["status"] == "ok"
    return reply["content"]["comms"]


def test_comm_echo_info_and_close(kernel: RunningKernel) -> None:
    kernel.execute_ok(kernel.profile.register_echo)
    comm_id = uuid.uuid4().hex
    _send_shell(kernel, "comm_open", {"comm_id": comm_id, "target_name": "echo", "data": {}})
    payload = {"text": "ping", "n": 7, "nested": {"ok": True, "list": [1, "two"]}}
    _send_shell(kernel, "comm_msg", {"comm_id": comm_id, "data": payload})

    def is_for_comm(msg_type: str) -> Any:
        return lambda m: m["msg_type"] == msg_type and m["content"].get("comm_id") == comm_id

    echo_index = kernel.iopub.wait_for(is_for_comm("comm_msg"))
    assert kernel.iopub.messages[echo_index]["content"]["data"] == payload
    assert not any(is_for_comm("comm_close")(m) for m in kernel.iopub.messages), "the kernel closed the comm"

    assert _comm_info(kernel, "echo") == {comm_id: {"target_name": "echo"}}
    assert _comm_info(kernel)[comm_id] == {"target_name": "echo"}
    assert comm_id not in _comm_info(kernel, "no-such-target")

    _send_shell(kernel, "comm_close", {"comm_id": comm_id, "data": {}})
    assert comm_id not in _comm_info(kernel)
    # A message for the closed comm is ignored: no echo before the next cell has finished.
    after_close = len(kernel.iopub.messages)
    _send_shell(kernel, "comm_msg", {"comm_id": comm_id, "data": payload})
    assert kernel.execute_ok("1 + 1").result_text() == "2"
    assert not any(is_for_comm("comm_msg")(m) for m in kernel.iopub.messages[after_close:])


# --------------------------------------------------------------------------------------------------
# Security: signatures, replays, garbage
# --------------------------------------------------------------------------------------------------


class RawSocket:
    """A pyzmq socket connected to one of the kernel's channels, outside jupyter_client."""

    def __init__(self, kernel: RunningKernel, channel: str, socket_type: int = zmq.DEALER) -> None:
        info = kernel.km.get_connection_info()
        self.socket = zmq.Context.instance().socket(socket_type)
        self.socket.setsockopt(zmq.LINGER, 0)
        self.socket.connect(f"{info['transport']}://{info['ip']}:{info[f'{channel}_port']}")

    def send(self, frames: List[bytes]) -> None:
        self.socket.send_multipart(frames)

    def recv(self, timeout: float = DEFAULT_TIMEOUT) -> List[bytes]:
        if not self.socket.poll(int(timeout * 1000)):
            raise TimeoutError(f"nothing received within {timeout:.0f} s")
        return self.socket.recv_multipart()

    def reply_to(self, session: Session, msg_id: str, timeout: float = DEFAULT_TIMEOUT) -> Message:
        deadline = time.monotonic() + timeout
        while True:
            frames = self.recv(max(deadline - time.monotonic(), 0.001))
            _, rest = session.feed_identities(frames)
            msg = session.deserialize(rest)
            if parent_id(msg) == msg_id:
                return msg

    def close(self) -> None:
        self.socket.close(linger=0)


def _session(kernel: RunningKernel, key: Optional[bytes] = None) -> Session:
    info = kernel.km.get_connection_info()
    return Session(key=info["key"] if key is None else key, signature_scheme=info["signature_scheme"])


def _execute_request(session: Session, code: str) -> Message:
    return session.msg(
        "execute_request",
        {
            "code": code,
            "silent": False,
            "store_history": True,
            "user_expressions": {},
            "allow_stdin": False,
            "stop_on_error": True,
        },
    )


def _run_valid(kernel: RunningKernel, shell: RawSocket, session: Session, code: str) -> Message:
    msg = _execute_request(session, code)
    shell.send(session.serialize(msg))
    return shell.reply_to(session, msg["header"]["msg_id"])


def test_badly_signed_messages_are_not_executed(kernel: RunningKernel, tmp_path: Path) -> None:
    profile = kernel.profile
    markers = {name: tmp_path / f"{name}.marker" for name in ("wrong-key", "unsigned", "tampered")}
    good = _session(kernel)
    shell = RawSocket(kernel, "shell")
    try:
        wrong = _session(kernel, key=b"definitely-not-the-key")
        shell.send(wrong.serialize(_execute_request(wrong, profile.write_marker(str(markers["wrong-key"])))))

        unsigned = _session(kernel, key=b"")
        frames = unsigned.serialize(_execute_request(unsigned, profile.write_marker(str(markers["unsigned"]))))
        assert frames[1] == b"", "an empty key must produce an empty signature"
        shell.send(frames)

        # Signed correctly, then its content replaced: the signature no longer matches.
        decoy = tmp_path / "decoy.marker"
        signed = _execute_request(good, profile.write_marker(str(decoy)))
        frames = good.serialize(signed)
        tampered = dict(signed["content"], code=profile.write_marker(str(markers["tampered"])))
        frames[5] = json.dumps(tampered).encode()
        shell.send(frames)

        ok_marker = tmp_path / "follow-up.marker"
        reply = _run_valid(kernel, shell, good, profile.write_marker(str(ok_marker)))
        assert reply["content"]["status"] == "ok", reply["content"]
        assert ok_marker.exists(), "the valid follow-up request did not run"
        assert not decoy.exists()
        for name, marker in markers.items():
            assert not marker.exists(), f"the {name} message was executed"
    finally:
        shell.close()


def test_replayed_message_is_not_executed(kernel: RunningKernel, tmp_path: Path) -> None:
    profile = kernel.profile
    good = _session(kernel)
    marker = tmp_path / "replay.marker"
    original = _execute_request(good, profile.write_marker(str(marker)))
    frames = good.serialize(original)
    shell = RawSocket(kernel, "shell")
    other = RawSocket(kernel, "shell")
    try:
        shell.send(frames)
        assert shell.reply_to(good, original["header"]["msg_id"])["content"]["status"] == "ok"
        assert marker.exists(), "the original message did not run"
        marker.unlink()

        # The same bytes again, from another connection, then a valid request behind it.
        other.send(list(frames))
        ok_marker = tmp_path / "follow-up.marker"
        reply = _run_valid(kernel, other, good, profile.write_marker(str(ok_marker)))
        assert reply["content"]["status"] == "ok", reply["content"]
        assert ok_marker.exists(), "the valid follow-up request did not run"
        assert not marker.exists(), "the replayed message was executed"
    finally:
        shell.close()
        other.close()


def _garbage(session: Session) -> List[List[bytes]]:
    def signed(parts: List[bytes]) -> List[bytes]:
        return [b"<IDS|MSG>", session.sign(parts), *parts]

    header = json.dumps(
        {
            "msg_id": uuid.uuid4().hex,
            "msg_type": "execute_request",
            "session": "garbage",
            "username": "garbage",
            "date": "2024-01-01T00:00:00Z",
            "version": "5.3",
        }
    ).encode()
    unknown = header.replace(b'"execute_request"', b'"no_such_request"')
    reply = header.replace(b'"execute_request"', b'"input_reply"')
    return [
        [os.urandom(64)],
        [b""],
        [b"<IDS|MSG>"],
        [b"<IDS|MSG>", b""],
        [b"<IDS|MSG>", b"", b"{}", b"{}", b"{}", b"{}"],
        [b"<IDS|MSG>", b"0" * 64, b"not json", b"{}", b"{}", b"{}"],
        [os.urandom(8), b"<IDS|MSG>", os.urandom(32), os.urandom(100), b"{", b"[", b"null"],
        signed([b"not json", b"{}", b"{}", b"{}"]),
        signed([b"{}", b"{}", b"{}", b"{}"]),
        signed([b"[]", b"[]", b"[]", b"[]"]),
        signed([header, b"{}", b"{}", b"[1, 2]"]),
        signed([header, b"{}", b"{}", b'{"code": 42}']),
        signed([unknown, b"{}", b"{}", b"{}"]),
        signed([reply, b"{}", b"{}", b'{"value": "nobody asked"}']),
        [b"<IDS|MSG>", *[os.urandom(16) for _ in range(50)]],
        [bytes(range(256)) * 64],
    ]


def test_garbage_frames_do_not_kill_the_kernel(kernel: RunningKernel) -> None:
    good = _session(kernel)
    garbage = _garbage(good)
    sockets = {name: RawSocket(kernel, name) for name in ("shell", "control", "stdin")}
    heartbeat = RawSocket(kernel, "hb", zmq.REQ)
    spare_control = "control-frames-without-delimiter" in kernel.profile.known_gaps
    try:
        for frames in garbage:
            for name, socket in sockets.items():
                if name == "control" and spare_control and b"<IDS|MSG>" not in frames:
                    continue
                socket.send(frames)
            heartbeat.send(frames)
            assert heartbeat.recv() == frames, "the heartbeat did not echo"

        # Requests behind the garbage on the same connections are still answered.
        for name in ("shell", "control"):
            request = good.msg("kernel_info_request", {})
            sockets[name].send(good.serialize(request))
            reply = sockets[name].reply_to(good, request["header"]["msg_id"])
            assert reply["msg_type"] == "kernel_info_reply", name
    finally:
        for socket in sockets.values():
            socket.close()
        heartbeat.close()

    assert kernel.km.is_alive()
    reply = kernel.shell_reply(kernel.kc.kernel_info())
    assert reply["msg_type"] == "kernel_info_reply"
    assert kernel.execute_ok("1 + 1").result_text() == "2"
    # stdin still carries a real exchange
    msg_id = kernel.submit(kernel.profile.read_name, allow_stdin=True)
    request = kernel.kc.get_stdin_msg(timeout=DEFAULT_TIMEOUT)
    assert request["msg_type"] == "input_request"
    kernel.kc.input("after garbage")
    assert kernel.finish(msg_id).status == "ok"
    assert kernel.execute_ok(kernel.profile.show_name).result_text() == kernel.profile.repr_string("after garbage")


# --------------------------------------------------------------------------------------------------
# Shutdown
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("restart", [False, True], ids=["restart-false", "restart-true"])
def test_shutdown_request_answers_then_exits_cleanly(kernel: RunningKernel, restart: bool) -> None:
    process = kernel.process
    msg_id = kernel.kc.shutdown(restart=restart)
    reply = kernel.control_reply(msg_id)
    assert reply["msg_type"] == "shutdown_reply"
    assert reply["content"]["status"] == "ok"
    assert reply["content"]["restart"] is restart
    assert process.wait(timeout=10) == 0


# --------------------------------------------------------------------------------------------------
# History
# --------------------------------------------------------------------------------------------------


def test_history_survives_a_restart(kernel: RunningKernel) -> None:
    profile = kernel.profile
    marker = f"sluice-history-{uuid.uuid4().hex[:12]}"
    code = profile.history_cell(marker)
    kernel.execute_ok(code)
    [(first_session, line, text)] = kernel.history(hist_access_type="tail", n=1, output=False, raw=True)
    assert text == code

    kernel.km.restart_kernel(now=False)
    kernel.wait_ready()
    kernel.execute_ok(profile.set_keep)
    [(current_session, _, _)] = kernel.history(hist_access_type="tail", n=1, output=False, raw=True)
    assert current_session > first_session

    found = kernel.history(hist_access_type="search", pattern=f"*{marker}*", output=False, raw=True)
    assert (first_session, line, code) in found, found


# --------------------------------------------------------------------------------------------------
# Output produced after a cell finished
# --------------------------------------------------------------------------------------------------


def test_late_stream_output_belongs_to_its_cell(kernel: RunningKernel) -> None:
    profile = kernel.profile
    cell = kernel.execute_ok(profile.late_print)
    assert "late" not in cell.stream_text("stdout")
    idle = kernel.iopub.wait_idle(cell.msg_id)
    if profile.async_output_follows_origin:
        # Another cell runs meanwhile: the late output must still name the cell that scheduled it.
        kernel.execute_ok("1 + 1")

    index = kernel.iopub.wait_for(
        lambda m: m["msg_type"] == "stream" and "late" in m["content"]["text"],
        timeout=LATE_OUTPUT_TIMEOUT,
        start=idle + 1,
    )
    late = kernel.iopub.messages[index]
    assert late["content"]["name"] == "stdout"
    assert parent_id(late) == cell.msg_id


def test_late_failure_is_reported_to_its_cell(kernel: RunningKernel) -> None:
    profile = kernel.profile
    cell = kernel.execute(profile.late_failure)

    def reports_later(m: Message) -> bool:
        if parent_id(m) != cell.msg_id:
            return False
        if m["msg_type"] == "error":
            return "later" in error_text(m["content"])
        return m["msg_type"] == "stream" and m["content"]["name"] == "stderr" and "later" in m["content"]["text"]

    kernel.iopub.wait_for(reports_later, timeout=LATE_OUTPUT_TIMEOUT)
    assert kernel.km.is_alive()
    assert kernel.execute_ok("1 + 1").result_text() == "2"
