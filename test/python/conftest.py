"""pytest setup for Sluice's Python suites (conformance + protocol tests with real Jupyter clients).

The temporary Jupyter environment is created before any test module is imported, so neither the
kernels nor jupyter_client ever read or write Jupyter state under $HOME. Kernelspecs are installed
into it on first use (see kernel_harness.ensure_kernelspec).

Kernel profiles: $SLUICE_TEST_KERNELS (comma separated: sluice, ipykernel; default both) selects
which kernels the tests run against. Tests of other profiles are deselected, not skipped.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator, List, Optional

import pytest

import kernel_harness
from kernel_harness import PROFILES, KernelProfile, RunningKernel, start_kernel

kernel_harness.prepare_environment()


def pytest_configure(config: pytest.Config) -> None:
    try:
        kernel_harness.selected_profile_names()
    except ValueError as error:
        raise pytest.UsageError(str(error)) from error
    # tmp_path directories live (and are removed) with the rest of the run's state
    if not config.option.basetemp:
        config.option.basetemp = str(kernel_harness.prepare_environment().root / "pytest-tmp")


def pytest_unconfigure(config: pytest.Config) -> None:
    kernel_harness.cleanup_environment()


def pytest_report_header(config: pytest.Config) -> List[str]:
    env = kernel_harness.prepare_environment()
    return [
        f"sluice: Jupyter state in {env.root}",
        f"sluice: kernel profiles {', '.join(kernel_harness.selected_profile_names())}",
    ]


def _profile_of(item: pytest.Item) -> Optional[str]:
    callspec = getattr(item, "callspec", None)
    if callspec is not None and "profile" in callspec.params:
        return str(callspec.params["profile"])
    return getattr(getattr(item, "cls", None), "harness_profile", None)


def pytest_collection_modifyitems(config: pytest.Config, items: List[pytest.Item]) -> None:
    selected = set(kernel_harness.selected_profile_names())
    keep: List[pytest.Item] = []
    drop: List[pytest.Item] = []
    for item in items:
        name = _profile_of(item)
        (drop if name is not None and name not in selected else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(params=list(PROFILES))
def profile(request: pytest.FixtureRequest) -> KernelProfile:
    """Each kernel profile in turn (see kernel_harness.PROFILES)."""
    return PROFILES[request.param]


@pytest.fixture
def kernel(profile: KernelProfile, tmp_path: Path) -> Iterator[RunningKernel]:
    """A fresh kernel of the profile, stopped after the test."""
    running = start_kernel(profile, tmp_path / "kernel")
    try:
        yield running
    finally:
        running.stop()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """A skipped conformance test is a failure: every jupyter_kernel_test test must run."""
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    if report.skipped and getattr(getattr(item, "cls", None), "harness_profile", None):
        report.outcome = "failed"
        report.longrepr = (
            f"{item.nodeid} was skipped; every jupyter_kernel_test test must run "
            f"(set the sample attribute it needs). Skip reason: {report.longrepr}"
        )
