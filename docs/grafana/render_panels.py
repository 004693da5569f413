#!/usr/bin/env python3
"""Draws the panels of a Grafana dashboard JSON from a Prometheus server's HTTP API into one PNG.

Not Grafana: a stand-in for machines where Grafana cannot be installed. It reads the same dashboard file,
sends each panel's PromQL (with $__rate_interval and $instance substituted) to /api/v1/query_range (time
series) or /api/v1/query (stat panels), and lays the panels out by their gridPos, 24 columns wide.

Usage: render_panels.py DASHBOARD.json PROMETHEUS_URL START END OUT.png [RATE_INTERVAL] [STEP_SECONDS]
(START and END in Unix seconds). Needs python3-matplotlib. Called by render-picture.sh.
"""
import json
import math
import sys
import urllib.parse
import urllib.request

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after the backend is chosen)

BACKGROUND = "#111217"
PANEL = "#181b1f"
TEXT = "#ccccdc"
GRID = "#2c3235"
COLORS = ["#73bf69", "#f2cc0c", "#8ab8ff", "#ff780a", "#f2495c", "#5794f2", "#b877d9", "#fade2a", "#c4162a", "#96d98d"]
COLUMN_PX = 80
ROW_PX = 30


def query(base, path, params):
    url = base.rstrip("/") + path + "?" + urllib.parse.urlencode(params)
    with urllib.request.urlopen(url, timeout=30) as response:
        body = json.load(response)
    if body.get("status") != "success":
        raise RuntimeError(f"{url}: {body}")
    return body["data"]["result"]


def expression(target, rate_interval):
    return target["expr"].replace("$__rate_interval", rate_interval).replace("$instance", ".*")


def legend(target, metric):
    text = target.get("legendFormat") or "{{__name__}}"
    for key, value in metric.items():
        text = text.replace("{{" + key + "}}", value)
    return text


def scale(unit, values):
    """Values in a readable unit and the unit's label."""
    finite = [v for v in values if not math.isnan(v)]
    top = max(finite) if finite else 0
    if unit == "bytes":
        return [v / 2**20 for v in values], "MiB"
    if unit == "percentunit":
        return [v * 100 for v in values], "%"
    if unit == "s":
        if top < 1:
            return [v * 1000 for v in values], "ms"
        return values, "s"
    return values, ""


def number(value):
    if math.isnan(value):
        return "–"
    if abs(value) >= 100 or value == int(value):
        return f"{value:,.0f}"
    return f"{value:.2f}"


def draw_stat(ax, panel, base, end, rate_interval):
    results = []
    for target in panel["targets"]:
        for series in query(base, "/api/v1/query", {"query": expression(target, rate_interval), "time": end}):
            results.append((legend(target, series["metric"]), float(series["value"][1])))
    ax.set_axis_off()
    if not results:
        ax.text(0.5, 0.4, "No data", ha="center", va="center", color=TEXT, fontsize=14, transform=ax.transAxes)
        return
    width = 1 / len(results)
    for i, (name, value) in enumerate(results):
        x = width * (i + 0.5)
        ax.text(x, 0.42, number(value), ha="center", va="center", color=COLORS[i % len(COLORS)],
                fontsize=26, fontweight="bold", transform=ax.transAxes)
        ax.text(x, 0.08, name, ha="center", va="center", color=TEXT, fontsize=8, transform=ax.transAxes)


