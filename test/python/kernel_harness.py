"""Shared machinery for Sluice's pytest suites.

- ``prepare_environment`` points every Jupyter/IPython/Sluice state variable at a temporary
  directory (never $HOME).
- ``PROFILES`` describes each kernel under test: Sluice itself, and Debian's ipykernel with
  equivalent Python snippets. The ipykernel profile checks the harness: if a test fails there too,
  the test (or the machine), not Sluice, is wrong.
- ``start_kernel`` starts a kernel through jupyter_client's KernelManager with its own history
  location and returns a ``RunningKernel`` with helpers that keep track of shell replies and iopub.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from queue import Empty
from typing import Any, Callable, Dict, FrozenSet, List, Optional, Tuple

from jupyter_client.manager import KernelManager

REPO_ROOT = Path(__file__).resolve().parents[2]
SLUICE_CLI = REPO_ROOT / "dist" / "cli" / "main.js"

#: Replies and idle states are waited for this long (seconds) unless a test says otherwise.
DEFAULT_TIMEOUT = 60.0

#: Kernelspec written into the temporary Jupyter path for the ipykernel profile (interrupt by message,
#: like Sluice's kernelspec).
IPYKERNEL_SPEC_NAME = "sluice-harness-ipykernel"

#: Environment variable naming the profiles to run, comma separated (default: all).
PROFILES_ENV = "SLUICE_TEST_KERNELS"

Message = Dict[str, Any]


# --------------------------------------------------------------------------------------------------
# Temporary Jupyter environment
# --------------------------------------------------------------------------------------------------


@dataclass
class HarnessEnvironment:
    """Where this pytest run keeps Jupyter state."""

    root: Path
    #: True when the directory was created here (and is removed at the end of the run).
    owned: bool

    @property
    def jupyter_path(self) -> Path:
        """``<root>/share/jupyter``: the prefix layout ``sluice install --prefix <root>`` writes."""
        return self.root / "share" / "jupyter"


_environment: Optional[HarnessEnvironment] = None


def prepare_environment() -> HarnessEnvironment:
    """Creates (once) the temporary Jupyter environment and exports it through os.environ.

    $SLUICE_TEST_HOME names the directory to use (the vitest runner passes one); otherwise a fresh
    temporary directory is created and removed by ``cleanup_environment``.
    """
    global _environment
    if _environment is not None:
        return _environment
    given = os.environ.get("SLUICE_TEST_HOME")
    if given:
        root = Path(given).resolve()
        root.mkdir(parents=True, exist_ok=True)
        env = HarnessEnvironment(root, owned=False)
    else:
        env = HarnessEnvironment(Path(tempfile.mkdtemp(prefix="sluice-pytest-")).resolve(), owned=True)
    env.jupyter_path.mkdir(parents=True, exist_ok=True)
    os.environ.update(
        {
            "SLUICE_TEST_HOME": str(env.root),
            "JUPYTER_PATH": str(env.jupyter_path),
            "JUPYTER_DATA_DIR": str(env.root / "data"),
            "JUPYTER_RUNTIME_DIR": str(env.root / "runtime"),
            "JUPYTER_CONFIG_DIR": str(env.root / "config"),
            "IPYTHONDIR": str(env.root / "ipython"),
            "SLUICE_HISTORY_FILE": str(env.root / "sluice-history.jsonl"),
            "XDG_CACHE_HOME": str(env.root / "cache"),
            "MPLCONFIGDIR": str(env.root / "matplotlib"),
            # ipykernel's debugger otherwise warns about frozen modules on every start
            "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        }
    )
    _environment = env
    return env


def cleanup_environment() -> None:
    """Removes the temporary directory if this run created it (keep it with SLUICE_TEST_KEEP=1)."""
    global _environment
    env = _environment
    _environment = None
    if env is not None and env.owned and os.environ.get("SLUICE_TEST_KEEP") != "1":
        shutil.rmtree(env.root, ignore_errors=True)


# --------------------------------------------------------------------------------------------------
# Kernel profiles
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KernelProfile:
    """A kernel under test and the snippets that express each scenario in its language."""

    name: str
    kernel_name: str
    language: str
    #: Defines ``keep`` = 41.
    set_keep: str
    #: Evaluates ``keep + 1``; its text/plain result is "42".
    keep_plus_one: str
    #: Never finishes on its own, synchronously.
    busy_loop: str
    #: Never finishes on its own, waiting (Sluice: a pending top-level await).
    pending_await: str
    #: Lower-case text that ename + evalue of an interrupted cell contain.
    interrupted_marker: str
    #: Fails with an error.
    throw: str
    #: Would record that it ran (a global named ``ran``).
    set_ran: str
    #: Evaluates whether ``ran`` exists; text/plain result equals "false" case-insensitively.
    ran_exists: str
    #: Reads a line with prompt "Name?" into ``name``.
    read_name: str
    #: Evaluates ``name``.
    show_name: str
    #: Reads a password with prompt "pw" and evaluates it.
    read_password: str
    #: How a string value ``s`` is shown as text/plain.
    repr_string: Callable[[str], str]
    #: Registers comm target "echo" whose comms send every message's data back.
    register_echo: str
    #: Creates the file at the given path.
    write_marker: Callable[[str], str]
    #: A cell that stores a unique marker text in history (and evaluates to something harmless).
    history_cell: Callable[[str], str]
    #: Prints "late" to stdout about 300 ms after the cell finished.
    late_print: str
    #: Fails with "later" after the cell finished (an unhandled rejection or its equivalent).
    late_failure: str
    #: Whether output produced after a cell finished stays attributed to that cell even when another
    #: cell has run in between (Sluice tracks the asynchronous context; ipykernel does not).
    async_output_follows_origin: bool
    #: Installs the kernelspec into the test environment.
    install: Callable[[HarnessEnvironment], None]
    #: Checks this kernel is known to fail (bugs of the reference kernel, named in the tests that
    #: consult it). Sluice has none.
    known_gaps: FrozenSet[str] = frozenset()


def _run(cmd: List[str], what: str) -> None:
    proc = subprocess.run(cmd, cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:
        raise RuntimeError(
            f"{what} failed (exit code {proc.returncode}): {' '.join(cmd)}\n"
            f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
        )


def _install_sluice(env: HarnessEnvironment) -> None:
    if not SLUICE_CLI.exists():
        raise RuntimeError(
            f"{SLUICE_CLI.relative_to(REPO_ROOT)} does not exist: build the kernel first "
            "(`npx tsc -p tsconfig.json`; `npm test` does it)"
        )
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("`node` is not on PATH; Sluice's kernelspec cannot be installed")
    _run([node, str(SLUICE_CLI), "install", "--prefix", str(env.root)], "sluice install --prefix")
    spec = env.jupyter_path / "kernels" / "sluice" / "kernel.json"
    if not spec.exists():
        raise RuntimeError(f"`sluice install --prefix {env.root}` did not write {spec}")


def _install_ipykernel(env: HarnessEnvironment) -> None:
    spec_dir = env.jupyter_path / "kernels" / IPYKERNEL_SPEC_NAME
    spec_dir.mkdir(parents=True, exist_ok=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (Sluice test harness)",
        "language": "python",
        "interrupt_mode": "message",
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec, indent=2))


SLUICE = KernelProfile(
    name="sluice",
    kernel_name="sluice",
    language="typescript",
    set_keep="let keep = 41;",
    keep_plus_one="keep + 1",
    busy_loop="while (true) {}",
    pending_await="await new Promise(() => {})",
    interrupted_marker="interrupted",
    throw='throw new Error("boom")',
    set_ran="(globalThis as any).ran = true;",
    ran_exists='"ran" in globalThis',
    read_name='const name = await input("Name?")',
    show_name="name",
    read_password='await password("pw")',
    repr_string=lambda s: "'" + s + "'",
    register_echo='comms.registerTarget("echo", (comm, data) => comm.onMsg(m => comm.send(m)))',
    write_marker=lambda path: (
        'import { writeFileSync } from "node:fs";\n' f"writeFileSync({json.dumps(path)}, \"x\");"
    ),
    history_cell=lambda marker: f"1 + 0 // {marker}",
    late_print='setTimeout(() => console.log("late"), 300)',
    late_failure='void Promise.reject(new Error("later"));',
    async_output_follows_origin=True,
    install=_install_sluice,
)

IPYKERNEL = KernelProfile(
    name="ipykernel",
    kernel_name=IPYKERNEL_SPEC_NAME,
    language="python",
    set_keep="keep = 41",
    keep_plus_one="keep + 1",
    busy_loop="while True:\n    pass",
    # ipykernel 6.17 cannot interrupt a pending top-level await (ipython/ipykernel#881): a waiting
    # sleep stands in, so the harness's interrupt path is still checked against it.
    pending_await="import time\ntime.sleep(3600)",
    interrupted_marker="keyboardinterrupt",
    throw='raise RuntimeError("boom")',
    set_ran="ran = True",
    ran_exists="'ran' in globals()",
    read_name='name = input("Name?")',
    show_name="name",
    read_password='import getpass\ngetpass.getpass("pw")',
    repr_string=lambda s: "'" + s + "'",
    register_echo=(
        "get_ipython().kernel.comm_manager.register_target(\n"
        "    'echo', lambda comm, msg: comm.on_msg(lambda m: comm.send(m['content']['data'])))"
    ),
    write_marker=lambda path: f"open({path!r}, 'w').write('x')",
    history_cell=lambda marker: f"1 + 0  # {marker}",
    late_print="import threading\nthreading.Timer(0.3, lambda: print('late')).start()",
    late_failure=(
        "import threading\n"
        "def _fail_later():\n"
        "    raise RuntimeError('later')\n"
        "threading.Timer(0.1, _fail_later).start()"
    ),
    async_output_follows_origin=False,
    install=_install_ipykernel,
    # ipykernel 6.17's control thread stops answering for good after a message without the
    # "<IDS|MSG>" delimiter.
    # ipykernel 6.17 ends its stop_on_error abort window with a callback that can run after the next
    # execute_request was already dispatched, so an execute sent right after an error reply is
    # sometimes aborted too (a race in Kernel._abort_queues).
    known_gaps=frozenset({"control-frames-without-delimiter", "aborts-execute-right-after-error"}),
)

PROFILES: Dict[str, KernelProfile] = {p.name: p for p in (SLUICE, IPYKERNEL)}


def selected_profile_names() -> List[str]:
    """Profiles named by $SLUICE_TEST_KERNELS (comma separated), default all."""
    raw = os.environ.get(PROFILES_ENV, "").strip()
    if not raw:
        return list(PROFILES)
    names = [n.strip() for n in raw.split(",") if n.strip()]
    unknown = [n for n in names if n not in PROFILES]
    if unknown:
        raise ValueError(
            f"${PROFILES_ENV} names unknown kernel profiles {unknown}; known: {sorted(PROFILES)}"
        )
    return names


_install_results: Dict[str, Optional[str]] = {}


def ensure_kernelspec(profile: KernelProfile) -> None:
    """Installs the profile's kernelspec once per run; a failure is remembered and re-raised."""
    if profile.name not in _install_results:
        try:
            profile.install(prepare_environment())
            _install_results[profile.name] = None
        except Exception as error:  # remembered so every test reports the same cause quickly
            _install_results[profile.name] = str(error)
    failure = _install_results[profile.name]
    if failure is not None:
        raise RuntimeError(f"kernelspec for profile {profile.name!r} is not available: {failure}")


