"""Backfill on a Dask cluster: the per-document stages on the cluster, the database here.

:func:`backfill` connects to a Dask distributed scheduler (or starts a local cluster of worker
processes) and runs :meth:`Pipeline.ingest <sitroom.pipeline.Pipeline.ingest>` with the
cluster as its executor: the workers detect each document's language and extract its
mentions (with geocoding), while this process reads the inputs, ships them to the workers a
few chunks ahead, and keeps the duplicate check, dedupe and every store write in input order.
The database is therefore exactly the one a single-process ``sitroom ingest`` would give, and
any store works, since only this process opens it.

Every worker must be able to import the same sitroom version as this process: :func:`connect`
checks the version the workers have installed and refuses a cluster where one differs or
lacks it. Dask itself is optional: ``pip install 'sitroom[dask]'``. See ``docs/backfill.md``.
"""

from __future__ import annotations

import concurrent.futures as cf
import gc
import os
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as installed_version
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from sitroom.errors import ConfigError, SitroomError
from sitroom.ingest import ReadResult
from sitroom.pipeline import DocumentOutcome, IngestSummary, Pipeline
from sitroom.store import Store

if TYPE_CHECKING:
    from distributed import Client

__all__ = ["DEFAULT_TIMEOUT", "Cluster", "ClusterError", "backfill", "connect", "parse_local"]

#: Seconds to wait for the scheduler to answer and for a worker to join it.
DEFAULT_TIMEOUT = 10.0

_INSTALL_HINT = "install it with: pip install 'sitroom[dask]'"
_LOCAL = re.compile(r"local(?::(\d+))?")

_P = ParamSpec("_P")
_T = TypeVar("_T")


class ClusterError(SitroomError):
    """The cluster failed while a backfill ran (a worker lost, the scheduler gone)."""

    code = "cluster"


@dataclass(frozen=True, slots=True)
class Cluster:
    """A connection to a Dask cluster, as :func:`connect` yields it."""

    address: str  #: the scheduler's address (for a local cluster, the one it listens on)
    local: bool  #: whether :func:`connect` started the cluster itself
    workers: int  #: worker processes when connected
    threads: int  #: their threads, together: documents read at the same time
    executor: cf.Executor  #: runs the pipeline's reading tasks on the cluster
    client: Client


def parse_local(scheduler: str) -> int | None:
    """The worker count of ``local`` (one per CPU) or ``local:N``; ``None`` for a scheduler address."""
    match = _LOCAL.fullmatch(scheduler.strip())
    if match is None:
        return None
    if match.group(1) is None:
        return _cpu_count()
    n = int(match.group(1))
    if n < 1:
        raise ConfigError(f"{scheduler!r}: a local cluster needs at least one worker (local:N, N ≥ 1)")
    return n


def _cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@contextmanager
def connect(scheduler: str, *, timeout: float = DEFAULT_TIMEOUT) -> Iterator[Cluster]:
    """A client of the cluster at ``scheduler`` (``tcp://host:8786``, or ``local``/``local:N`` to
    start N worker processes of one thread here), closed on leaving, with the cluster it started.

    Raises :class:`~sitroom.errors.ConfigError` when Dask is not installed, the scheduler does
    not answer within ``timeout`` seconds, no worker joins it within ``timeout``, or a worker
    lacks this process's sitroom version.
    """
    if timeout <= 0:
        raise ConfigError(f"the timeout must be a positive number of seconds, not {timeout}")
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:
        raise ConfigError(f"the Dask backfill needs dask.distributed ({exc}); {_INSTALL_HINT}") from exc

    n_local = parse_local(scheduler)
    with ExitStack() as stack:
        if n_local is not None:
            cluster = _construct(
                lambda: LocalCluster(
                    n_workers=n_local,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=":0",  # the scheduler's HTTP port: any free one
                ),
                lambda exc: f"cannot start a local Dask cluster of {n_local} workers: {exc}",
            )
            stack.callback(cluster.close)
            address = str(cluster.scheduler_address)
        else:
            address = scheduler.strip()

        def refused(exc: Exception) -> str:
            if not isinstance(exc, OSError):
                return (
                    f"{address!r} is not a Dask scheduler address ({exc}): give tcp://HOST:PORT (a "
                    "scheduler listens on port 8786 by default), or local / local:N to start N workers here"
                )
            return (
                f"cannot reach the Dask scheduler at {address} within {timeout:g} s ({exc}): is "
                "`dask scheduler` running there, and is its port open to this host? (--timeout waits longer)"
            )

        client = _construct(lambda: Client(address, timeout=timeout, set_as_default=False), refused)
        stack.callback(client.close)
        try:
            client.wait_for_workers(1, timeout=timeout)
        except OSError as exc:  # TimeoutError included
            raise ConfigError(
                f"the Dask scheduler at {address} has no worker after {timeout:g} s: start some with "
                f"`dask worker {address} --nthreads 1` (--timeout waits longer)"
            ) from exc
        _check_versions(client, address)
        nthreads = {str(k): int(v) for k, v in client.nthreads().items()}
        executor = _ClusterExecutor(client.get_executor(pure=False))
        stack.callback(executor.shutdown, wait=False, cancel_futures=True)
        yield Cluster(
            address=address,
            local=n_local is not None,
            workers=len(nthreads),
            threads=max(1, sum(nthreads.values())),
            executor=executor,
            client=client,
        )


