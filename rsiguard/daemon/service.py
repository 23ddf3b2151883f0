"""Wiring: one asyncio loop owns the state; events in, effects out through adapters.

Threads: input threads post samples with ``call_soon_threadsafe``; everything else
(D-Bus, the control socket, the timer, the state file) runs on the loop thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import pickle
import signal
import sys
import time
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from rsiguard import __version__
from rsiguard.adapters import statefile
from rsiguard.adapters import systemd as sd
from rsiguard.adapters.input.monitor import ActivityMonitor, counting
from rsiguard.adapters.notify.backends import Notifier, open_notifier
from rsiguard.adapters.recorder import Recorder
from rsiguard.adapters.session.screenlock import ScreenLockWatcher
from rsiguard.adapters.timers import WakeTimer
from rsiguard.base.exitcodes import Exit
from rsiguard.base.paths import runtime_dir_problem, socket_path, state_dir
from rsiguard.control.protocol import SCHEMA_VERSION, Request, Response, error
from rsiguard.control.server import AlreadyRunning, ControlServer, UnsafeDirectory
from rsiguard.core import events as ev
from rsiguard.core import text
from rsiguard.core.effects import (
    BREAK_SLOT,
    CHECKIN_SLOT,
    CloseNotification,
    Effect,
    Notify,
    OpenWindow,
    Record,
    Reply,
    Schedule,
)
from rsiguard.core.machine import initial_state, step
from rsiguard.core.policy import BreakKind
from rsiguard.core.state import Phase
from rsiguard.core.view import status as status_view
from rsiguard.daemon.coalesce import OneAtATime
from rsiguard.daemon.faces import Faces, offer_by_window
from rsiguard.settings.validate import Validated, ValidationFailed, in_child_async

log = logging.getLogger("rsiguard")

# Notification buttons -> the events they stand for.
ACTIONS: dict[str, ev.Event] = {
    "start": ev.StartBreak(),
    "snooze": ev.Snooze(),
    "skip": ev.Skip(),
    "next": ev.NextStep(),
    "stop": ev.StopRoutine(),
}


def boottime() -> float:
    """Monotonic seconds that keep counting through suspend (Linux), else monotonic."""
    clock = getattr(time, "CLOCK_BOOTTIME", None)
    return time.clock_gettime(clock) if clock is not None else time.monotonic()


def today() -> str:
    """The local date, ``YYYY-MM-DD``."""
    return time.strftime("%Y-%m-%d")


class Daemon:
    """The running daemon: state, adapters, and the control server."""

    def __init__(
        self, env: Mapping[str, str], validated: Validated, user_file: Path | None
    ) -> None:
        self.env = env
        self.validated = validated
        self.loaded = validated.loaded
        self.user_file = user_file
        self.state = initial_state(self.loaded.policy)
        self.state_path = state_dir(env) / "state.json"
        self.saver = statefile.Saver(self.state_path)
        self.recorder: Recorder | None = None  # statistics, once the loop runs
        self.server = ControlServer(socket_path(env), self._handle)
        self.timer = WakeTimer(self._wake, boottime)
        self.notifier: Notifier | None = None
        self.monitor: ActivityMonitor | None = None
        self.screenlock = ScreenLockWatcher(self._on_lock, env, on_sleep=self.save)
        self._stop = asyncio.Event()
        self._save_handle: asyncio.TimerHandle | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.faces = Faces(env, self._on_offer_closed)
        self._date_behind = ""  # the earlier date last warned about
        self.early_hup: list[int] = []  # SIGHUPs that came before the loop could take them
        # Reloads run one at a time; requests during one share the next (see reload()).
        self._reloads = OneAtATime(self._validate_and_apply)

    # --- the loop ------------------------------------------------------------

    def _check_day(self) -> None:
        """Start a new day when the local date has moved on; a date that goes back (a
        clock set back, a time zone change) is logged once and never resets the counts."""
        now, day = today(), self.state.today.day
        if now > day:
            self.dispatch(ev.NewDay(now))
            self._ask_week()
        elif now < day and self._date_behind != now:
            self._date_behind = now
            log.warning(
                "the local date went back from %s to %s; keeping %s's counts", day, now, day
            )

    def dispatch(self, event: ev.Event) -> list[Reply]:
        """Step the core with ``event`` now and carry out its effects; return its replies."""
        if isinstance(event, ev.ActivitySample):
            self._check_day()
        at = boottime()
        before = self.state
        self.state, effects = step(self.state, event, at)
        if isinstance(event, ev.ActivitySample) and self.recorder is not None:
            backend = self.monitor.status.split(" ")[0] if self.monitor else ""
            self.recorder.activity(
                before.today, self.state.today, time.time(), before.policy.intensity, backend
            )
        self._mark_dirty()
        return self._execute(effects, at)

    def _ask_week(self) -> None:
        """Have the statistics tell the core how active the six days before today were,
        and whether a discomfort check-in is owed (asked at most twice, once a day)."""
        if self.recorder is not None:
            self.recorder.week_before(self._week_so_far)
            self.recorder.checkin_owed(self.loaded.checkin_every_days, self._ask_checkin)

    def _ask_checkin(self) -> None:
        self._spawn(self._show(text.checkin_reminder()))
        if self.recorder is not None:
            self.recorder.event("checkin", "asked", "", time.time())

    def _week_so_far(self, seconds: float) -> None:
        self.dispatch(ev.WeekSoFar(seconds))

    def _wake(self) -> None:
        self.dispatch(ev.Wake())

    def _sample(self, sample: ev.ActivitySample) -> None:
        self.dispatch(sample)

    def _execute(self, effects: list[Effect], at: float) -> list[Reply]:
        replies: list[Reply] = []
        for effect in effects:
            if isinstance(effect, Notify):
                self._spawn(self._show(effect))
            elif isinstance(effect, CloseNotification):
                self._spawn(self._close(effect.slot))
            elif isinstance(effect, Schedule):
                self.timer.set(effect.at, at)
            elif isinstance(effect, Record):
                routine = f" (routine {effect.routine})" if effect.routine else ""
                note = f"; {effect.note}" if effect.note else ""
                what = "pause" if effect.kind == "pause" else f"{effect.kind} break"
                log.info("%s: %s%s%s", what, effect.outcome, routine, note)
                if self.recorder is not None:
                    self.recorder.event(effect.kind, effect.outcome, effect.routine, time.time())
            elif isinstance(effect, OpenWindow):
                self._spawn(self.faces.break_window())
            elif isinstance(effect, Reply):
                replies.append(effect)
        return replies

    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _show(self, n: Notify) -> None:
        notifier = self.notifier
        if notifier is None:
            return
        if n.offer:
            await notifier.prepare()  # is the server (and what it shows) known now?
            if not self._offered():
                return  # handled (or hidden by a lock) while we waited: nothing to show
            window = not self.faces.offer_failed and offer_by_window(
                self.loaded.offer_mode, notifier.buttons, self.faces.display
            )
            if window:
                # The window carries the buttons; the bubble only says a break is due.
                hint = "Buttons: in rsiguard's window, bottom right. " + n.cli_hint
                await notifier.show(replace(n, actions=(), cli_hint=hint))
                self._spawn(self._offer_window(n))
                return
        await notifier.show(n)

    def _offered(self) -> bool:
        """Whether a break is on offer now: due, not closed (dismissed), not locked."""
        st = self.state
        return st.phase is Phase.DUE and not st.locked and st.until is None

    async def _offer_window(self, n: Notify) -> None:
        if await self.faces.offer_window(self._offered) and self._offered():
            # The window could not open: the bubble carries the buttons after all.
            await self._show(n)

    async def _close(self, slot: str) -> None:
        if self.notifier is not None:
            await self.notifier.close(slot)

    def _on_action(self, slot: str, key: str) -> None:
        if slot == CHECKIN_SLOT:
            if key == "checkin":
                self._spawn(self.faces.checkin_window())
            return
        event = ACTIONS.get(key)
        if event is None:
            log.warning("ignoring unknown notification action %r", key)
            return
        for reply in self.dispatch(event):
            if not reply.ok:
                log.info("notification action %s refused: %s", key, reply.message)

    def _on_input_change(self, status: str) -> None:
        level = logging.INFO if counting(status) else logging.WARNING
        log.log(level, "input: %s", status)

    def _on_lock(self, locked: bool) -> None:
        self.dispatch(ev.ScreenLock(locked))

    def _on_offer_closed(self) -> None:
        self.dispatch(ev.Dismissed(BREAK_SLOT))

    def _on_dismissed(self, slot: str) -> None:
        if slot == BREAK_SLOT and self.faces.offer_open:
            log.debug("the offer's bubble was closed; the offer window still offers the break")
            return
        self.dispatch(ev.Dismissed(slot))

    # --- persistence -----------------------------------------------------------

    def _mark_dirty(self) -> None:
        if self._save_handle is None:
            loop = asyncio.get_running_loop()
            self._save_handle = loop.call_later(statefile.SAVE_DELAY, self.save)

    def save(self) -> None:
        """Write the state file now (loop thread)."""
        if self._save_handle is not None:
            self._save_handle.cancel()
            self._save_handle = None
        self.saver.save(statefile.snapshot(self.state, time.time()))  # logs once per problem

    # --- commands --------------------------------------------------------------

    def status(self) -> dict[str, Any]:
        """The full status reply (described by docs/status.schema.json)."""
        self._check_day()  # midnight may have passed while nobody typed
        data = status_view(self.state, boottime())
        data.update(
            schema_version=SCHEMA_VERSION,
            version=__version__,
            pid=os.getpid(),
            config_sources=self.loaded.sources,
            locked_keys=self.loaded.locked_keys,
            config_warnings=self.loaded.warnings,
            backends={
                "input": self.monitor.status if self.monitor else "none: not started",
                "input_measures": self.monitor.measures if self.monitor else None,
                "input_skipped": self.monitor.skipped if self.monitor else {},
                "notifications": self.notifier.name if self.notifier else "none: not started",
                "notifications_why": self.notifier.why if self.notifier else "",
                "screen_lock": self.screenlock.status,
                "suspend": self.screenlock.sleep_status,
            },
        )
        if self.monitor is not None and self.monitor.measures == "activity":
            data["intensity"]["load_per_min"] = None  # no counts: intensity is unknown
        return data

    def _log_validated(self, v: Validated) -> None:
        for notice in v.notices:
            log.info("%s", notice)
        if v.catalog_error:
            log.error("routine files not used, built-in routines only:\n%s", v.catalog_error)
        for warning in v.loaded.warnings:
            log.warning("%s", warning)

    async def reload(self) -> Response:
        """Re-read the config; a bad file keeps the last good one running.

        One validation child at a time: a request while one runs waits for the next one,
        which all such requests share (200 SIGHUPs make two reloads, not 200 children),
        and which reads the files as they are after the last request.
        """
        return await self._reloads()

    async def _validate_and_apply(self) -> Response:
        try:
            validated = await in_child_async(self.env, self.user_file)
        except (ValidationFailed, RuntimeError, OSError, pickle.UnpicklingError) as exc:
            log.error("reload failed, keeping the previous configuration:\n%s", exc)
            return error(f"configuration not reloaded, previous one kept:\n{exc}", Exit.BAD_CONFIG)
        loaded = validated.loaded
        restart = [
            name
            for name, old, new in (
                ("notifications.backend", self.loaded.notify_backend, loaded.notify_backend),
                ("activity.backend", self.loaded.input_backend, loaded.input_backend),
            )
            if old != new
        ]
        self.loaded = loaded
        self._log_validated(validated)
        replies = self.dispatch(ev.PolicyChanged(loaded.policy))
        if restart:
            note = f"{', '.join(restart)} changed: takes effect when rsiguard restarts"
            log.warning("%s", note)
            return Response(True, f"configuration reloaded; {note}")
        log.info("configuration reloaded from %s", ", ".join(loaded.sources) or "defaults")
        return Response(True, replies[0].message if replies else "reloaded")

    def command(self, req: Request) -> Response:
        """Answer one control request (also used in-process by tests)."""
        if req.cmd == "status":
            return Response(True, "", self.status())
        duration = req.args.get("duration")
        kind = req.args.get("kind")
        events: dict[str, ev.Event] = {
            "snooze": ev.Snooze(duration),
            "skip": ev.Skip(),
            "break": ev.StartBreak(BreakKind(kind) if kind else None),
            "pause": ev.Pause(duration),
            "resume": ev.Resume(),
            "next": ev.NextStep(),
            "stop": ev.StopRoutine(),
        }
        replies = self.dispatch(events[req.cmd])
        if not replies:
            return error("no reply from the core", Exit.ERROR)
        reply = replies[0]
        if reply.ok:
            return Response(True, reply.message)
        return error(reply.message, Exit.REFUSED)

    def _sighup(self) -> None:
        self._spawn(self._reload_for_systemd())

    async def _reload_for_systemd(self) -> None:
        sd.reloading(self.env)
        try:
            await self.reload()
        except Exception:  # a bug: log it, and still tell systemd the reload is over
            log.exception("reload failed")
        finally:
            sd.ready(self.env, "watching")

    async def _handle(self, req: Request) -> Response:
        if req.cmd == "reload":
            return await self.reload()
        return self.command(req)

    # --- life cycle ------------------------------------------------------------

    async def run(self) -> int:
        """Run until SIGTERM/SIGINT; return the exit status."""
        loop = asyncio.get_running_loop()
        if problem := runtime_dir_problem(self.env):
            log.info("%s: the control socket is %s", problem, self.server.path)
        try:
            await self.server.start()
        except AlreadyRunning as exc:
            print(f"rsiguard: {exc}", file=sys.stderr)
            return Exit.ALREADY_RUNNING
        except UnsafeDirectory as exc:
            print(f"rsiguard: cannot open the control socket: {exc}", file=sys.stderr)
            return Exit.BAD_CONFIG
        try:
            await self._start_adapters(loop)
            sd.ready(self.env, "watching")
            log.info("rsiguard %s ready on %s", __version__, self.server.path)
            await self._stop.wait()
        finally:
            await self._shutdown()
        return Exit.OK

    async def _start_adapters(self, loop: asyncio.AbstractEventLoop) -> None:
        # We hold the instance lock: a temp file here is a save a kill -9 cut short.
        statefile.clean_leftovers(self.state_path)
        saved = statefile.load(self.state_path)  # never blocks; moves aside what it cannot use
        self.state = replace(self.state, today=replace(self.state.today, day=today()))
        if saved is not None:
            self.state = statefile.restore(self.state, saved, today(), time.time())
        self._log_validated(self.validated)
        self.recorder = Recorder(state_dir(self.env) / "stats.db", loop)
        self.recorder.start(self.loaded.stats_retention_days)
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self._stop.set)
        loop.add_signal_handler(signal.SIGHUP, self._sighup)
        if self.early_hup:
            log.info("SIGHUP arrived while starting: reloading the configuration")
            self._sighup()
        self.timer.start()
        self.notifier = await open_notifier(
            self.loaded.notify_backend, self._on_action, self._on_dismissed, self.env
        )
        log.info("notifications: %s", self.notifier.name)
        await self.screenlock.start()
        self.monitor = ActivityMonitor(
            loop,
            self._sample,
            self.env,
            self.loaded.input_backend,
            on_change=self._on_input_change,
        )
        self.monitor.start()
        log.info("input: %s", self.monitor.status)
        self._ask_week()  # now that a notifier can show a check-in reminder

    async def _shutdown(self) -> None:
        sd.stopping(self.env)
        if self.monitor is not None:
            self.monitor.stop()
        self.timer.shutdown()
        self.save()
        if self.recorder is not None:
            self.recorder.close()
        await self.screenlock.aclose()
        if self.notifier is not None:
            with contextlib.suppress(Exception):
                await self.notifier.close("break")
                await self.notifier.aclose()
        await self.server.close()