# --------------------------------------------------------------------------------------------------
# Running kernels
# --------------------------------------------------------------------------------------------------


@dataclass
class Execution:
    """An answered execute_request: its reply and the iopub output between busy and idle."""

    msg_id: str
    reply: Message
    outputs: List[Message]

    @property
    def status(self) -> str:
        return self.reply["content"]["status"]

    def result_text(self) -> Optional[str]:
        """text/plain of the execute_result, if there is one."""
        for msg in self.outputs:
            if msg["msg_type"] == "execute_result":
                return msg["content"]["data"].get("text/plain")
        return None

    def stream_text(self, name: str) -> str:
        return "".join(
            m["content"]["text"]
            for m in self.outputs
            if m["msg_type"] == "stream" and m["content"]["name"] == name
        )


@dataclass
class IopubLog:
    """Every iopub message received so far, in order, with waiting helpers."""

    read: Callable[[float], Message]
    messages: List[Message] = field(default_factory=list)

    def wait_for(
        self, predicate: Callable[[Message], bool], timeout: float = DEFAULT_TIMEOUT, start: int = 0
    ) -> int:
        """Index of the first message at or after ``start`` matching ``predicate`` (reads more as needed)."""
        deadline = time.monotonic() + timeout
        index = start
        while True:
            while index < len(self.messages):
                if predicate(self.messages[index]):
                    return index
                index += 1
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(
                    f"no matching iopub message within {timeout:.0f} s; received since index {start}: "
                    + json.dumps([_brief(m) for m in self.messages[start:]], indent=1)
                )
            try:
                self.messages.append(self.read(min(remaining, 1.0)))
            except Empty:
                pass

    def wait_idle(self, msg_id: str, timeout: float = DEFAULT_TIMEOUT) -> int:
        """Index of the idle status whose parent is ``msg_id``."""
        return self.wait_for(lambda m: is_status(m, "idle", msg_id), timeout)

    def for_parent(self, msg_id: str, start: int = 0, stop: Optional[int] = None) -> List[Message]:
        return [m for m in self.messages[start:stop] if parent_id(m) == msg_id]


