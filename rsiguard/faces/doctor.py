"""``rsiguard doctor [--json]``: what rsiguard uses on this desktop, and what to fix.

A plain report: the session, the input backend ``auto`` picks and why (with what each
other candidate said), what it can measure, the notification server, the screen-lock
sources, the daemon (socket, status, systemd unit), then a verdict with concrete
fixes. It works with no display and no bus (it says so), starts nothing (no bus
activation, no Xwayland), and every check has a short timeout. Exit status 0.
Runs on the CLI's main thread.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Mapping
from dataclasses import asdict
from typing import Any, TextIO

from rsiguard.adapters.input import chooser
from rsiguard.adapters.input.probe import TIMEOUT, Probe, probe
from rsiguard.base.exitcodes import Exit

NOTIFY = "org.freedesktop.Notifications"
LOCK_NAMES = (
    "org.gnome.ScreenSaver",
    "org.gnome.Shell.ScreenShield",
    "org.freedesktop.ScreenSaver",
)
GROUP_FIX = (
    "join the 'input' group for full counts: sudo usermod -aG input $USER, then log in again"
)


def _bus_info(address: str | None) -> dict[str, Any]:
    """Owners of the screen-lock names and the notification server (never activates)."""
    if address is None:
        return {"bus": "none"}
    from jeepney import DBusAddress, MessageType, message_bus, new_method_call  # type: ignore[import-untyped, unused-ignore]
    from jeepney.io.blocking import open_dbus_connection  # type: ignore[import-untyped, unused-ignore]

    info: dict[str, Any] = {"bus": address}
    try:
        with open_dbus_connection(address, auth_timeout=TIMEOUT) as conn:

            def owner(name: str) -> str | None:
                reply = conn.send_and_get_reply(message_bus.GetNameOwner(name), timeout=TIMEOUT)
                ok = reply.header.message_type != MessageType.error
                return str(reply.body[0]) if ok else None

            info["screen_lock"] = {name: owner(name) for name in LOCK_NAMES}
            if owner(NOTIFY) is None:
                info["notifications"] = None
            else:
                srv = DBusAddress("/org/freedesktop/Notifications", NOTIFY, NOTIFY)
                got = conn.send_and_get_reply(
                    new_method_call(srv, "GetServerInformation"), timeout=TIMEOUT
                )
                caps = conn.send_and_get_reply(
                    new_method_call(srv, "GetCapabilities"), timeout=TIMEOUT
                )
                name, vendor, version, spec = (list(got.body) + ["?"] * 4)[:4]
                info["notifications"] = {
                    "name": name,
                    "vendor": vendor,
                    "version": version,
                    "spec": spec,
                    "capabilities": sorted(caps.body[0]) if caps.body else [],
                }
    except Exception as exc:
        info["error"] = f"{type(exc).__name__}: {exc}"
    return info


def _configured(env: Mapping[str, str]) -> tuple[str, str]:
    """(activity.backend, where it came from): environment, user file, or the default."""
    value = env.get("RSIGUARD_ACTIVITY__BACKEND")
    if value:
        return value, "RSIGUARD_ACTIVITY__BACKEND"
    from rsiguard.base.paths import user_config_file

    path = user_config_file(env)
    try:
        data = tomllib.loads(path.read_text())
        backend = data.get("activity", {}).get("backend")
        if isinstance(backend, str):
            return backend, str(path)
    except (OSError, tomllib.TOMLDecodeError, AttributeError):
        pass
    return "auto", "default"


def _daemon(env: Mapping[str, str]) -> dict[str, Any]:
    from rsiguard.base.paths import socket_path
    from rsiguard.control.client import NoDaemon, call_daemon
    from rsiguard.control.protocol import Request

    out: dict[str, Any] = {"socket": str(socket_path(env))}
    try:
        resp = call_daemon(env, Request("status"), 2.0)
        data = resp.data or {}
        out.update(running=True, pid=data.get("pid"), backends=data.get("backends", {}))
        out.update(
            config_sources=data.get("config_sources", []),
            locked_keys=data.get("locked_keys", []),
        )
    except NoDaemon as exc:
        out.update(running=False, why=str(exc))
    except Exception as exc:
        out.update(running=False, why=f"{type(exc).__name__}: {exc}")
    systemctl = shutil.which("systemctl")
    if systemctl:
        try:
            done = subprocess.run(
                [systemctl, "--user", "is-active", "rsiguard.service"],
                capture_output=True, text=True, timeout=2, env=dict(env), check=False,
            )  # fmt: skip
            said = done.stdout.strip() or (done.stderr.strip().splitlines() or ["?"])[-1]
            out["unit"] = said
        except (OSError, subprocess.TimeoutExpired):
            out["unit"] = "unknown (systemctl did not answer)"
    return out


def gather(env: Mapping[str, str], platform: str = sys.platform) -> dict[str, Any]:
    """Everything the report says, as plain data (``--json`` prints it)."""
    from rsiguard.adapters.notify.freedesktop import session_bus_address

    backend, origin = _configured(env)
    kind = chooser.session_kind(env, platform)
    every = [n for n in chooser.BACKENDS if n not in ("auto", "none")]
    probes = [probe(name, env, platform) for name in every]
    by_name = {p.name: p for p in probes}
    candidates = chooser.plan(env, backend, platform).names if backend in chooser.BACKENDS else ()
    chosen: Probe | None = next((by_name[n] for n in candidates if by_name[n].usable), None)
    return {
        "session": {
            "kind": kind,
            "XDG_SESSION_TYPE": env.get("XDG_SESSION_TYPE", ""),
            "WAYLAND_DISPLAY": env.get("WAYLAND_DISPLAY", ""),
            "DISPLAY": env.get("DISPLAY", ""),
            "XDG_CURRENT_DESKTOP": env.get("XDG_CURRENT_DESKTOP", ""),
            "XDG_SESSION_ID": env.get("XDG_SESSION_ID", ""),
        },
        "input": {
            "configured": backend,
            "configured_in": origin,
            "candidates": list(candidates),
            "chosen": chosen.name if chosen else None,
            "measures": chosen.measures if chosen else None,
            "probes": [asdict(p) for p in probes],
        },
        "session_bus": _bus_info(session_bus_address(env)),
        "daemon": _daemon(env),
    }


def verdict(data: dict[str, Any]) -> list[str]:
    """Concrete fixes, most important first (empty: nothing to fix)."""
    fixes = []
    inp = data["input"]
    probes = {p["name"]: p for p in inp["probes"]}
    if inp["configured"] not in chooser.BACKENDS:
        fixes.append(
            f"activity.backend = {inp['configured']!r} is unknown; use one of {chooser.BACKENDS}"
        )
    elif inp["chosen"] is None:
        fixes.append("rsiguard cannot see your input, so no break will come from activity:")
        for name in inp["candidates"]:
            fixes.append(f"  {name}: {probes[name]['detail']}")
        if "none readable" in probes["evdev"]["detail"]:
            fixes.append(f"  fix: {GROUP_FIX}")
        elif data["session"]["kind"] == "wayland":
            fixes.append(
                "  fix: run rsiguard inside the desktop session (GNOME: Mutter's idle monitor)"
            )
    elif inp["measures"] == "activity":
        fixes.append(f"{inp['chosen']} gives active time only (intensity unknown); {GROUP_FIX}")
    bus = data["session_bus"]
    if bus.get("bus") == "none":
        fixes.append(
            "no session bus: break offers go to the log only "
            "(start rsiguard inside your desktop session)"
        )
    elif bus.get("notifications") is None:
        fixes.append(
            "no notification server is running: break offers go to the log "
            "(install one, e.g. dunst or mako)"
        )
    if not data["daemon"].get("running"):
        fixes.append("the daemon is not running: rsiguard run (or ./dev install-service)")
    return fixes


def report(data: dict[str, Any]) -> str:
    """The human report."""
    s, inp, bus, d = data["session"], data["input"], data["session_bus"], data["daemon"]
    env_txt = (
        ", ".join(f"{k}={v}" for k, v in s.items() if k != "kind" and v) or "no display variables"
    )
    lines = [f"session:        {s['kind']} ({env_txt})"]
    chosen = inp["chosen"]
    how = {
        "counts": "full counts (keys, clicks, scroll, pointer travel)",
        "activity": "activity only (active time; intensity unknown)",
    }
    lines.append(
        f"input:          activity.backend = {inp['configured']} ({inp['configured_in']}); "
        + (f"uses {chosen}: {how[inp['measures']]}" if chosen else "nothing usable")
    )
    lines.append(f"  candidates in order: {', '.join(inp['candidates']) or '-'}")
    for p in inp["probes"]:
        mark = "ok " if p["usable"] else "no "
        lines.append(f"  {mark} {p['name']:<8} [{p['measures']}] {p['detail']}")
    if bus.get("bus") == "none":
        lines.append("session bus:    none")
    else:
        n = bus.get("notifications")
        if "error" in bus:
            lines.append(f"session bus:    {bus['bus']} (error: {bus['error']})")
        lines.append(
            "notifications:  "
            + (
                f"{n['name']} {n['version']} ({n['vendor']}), spec {n['spec']}, "
                f"capabilities: {' '.join(n['capabilities'])}"
                if n
                else "no server running"
            )
        )
        owners = bus.get("screen_lock", {})
        lock = (
            ", ".join(f"{k} ({v})" for k, v in owners.items() if v) or "no screensaver on the bus"
        )
        lines.append(f"screen lock:    {lock}")
    logind = next(p for p in inp["probes"] if p["name"] == "logind")
    lines.append(
        f"suspend, lock:  {'logind: ' + logind['detail'] if logind['usable'] else logind['detail']}"
    )
    if d.get("running"):
        b = d.get("backends", {})
        lines.append(f"daemon:         running (pid {d.get('pid')}), socket {d['socket']}")
        lines.append(
            f"  input: {b.get('input')}; notifications: {b.get('notifications')}; "
            f"screen lock: {b.get('screen_lock')}; suspend: {b.get('suspend')}"
        )
        sources = ", ".join(str(x) for x in d.get("config_sources", [])) or "defaults only"
        lines.append(f"  config: {sources}")
        if d.get("locked_keys"):
            lines.append(f"  locked by the site: {', '.join(map(str, d['locked_keys']))}")
    else:
        lines.append(f"daemon:         not running ({d.get('why')}); socket {d['socket']}")
    if "unit" in d:
        lines.append(f"systemd unit:   rsiguard.service {d['unit']}")
    fixes = verdict(data)
    lines.append("verdict:        " + ("all good" if not fixes else "to fix:"))
    lines += [f"  {fix}" for fix in fixes]
    return "\n".join(lines)


def main(env: Mapping[str, str], as_json: bool, out: TextIO) -> int:
    """Print the report (or its data as JSON); always exit 0."""
    data = gather(env)
    if as_json:
        data["verdict"] = verdict(data)
        print(json.dumps(data, indent=2), file=out)
    else:
        print(report(data), file=out)
    return Exit.OK


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main(os.environ, "--json" in sys.argv, sys.stdout))
