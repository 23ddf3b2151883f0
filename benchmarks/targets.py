"""The issue's targets, judged as ratios of one run's numbers (PASS, MISS or N/A)."""

from __future__ import annotations

from typing import Any

ACCURACY_KINDS = ("keys", "clicks", "scroll", "moves")
ACCURACY_TOLERANCE = 0.005  # counted/sent within 0.5 % (over-counting is inaccurate too)


def ok(p: dict[str, Any] | None) -> bool:
    """The program ran and was measured."""
    return p is not None and "error" not in p and "cpu_flood_s" in p


TARGETS = {  # id -> (what the issue asks, the limit as shown)
    "flood_cpu": ("daemon CPU during the flood <= 1/5 of Workrave's", "<= 0.2"),
    "accuracy": (
        "counting accuracy >= 99.5 % (keys, clicks, scroll, moves)",
        "each within 0.5 % of sent",
    ),
    "idle_wakeups": ("wake-ups while idle <= 0.2/s", "<= 0.2"),
    "idle_rss": ("idle RSS <= Workrave's", "<= 1.0"),
    "status_latency": ("`rsiguard status` <= 3x `python -c pass`", "<= 3.0"),
    "day_growth": ("memory growth over a simulated day <= 1 MB", "<= 1 MB"),
}

Verdict = tuple[Any, bool | None, str]  # value shown, passed (None: cannot tell), detail


def _flood_cpu(r: Any, wr: Any) -> Verdict:
    ratio = r["cpu_flood_s"] / wr["cpu_flood_s"] if wr["cpu_flood_s"] > 0 else float("inf")
    detail = f"{r['cpu_flood_s']:.2f} s vs {wr['cpu_flood_s']:.2f} s"
    return round(ratio, 3), ratio <= 0.2, detail


def _accuracy(r: Any) -> Verdict:
    ratios = (r.get("accuracy") or {}).get("ratio") or {}
    if any(ratios.get(k) is None for k in ACCURACY_KINDS):
        return None, False, "a count is missing"
    worst = max(abs(1 - ratios[k]) for k in ACCURACY_KINDS)
    shown = ", ".join(f"{k} {ratios[k] * 100:.2f} %" for k in ACCURACY_KINDS)
    return shown, worst <= ACCURACY_TOLERANCE, ""


def _idle_wakeups(r: Any) -> Verdict:
    w = r["wakeups_idle_per_s"]
    return w, w <= 0.2, f"{r['wakeups_idle']} in {r['idle_window_s']} s"


def _idle_rss(r: Any, wr: Any) -> Verdict:
    ratio = r["rss_idle_kb"] / wr["rss_idle_kb"]
    pss = r["pss_idle_kb"] / wr["pss_idle_kb"]
    detail = f"{mb(r['rss_idle_kb'])} vs {mb(wr['rss_idle_kb'])} MB; PSS ratio {pss:.2f}"
    return round(ratio, 3), ratio <= 1.0, detail


def _status_latency(r: Any) -> Verdict:
    lat = r["status_latency"]
    detail = f"{lat['status_ms']} ms vs {lat['python_pass_ms']} ms (median of {lat['runs']})"
    return lat["ratio"], lat["ratio"] <= 3.0, detail


def _day_growth(day: dict[str, Any]) -> Verdict:
    if "growth_rss_kb" not in day:
        return None, None, str(day.get("error", "not measured"))
    g = day["growth_rss_kb"]
    detail = (
        f"RSS, {day['samples']} samples, mode {day['mode'].split(' ')[0]}; "
        f"after hour 1: {day['growth_after_hour1_rss_kb'] / 1024:.2f} MB"
    )
    return f"{g / 1024:.2f} MB", g <= 1024, detail


def targets(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The six targets of the issue, judged on this run's numbers."""
    r = data["programs"].get("rsiguard")
    wr = data["programs"].get("workrave")
    no_r: Verdict = (None, None, "rsiguard was not measured")
    no_wr: Verdict = (None, None, "Workrave not in this run")
    if wr is not None and not ok(wr):
        no_wr = (None, None, f"Workrave: {wr.get('error', '?')}")
    day = data.get("rsiguard_extra", {}).get("day") or {}
    verdicts: dict[str, Verdict] = {
        "flood_cpu": no_r if not ok(r) else (_flood_cpu(r, wr) if ok(wr) else no_wr),
        "accuracy": _accuracy(r) if ok(r) else no_r,
        "idle_wakeups": _idle_wakeups(r) if ok(r) else no_r,
        "idle_rss": no_r if not ok(r) else (_idle_rss(r, wr) if ok(wr) else no_wr),
        "status_latency": _status_latency(r) if ok(r) and "status_latency" in r else no_r,
        "day_growth": _day_growth(day),
    }
    out = []
    for tid, (value, passed, detail) in verdicts.items():
        text, limit = TARGETS[tid]
        result = "N/A" if passed is None else ("PASS" if passed else "MISS")
        out.append(
            {
                "id": tid,
                "target": text,
                "value": value,
                "limit": limit,
                "result": result,
                "detail": detail,
            }
        )
    return out


def mb(kb: float | None) -> str:
    """kB as MB with one decimal."""
    return "" if kb is None else f"{kb / 1024:.1f}"
