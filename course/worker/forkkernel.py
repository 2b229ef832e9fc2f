"""A jupyter_client kernel manager whose kernels are forked by the warm fork server.

Everything above the process (connection file, ZMQ channels, nbclient, nbgrader's Execute)
is jupyter_client's own; only "start a process" and "watch/kill that process" change.
The provisioner keeps LocalProvisioner's logic by handing it a Popen-like object.

Runs in: the sandboxed worker process (it asks the fork server for kernels).
"""

from __future__ import annotations

import asyncio
import copy
import os
import signal
import subprocess
import time
from typing import Any

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.kernelspec import KernelSpec
from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning.local_provisioner import LocalProvisioner
from traitlets import Type

from course.proc import kill_group
from course.worker.forkserver import ForkServer


class ForkedProcess:
    """The subset of subprocess.Popen that LocalProvisioner uses, for a forked kernel."""

    stdin = stdout = stderr = None

    def __init__(self, server: ForkServer, pid: int):
        self.server, self.pid = server, pid
        self.exit: dict | None = None

    def poll(self) -> int | None:
        if self.exit is None:
            self.exit = self.server.status(self.pid)
        if self.exit is None:
            return None
        return self.exit["exitcode"] if self.exit["signal"] is None else -self.exit["signal"]

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while (code := self.poll()) is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired("kernel", timeout or 0)
            time.sleep(0.02)
        return code

    def send_signal(self, signum: int) -> None:
        if self.exit is None:
            os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


class ForkProvisioner(LocalProvisioner):
    """LocalProvisioner whose launch is a fork of the warm server instead of Popen."""

    server: ForkServer | None = None

    async def launch_kernel(self, cmd: list[str], **kwargs: Any):
        # cmd is the kernelspec's `python -m ipykernel_launcher -f {connection_file} ...`;
        # the child runs IPKernelApp with the same arguments.
        argv = cmd[cmd.index("ipykernel_launcher") + 1 :]
        # The environment jupyter_client computed for the kernel (NBGRADER_EXECUTION included),
        # in full: the fork server's own environment is older than this request.
        env = dict(kwargs.get("env") or os.environ)
        cwd = str(kwargs.get("cwd") or os.getcwd())
        if self.server is None:
            raise RuntimeError("ForkProvisioner used without a fork server")
        pid = self.server.spawn(argv, cwd, env)
        # Popen's interface as far as LocalProvisioner uses it (see ForkedProcess).
        self.process = ForkedProcess(self.server, pid)  # type: ignore[assignment]
        self.parent.forked = self.process  # type: ignore[union-attr]  # outlives cleanup
        self.pid = self.pgid = pid  # the child calls setsid(): its pid is its process group
        self.cwd = cwd
        return self.connection_info

    async def wait(self) -> int | None:
        # LocalProvisioner polls every 0.1 s; a SIGKILLed fork is gone within milliseconds.
        code: int | None = 0
        if self.process:
            while (code := self.process.poll()) is None:
                await asyncio.sleep(0.005)
            self.process = None
        return code

    async def cleanup(self, restart: bool = False) -> None:
        # Whatever the student's code left running in the kernel's group goes with it.
        kill_group(self.pid)
        await super().cleanup(restart)


class QuickReadyClient(AsyncKernelClient):
    """AsyncKernelClient whose readiness check polls in 20 ms steps instead of 200 ms.

    The handshake is jupyter_client's: repeat kernel_info until a reply arrives on shell AND
    an IOPub message proves the subscription is live (a fresh SUB socket misses the first
    messages). jupyter_client then also waits for 0.2 s of IOPub silence; nbclient ignores
    IOPub messages whose parent is not the cell it executes, so draining what already
    arrived is enough.
    """

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (timeout if timeout is not None else float("inf"))
        while True:
            self.kernel_info()
            try:
                msg = await self.shell_channel.get_msg(timeout=1)
            except Exception:  # queue.Empty
                msg = None
            if msg is not None and msg["msg_type"] == "kernel_info_reply":
                try:
                    await self.iopub_channel.get_msg(timeout=0.02)
                except Exception:
                    pass
                else:
                    self._handle_kernel_info_reply(msg)
                    break
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout} seconds")
        while await self.iopub_channel.msg_ready():
            await self.iopub_channel.get_msg(timeout=0)


class ForkKernelManager(AsyncKernelManager):
    """Set `ForkKernelManager.server` before use; python kernels only (others spawn normally)."""

    server: ForkServer | None = None
    forked: ForkedProcess | None = None  # the kernel process, once started
    client_factory = Type(QuickReadyClient, klass=AsyncKernelClient)

    @property
    def kernel_spec(self):
        """jupyter_client's kernel spec lookup, once per worker: it scans every Jupyter data
        directory for kernel.json (~6 ms of each submission); each manager gets its own copy."""
        if self._kernel_spec is None and self.kernel_name:
            found = _SPECS.get(self.kernel_name)
            if found is None:
                found = _SPECS[self.kernel_name] = self.kernel_spec_manager.get_kernel_spec(
                    self.kernel_name
                )
            self._kernel_spec = KernelSpec(
                resource_dir=found.resource_dir, **copy.deepcopy(found.to_dict())
            )
        return self._kernel_spec

    async def _async_pre_start_kernel(self, **kw: Any):
        spec = self.kernel_spec
        if (
            self.provisioner is None
            and self.server is not None
            and spec is not None
            and spec.language == "python"
            and "ipykernel_launcher" in spec.argv
        ):
            self.kernel_id = self.kernel_id or kw.pop("kernel_id", None) or _new_id()
            self.provisioner = ForkProvisioner(
                kernel_id=self.kernel_id, kernel_spec=spec, parent=self
            )
            self.provisioner.server = self.server
        return await super()._async_pre_start_kernel(**kw)

    async def _async_wait(self, pollinterval: float = 0.1) -> None:
        # After SIGKILL the fork is gone within milliseconds; don't sleep 100 ms per kernel.
        await super()._async_wait(pollinterval=0.005)


_SPECS: dict[str, KernelSpec] = {}


def _new_id() -> str:
    import uuid

    return str(uuid.uuid4())
