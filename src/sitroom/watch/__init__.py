"""Live monitoring: poll news feeds, turn new items into events, alert on what matters.

* :mod:`sitroom.watch.config`: the ``sitroom.toml`` configuration (feeds, rules, sinks).
* :mod:`sitroom.watch.http`: conditional GET with timeouts, retries, backoff and a size limit.
* :mod:`sitroom.watch.sources`: RSS/Atom URLs, JSON endpoints and folders as new items.
* :mod:`sitroom.watch.state`: feed state, items seen, alert marks and the alert outbox, in the store.
* :mod:`sitroom.watch.rules`: which events an alert rule matches, and which updates alert again.
* :mod:`sitroom.watch.sinks`: standard output, file, webhook and e-mail delivery.
* :mod:`sitroom.watch.watcher`: the loop that ties them together (``sitroom watch``).

``docs/watch.md`` is the reference for the configuration and the guarantees.
"""

from __future__ import annotations

from sitroom.watch.config import FeedConfig, RuleConfig, WatchConfig, WatchSettings, load_config, parse_config
from sitroom.watch.state import FeedStatus, WatchState
from sitroom.watch.watcher import PollReport, RunSummary, Watcher

__all__ = [
    "FeedConfig",
    "FeedStatus",
    "PollReport",
    "RuleConfig",
    "RunSummary",
    "WatchConfig",
    "WatchSettings",
    "WatchState",
    "Watcher",
    "load_config",
    "parse_config",
]