def _construct(make: Callable[[], _T], message: Callable[[Exception], str]) -> _T:
    """``make()``, or :class:`ConfigError` with ``message(exc)`` when it fails to connect.

    A Dask ``Client`` or ``LocalCluster`` whose constructor fails closes itself in ``__del__``;
    while the failure's traceback keeps it alive that may happen at any later garbage collection,
    and when that falls inside the start of another client or cluster, distributed's event-loop
    runner deadlocks (seen in this project's tests). So the error raised here does not carry
    the traceback, and the half-made object is collected now.
    """
    failure: str | None = None
    try:
        return make()
    except (OSError, ValueError, TypeError) as exc:  # TimeoutError included
        failure = message(exc)
    finally:
        if failure is not None:
            gc.collect()
    raise ConfigError(failure)


def _check_versions(client: Client, address: str) -> None:
    """Refuse workers without this process's sitroom: they could not run a task, or would read
    documents otherwise than this process (and a single-process run) does."""
    try:
        mine = installed_version("sitroom")
    except PackageNotFoundError:
        return  # sitroom imported from a source tree, not installed: nothing to compare with
    versions: Any = client.get_versions(packages=["sitroom"])
    workers: dict[str, Any] = dict(versions.get("workers") or {})
    wrong: list[str] = []
    for name, info in sorted(workers.items()):
        packages = info.get("packages") if isinstance(info, dict) else None
        theirs = packages.get("sitroom") if isinstance(packages, dict) else None
        if theirs != mine:
            wrong.append(f"{name} ({'no sitroom installed' if theirs is None else f'sitroom {theirs}'})")
    if wrong:
        raise ConfigError(
            f"workers of the Dask scheduler at {address} do not have sitroom {mine}, as this process "
            f"has: {', '.join(wrong)}. Install the same sitroom in the workers' environment and restart them"
        )


class _ClusterExecutor(cf.Executor):
    """The Dask client's executor, with failures of the cluster itself (a worker killed again
    and again, the scheduler gone, a task that cannot be unpacked on a worker) turned into
    :class:`ClusterError`; any other exception of a task is passed on as it is."""

    def __init__(self, inner: cf.Executor) -> None:
        self._inner = inner

    def submit(self, fn: Callable[_P, _T], /, *args: _P.args, **kwargs: _P.kwargs) -> cf.Future[_T]:
        inner = self._inner.submit(fn, *args, **kwargs)
        outer: cf.Future[_T] = cf.Future()

        def forward(done: cf.Future[_T]) -> None:
            if done.cancelled():
                outer.set_exception(_failed("a task was cancelled: the scheduler went away, or the client"))
                return
            exc = done.exception()
            if exc is None:
                outer.set_result(done.result())
            else:
                outer.set_exception(_cluster_error(exc) or exc)

        inner.add_done_callback(forward)
        return outer

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._inner.shutdown(wait=wait and not cancel_futures)


def _cluster_error(exc: BaseException) -> ClusterError | None:
    from distributed import KilledWorker

    if isinstance(exc, KilledWorker):
        reason = str(exc)  # which task, how many workers died running it, the last one
    elif isinstance(exc, ImportError):
        reason = f"a worker cannot import what it needs ({exc}); is the same sitroom installed there?"
    elif isinstance(exc, OSError | cf.CancelledError):
        reason = f"{type(exc).__name__}: {exc}"
    else:
        return None
    error = _failed(f"a task failed on the cluster: {reason}")
    error.__cause__ = exc
    return error


def _failed(what: str) -> ClusterError:
    return ClusterError(
        f"{what}. The documents stored before it are kept: run the same backfill again to go on "
        "(stored documents are skipped)"
    )


def backfill(
    results: Iterable[ReadResult],
    store: Store,
    *,
    scheduler: str | Cluster,
    workers: int | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    on_outcome: Callable[[DocumentOutcome], None] | None = None,
) -> IngestSummary:
    """Ingest ``results`` into ``store`` (opened by the caller) with the language and extract
    stages run on the Dask cluster at ``scheduler`` (an address for :func:`connect`, or a
    :class:`Cluster` it yielded, which stays open); the outcomes and the database are those of
    ``Pipeline(store).ingest(results)``.

    ``workers`` is how many documents the cluster reads at the same time (chunks in flight are
    a few times that); by default, the threads of the cluster's workers. Raises
    :class:`~sitroom.errors.ConfigError` when the cluster cannot be used and :class:`ClusterError`
    when it fails during the run (the documents stored before the failure are kept).
    """
    if workers is not None and workers < 1:
        raise ConfigError(f"workers must be at least 1, not {workers}")
    if isinstance(scheduler, Cluster):
        return _ingest(results, store, scheduler, workers, on_outcome)
    with connect(scheduler, timeout=timeout) as cluster:
        return _ingest(results, store, cluster, workers, on_outcome)


def _ingest(
    results: Iterable[ReadResult],
    store: Store,
    cluster: Cluster,
    workers: int | None,
    on_outcome: Callable[[DocumentOutcome], None] | None,
) -> IngestSummary:
    return Pipeline(store).ingest(
        results, on_outcome=on_outcome, workers=workers or cluster.threads, executor=cluster.executor
    )