def draw_timeseries(ax, panel, base, start, end, step, rate_interval):
    unit = panel.get("fieldConfig", {}).get("defaults", {}).get("unit")
    stacked = panel["fieldConfig"]["defaults"].get("custom", {}).get("stacking", {}).get("mode") == "normal"
    lines = []
    for target in panel["targets"]:
        params = {"query": expression(target, rate_interval), "start": start, "end": end, "step": step}
        for series in query(base, "/api/v1/query_range", params):
            times = [(float(t) - start) / 60 for t, _ in series["values"]]
            values = [float(v) for _, v in series["values"]]
            lines.append((legend(target, series["metric"]), times, values))
    lines.sort(key=lambda line: line[0])
    label = ""
    bottom = None
    for i, (name, times, values) in enumerate(lines):
        values, label = scale(unit, values)
        color = COLORS[i % len(COLORS)]
        if stacked:
            clean = [0 if math.isnan(v) else v for v in values]
            if bottom is None or len(bottom) != len(clean):
                bottom = [0] * len(clean)
            top = [b + v for b, v in zip(bottom, clean)]
            ax.fill_between(times, bottom, top, color=color, alpha=0.35, linewidth=0)
            ax.plot(times, top, color=color, linewidth=1, label=name)
            bottom = top
        else:
            ax.plot(times, values, color=color, linewidth=1.2, label=name)
    ax.set_facecolor(PANEL)
    ax.tick_params(colors=TEXT, labelsize=7)
    ax.grid(color=GRID, linewidth=0.5)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_xlim(0, (end - start) / 60)
    ax.set_ylim(bottom=0)
    ax.set_xlabel("minutes into the run", color=TEXT, fontsize=7)
    if label:
        ax.set_ylabel(label, color=TEXT, fontsize=7)
    if lines:
        ax.legend(loc="upper left", fontsize=6.5, ncol=min(len(lines), 5), frameon=False, labelcolor=TEXT)
    else:
        ax.text(0.5, 0.5, "No data", ha="center", va="center", color=TEXT, fontsize=12, transform=ax.transAxes)


def main(argv):
    dashboard_file, base, start, end, out = argv[1:6]
    rate_interval = argv[6] if len(argv) > 6 else "20s"
    step = argv[7] if len(argv) > 7 else "5"
    start, end = float(start), float(end)
    dashboard = json.load(open(dashboard_file, encoding="utf-8"))
    panels = dashboard["panels"]
    rows = max(p["gridPos"]["y"] + p["gridPos"]["h"] for p in panels)
    width_px, height_px = 24 * COLUMN_PX, rows * ROW_PX + 40
    fig = plt.figure(figsize=(width_px / 100, height_px / 100), dpi=100, facecolor=BACKGROUND)
    minutes = (end - start) / 60
    fig.text(0.005, 1 - 14 / height_px, f"{dashboard['title']}  ·  drawn from a real run's Prometheus data "
             f"({minutes:.0f} min) by docs/grafana/render-picture.sh, not by Grafana",
             color=TEXT, fontsize=11, va="center")
    for panel in panels:
        g = panel["gridPos"]
        left = g["x"] * COLUMN_PX / width_px
        top = (40 + g["y"] * ROW_PX) / height_px
        w = g["w"] * COLUMN_PX / width_px
        h = g["h"] * ROW_PX / height_px
        if panel["type"] == "row":
            fig.text(left + 0.004, 1 - top - h / 2, panel["title"], color=TEXT, fontsize=10, fontweight="bold",
                     va="center")
            continue
        frame = fig.add_axes([left + 0.002, 1 - top - h + 0.003, w - 0.004, h - 0.006])
        frame.set_facecolor(PANEL)
        frame.set_xticks([])
        frame.set_yticks([])
        for spine in frame.spines.values():
            spine.set_color(GRID)
        frame.text(0.01, 0.97, panel["title"], color=TEXT, fontsize=8.5, va="top", transform=frame.transAxes)
        title_px = 22
        inner_h = h - 0.006 - title_px / height_px
        if panel["type"] == "stat":
            ax = fig.add_axes([left + 0.004, 1 - top - h + 0.006, w - 0.008, inner_h - 0.006])
            draw_stat(ax, panel, base, end, rate_interval)
        else:
            ax = fig.add_axes([left + 0.03, 1 - top - h + 0.03, w - 0.04, inner_h - 0.035])
            draw_timeseries(ax, panel, base, start, end, step, rate_interval)
    fig.savefig(out, facecolor=BACKGROUND)
    print(f"wrote {out}: {width_px}x{height_px} px, {len([p for p in panels if p['type'] != 'row'])} panels")


if __name__ == "__main__":
    main(sys.argv)
