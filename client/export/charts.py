"""The report's charts as inline SVG (matplotlib): weekly hard sets per muscle against its
MEV–MRV band, and intensity (target RPE, %e1RM of the main lifts) across the weeks."""

from __future__ import annotations

import io
import math
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display: render to files only

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from programgen.client import words
from programgen.v1 import program_pb2

_STYLE: Any = {
    "svg.fonttype": "none",  # text stays text: selectable, small, crisp when printed
    "svg.hashsalt": "programgen",  # stable element ids: the same program, the same file
    "font.size": 8,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def _svg(figure: Figure) -> str:
    out = io.StringIO()
    figure.savefig(out, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(figure)
    text = out.getvalue()
    return text[text.index("<svg") :]  # inline: drop the XML prolog and doctype


def volume_chart(program: program_pb2.Program) -> str:
    """Small multiples: a muscle's weekly hard sets (line) inside its MEV–MRV band, MV
    dashed; the deload or taper week shaded."""
    weeks = [w.week for w in program.weeks]
    deload = [w.week for w in program.weeks if words.phase(w) in ("deload", "taper")]
    sets = {
        lm.muscle: [
            next((ms.sets for ms in w.weekly_sets if ms.muscle == lm.muscle), 0)
            for w in program.weeks
        ]
        for lm in program.landmarks
    }
    columns = 4
    rows = max(1, math.ceil(len(program.landmarks) / columns))
    with plt.rc_context(_STYLE):
        figure, axes = plt.subplots(rows, columns, figsize=(9, 2.0 * rows), squeeze=False)
        for index, lm in enumerate(program.landmarks):
            ax = axes[index // columns][index % columns]
            ax.axhspan(lm.mev, lm.mrv, color="#cfe8cf", label="MEV–MRV")
            ax.axhline(lm.mv, color="#777", linestyle="--", linewidth=0.8, label="MV")
            for week in deload:
                ax.axvspan(week - 0.5, week + 0.5, color="#eee")
            ax.plot(weeks, sets[lm.muscle], marker="o", color="#1f5fa8", label="hard sets")
            ax.set_title(words.muscle(lm.muscle))
            ax.set_xlabel("week", labelpad=1)
            ax.set_xticks(weeks)
            ax.set_ylim(0, max(lm.mrv, *sets[lm.muscle]) + 2)
        for index in range(len(program.landmarks), rows * columns):
            axes[index // columns][index % columns].axis("off")
        handles, labels = axes[0][0].get_legend_handles_labels()
        figure.legend(handles, labels, loc="lower center", ncol=3, frameon=False)
        figure.tight_layout(rect=(0, 0.07, 1, 1))
        return _svg(figure)


def _main_lifts(program: program_pb2.Program, most: int = 4) -> dict[str, list[float | None]]:
    """Per exercise with a %e1RM prescription, its heaviest %e1RM each week; the exercises
    that carry one most often are the program's main lifts."""
    by_name: dict[str, dict[int, float]] = {}
    for week in program.weeks:
        for day in week.days:
            for ex in day.exercises:
                if ex.HasField("load_percent_e1rm"):
                    top = by_name.setdefault(ex.name, {})
                    top[week.week] = max(top.get(week.week, 0.0), ex.load_percent_e1rm)
    ranked = sorted(by_name.items(), key=lambda item: (-len(item[1]), item[0]))[:most]
    return {name: [top.get(w.week) for w in program.weeks] for name, top in ranked}


def intensity_chart(program: program_pb2.Program) -> str:
    weeks = [w.week for w in program.weeks]
    with plt.rc_context(_STYLE):
        figure, rpe_axis = plt.subplots(figsize=(9, 3))
        rpe = [w.target_rpe for w in program.weeks]
        rpe_axis.plot(weeks, rpe, color="#222", marker="s", linestyle="--", label="target RPE")
        rpe_axis.set_ylabel("target RPE (dashed)")
        rpe_axis.set_ylim(4, 10.5)
        rpe_axis.set_xticks(weeks)
        rpe_axis.set_xlabel("week")
        lifts = _main_lifts(program)
        if lifts:
            percent_axis = rpe_axis.twinx()
            percent_axis.spines["right"].set_visible(True)
            colours = ("#1f5fa8", "#e07b00", "#2a9d3a", "#8e44ad")
            for (name, values), colour in zip(lifts.items(), colours, strict=False):
                points = [(w, v) for w, v in zip(weeks, values, strict=True) if v is not None]
                xs, ys = zip(*points, strict=True)
                percent_axis.plot(xs, ys, marker="o", color=colour, label=name)
            percent_axis.set_ylabel("% of e1RM (heaviest set)")
            percent_axis.legend(loc="lower left", frameon=False, fontsize=7)
        figure.tight_layout()
        return _svg(figure)
