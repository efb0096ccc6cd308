"""Jupyter protocol conformance via jupyter_kernel_test: every one of its 12 tests runs (none skipped).

``TestSluiceConformance`` is the kernel under test. ``TestIpykernelHarnessConformance`` runs the same
suite against Debian's ipykernel with Python samples: it proves the harness and the machine's Jupyter
stack work, so a failure only in the Sluice class points at the kernel.
"""

from __future__ import annotations

from typing import Any, ClassVar, Optional

import jupyter_kernel_test as jkt

from kernel_harness import PROFILES, RunningKernel, prepare_environment, start_kernel


class _HarnessKernelTests(jkt.KernelTests):
    """Starts the kernel through the harness: temp Jupyter env, own history location, cwd in tmp."""

    __test__ = False
    harness_profile: ClassVar[str] = ""
    _running: ClassVar[Optional[RunningKernel]] = None

    @classmethod
    def setUpClass(cls) -> None:
        workdir = prepare_environment().root / f"conformance-{cls.harness_profile}"
        cls._running = start_kernel(PROFILES[cls.harness_profile], workdir)
        cls.km, cls.kc = cls._running.km, cls._running.kc

    @classmethod
    def tearDownClass(cls) -> None:
        if cls._running is not None:
            cls._running.stop()
            cls._running = None


class TestSluiceConformance(_HarnessKernelTests):
    __test__ = True
    harness_profile = "sluice"
    kernel_name = "sluice"

    language_name = "typescript"
    file_extension = ".ts"

    code_hello_world = 'console.log("hello, world")'
    code_stderr = 'console.error("oops")'

    completion_samples: Any = [
        {"text": "Math.PI.toFix", "matches": {"toFixed"}},
        {"text": "const zebraValue = 1;\nzebraV", "matches": {"zebraValue"}},
    ]

    complete_code_samples = ["1 + 1", "console.log('x')", "const a = 1;", "function f() {\n  return 1;\n}"]
    incomplete_code_samples = ["function f() {", "const x = [1,", "`abc", "1 +"]
    invalid_code_samples = ["1 +* 2", ")", "let 1x = 2;"]

    code_page_something = "Math.max?"

    code_generate_error = 'throw new Error("boom")'

    code_execute_result = [
        {"code": "1 + 1", "result": "2"},
        {"code": "'a' + 'b'", "result": "'ab'"},
    ]

    code_display_data = [
        {"code": "display.html('<b>hi</b>')", "mime": "text/html"},
        {"code": "display.markdown('# hi')", "mime": "text/markdown"},
        {
            "code": "display.vegalite({mark: 'point', data: {values: [{a: 1}]}, "
            "encoding: {x: {field: 'a', type: 'quantitative'}}})",
            "mime": "application/vnd.vegalite.v5+json",
        },
    ]

    supported_history_operations = ("tail", "range", "search")
    # A glob over the whole input (IPython semantics) that must match one code_execute_result sample:
    # "1 + 1". (The brief's "1?2*" is jupyter_kernel_test's IPython example and matches none of them.)
    code_history_pattern = "1?+?1"

    code_inspect_sample = "Math.max"

    code_clear_output = "clearOutput()"


class TestIpykernelHarnessConformance(_HarnessKernelTests):
    __test__ = True
    harness_profile = "ipykernel"
    kernel_name = PROFILES["ipykernel"].kernel_name

    language_name = "python"
    file_extension = ".py"

    code_hello_world = 'print("hello, world")'
    code_stderr = 'import sys\nprint("oops", file=sys.stderr)'

    completion_samples: Any = [
        {"text": "import math\nmath.fact", "matches": {"factorial"}},
        {"text": "zebra_value = 1\nzebra_v", "matches": {"zebra_value"}},
    ]

    complete_code_samples = ["1 + 1", "print('x')", "a = 1", "def f():\n    return 1\n\n"]
    incomplete_code_samples = ["def f():", "x = [1,", "'''abc", "1 + \\"]
    invalid_code_samples = ["1 +* 2", ")", "1x = 2"]

    code_page_something = "max?"

    code_generate_error = 'raise RuntimeError("boom")'

    code_execute_result = [
        {"code": "1 + 2", "result": "3"},
        {"code": "'a' + 'b'", "result": "'ab'"},
    ]

    code_display_data = [
        {"code": "from IPython.display import HTML, display\ndisplay(HTML('<b>hi</b>'))", "mime": "text/html"},
        {"code": "from IPython.display import Markdown, display\ndisplay(Markdown('# hi'))", "mime": "text/markdown"},
        {
            "code": "from IPython.display import JSON, display\ndisplay(JSON({'a': 1}))",
            "mime": "application/json",
        },
    ]

    supported_history_operations = ("tail", "range", "search")
    code_history_pattern = "1?+?2"

    code_inspect_sample = "max"

    code_clear_output = "from IPython.display import clear_output\nclear_output()"

    def history_helper(self, execute_first: Any, timeout: float = jkt.TIMEOUT, **histargs: Any) -> Any:
        # IPython answers a range request for the current session with session number 0 ("current")
        # instead of the absolute number that was asked for; translate, so the range check still runs.
        reply = super().history_helper(execute_first, timeout, **histargs)
        if histargs.get("hist_access_type") == "range":
            reply["content"]["history"] = [
                [histargs["session"] if entry[0] == 0 else entry[0], *entry[1:]]
                for entry in reply["content"]["history"]
            ]
        return reply