def parent_id(msg: Message) -> Optional[str]:
    return (msg.get("parent_header") or {}).get("msg_id")


def is_status(msg: Message, state: str, msg_id: str) -> bool:
    return (
        msg["msg_type"] == "status"
        and msg["content"].get("execution_state") == state
        and parent_id(msg) == msg_id
    )


def _brief(msg: Message) -> Dict[str, Any]:
    content = json.dumps(msg.get("content"), default=str)
    return {
        "msg_type": msg.get("msg_type"),
        "parent": parent_id(msg),
        "content": content if len(content) < 300 else content[:300] + "…",
    }


class RunningKernel:
    """A kernel started for one test (or test class), with its manager and blocking client."""

    def __init__(self, profile: KernelProfile, km: KernelManager, workdir: Path) -> None:
        self.profile = profile
        self.km = km
        self.workdir = workdir
        self.kc = km.client()
        self.kc.start_channels()
        self.iopub = IopubLog(read=lambda t: self.kc.get_iopub_msg(timeout=t))
        self._stashed_shell: Dict[str, Message] = {}
        self._stashed_control: Dict[str, Message] = {}

    # ---- lifecycle -------------------------------------------------------------------------------

    @property
    def pid(self) -> int:
        process = getattr(self.km.provisioner, "process", None)
        if process is None:
            raise RuntimeError("the kernel manager has no local kernel process")
        return process.pid

    @property
    def process(self) -> Any:
        """The kernel's subprocess.Popen."""
        return self.km.provisioner.process  # type: ignore[union-attr]

    def wait_ready(self, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.kc.wait_for_ready(timeout=timeout)
        # wait_for_ready leaves its kernel_info traffic behind: start from a clean slate
        self.drain()

    def drain(self) -> None:
        """Forgets pending shell/iopub messages (keeps nothing)."""
        for get in (self.kc.get_shell_msg, self.kc.get_iopub_msg):
            while True:
                try:
                    get(timeout=0.05)
                except Empty:
                    break
        self.iopub.messages.clear()
        self._stashed_shell.clear()

    def stop(self) -> None:
        try:
            self.kc.stop_channels()
        finally:
            if self.km.has_kernel:
                try:
                    self.km.shutdown_kernel(now=not self.km.is_alive())
                except Exception:
                    self.km.shutdown_kernel(now=True)
            else:
                self.km.cleanup_resources()

    # ---- requests --------------------------------------------------------------------------------

    def submit(self, code: str, **options: Any) -> str:
        """Sends an execute_request without waiting; returns its msg_id."""
        return self.kc.execute(code, **options)

    def shell_reply(self, msg_id: str, timeout: float = DEFAULT_TIMEOUT) -> Message:
        return self._reply(msg_id, timeout, self.kc.get_shell_msg, self._stashed_shell, "shell")

    def control_reply(self, msg_id: str, timeout: float = DEFAULT_TIMEOUT) -> Message:
        return self._reply(msg_id, timeout, self.kc.get_control_msg, self._stashed_control, "control")

    def _reply(
        self,
        msg_id: str,
        timeout: float,
        get: Callable[..., Message],
        stash: Dict[str, Message],
        channel: str,
    ) -> Message:
        if msg_id in stash:
            return stash.pop(msg_id)
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no {channel} reply to {msg_id} within {timeout:.1f} s")
            try:
                msg = get(timeout=min(remaining, 1.0))
            except Empty:
                continue
            if parent_id(msg) == msg_id:
                return msg
            stash[parent_id(msg) or ""] = msg

    def finish(self, msg_id: str, timeout: float = DEFAULT_TIMEOUT) -> Execution:
        """Waits for the reply and the idle status of an execute_request sent with ``submit``."""
        reply = self.shell_reply(msg_id, timeout)
        start = self.iopub.wait_for(lambda m: is_status(m, "busy", msg_id), timeout)
        stop = self.iopub.wait_idle(msg_id, timeout)
        outputs = [
            m
            for m in self.iopub.for_parent(msg_id, start + 1, stop)
            if m["msg_type"] not in ("status", "execute_input")
        ]
        return Execution(msg_id, reply, outputs)

    def execute(self, code: str, timeout: float = DEFAULT_TIMEOUT, **options: Any) -> Execution:
        return self.finish(self.submit(code, **options), timeout)

    def execute_ok(self, code: str, timeout: float = DEFAULT_TIMEOUT, **options: Any) -> Execution:
        """Executes and fails the test, showing the error, unless the reply status is ok."""
        execution = self.execute(code, timeout, **options)
        content = execution.reply["content"]
        assert execution.status == "ok", (
            f"cell {code!r} failed: {content.get('ename')}: {content.get('evalue')}\n"
            + "\n".join(content.get("traceback", []))
        )
        return execution

    def execute_ok_after_error(self, code: str, timeout: float = DEFAULT_TIMEOUT) -> Execution:
        """``execute_ok`` for the first cell after a failed one.

        Strict for Sluice; for a reference kernel with the known gap
        "aborts-execute-right-after-error" one aborted attempt is retried after a short pause.
        """
        if "aborts-execute-right-after-error" in self.profile.known_gaps:
            first = self.execute(code, timeout)
            if first.status != "aborted":
                assert first.status == "ok", first.reply["content"]
                return first
            time.sleep(0.5)
        return self.execute_ok(code, timeout)

    def history(self, timeout: float = DEFAULT_TIMEOUT, **options: Any) -> List[Tuple[Any, ...]]:
        msg_id = self.kc.history(**options)
        reply = self.shell_reply(msg_id, timeout)
        assert reply["content"]["status"] == "ok", reply["content"]
        return [tuple(entry) for entry in reply["content"]["history"]]


def start_kernel(profile: KernelProfile, workdir: Path) -> RunningKernel:
    """Starts the profile's kernel with cwd and history (Sluice's file, IPython's dir) in ``workdir``."""
    ensure_kernelspec(profile)
    workdir.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env["SLUICE_HISTORY_FILE"] = str(workdir / "sluice-history.jsonl")
    env["IPYTHONDIR"] = str(workdir / "ipython")
    km = KernelManager(kernel_name=profile.kernel_name)
    km.start_kernel(env=env, cwd=str(workdir))
    kernel = RunningKernel(profile, km, workdir)
    try:
        kernel.wait_ready()
    except BaseException:
        kernel.stop()
        raise
    return kernel
