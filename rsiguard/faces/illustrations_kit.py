"""The drawing kit behind the break window's pictures: a pen, figures, and hands.

Every drawing is laid out in a 100 x 100 unit box and scaled to the requested size,
so one set of numbers serves any window size. A finger is a chain of thick round-capped
line segments bent at its joints (forward kinematics), which makes the tendon-glide
positions (hook, fists, tabletop) a matter of joint angles rather than hand-drawn
shapes. Each figure is drawn in two passes, every part's outline first and every
part's fill second, so palm, fingers and wrist merge into one clean silhouette.
The drawings themselves are in :mod:`rsiguard.faces.illustrations_draw`.
"""

from __future__ import annotations

import itertools
import math
import tkinter as tk
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

Point = tuple[float, float]

# Calm, neutral colours (not a skin tone, so the hand stands for anyone's hand).
BACKGROUND = "#f6f4ef"  # what the drawings are designed on (the window uses a near shade)
FILL = "#dbe6ec"
FILL_HELPER = "#efe3cf"  # the other hand, when it helps (stretching, massage)
OUTLINE = "#4b5d6b"
ACCENT = "#3f8f8a"  # motion arrows
FAINT = "#9fb3bf"  # scenery: the horizon
SURFACE = "#ebe5d9"  # a desk or lap under resting hands


@dataclass
class Figure:
    """Parts of one silhouette, drawn outline-first so touching parts merge."""

    fill: str = FILL
    limbs: list[tuple[list[Point], float]] = field(default_factory=list)
    blobs: list[list[Point]] = field(default_factory=list)
    ovals: list[tuple[Point, float, float]] = field(default_factory=list)

    def limb(self, points: Sequence[Point], width: float) -> Figure:
        """A round-capped polyline ``width`` units thick (finger, arm)."""
        self.limbs.append((list(points), width))
        return self

    def blob(self, points: Sequence[Point]) -> Figure:
        """A smoothed polygon (palm, torso)."""
        self.blobs.append(list(points))
        return self

    def oval(self, centre: Point, rx: float, ry: float) -> Figure:
        """An ellipse (head, eye)."""
        self.ovals.append((centre, rx, ry))
        return self


class Pen:
    """Maps the 100-unit box onto the canvas: an affine transform plus a scale for widths.

    ``Pen(canvas, x, y, size)`` puts the box's top-left corner at ``(x, y)``; :meth:`sub`
    derives a pen for a smaller, turned or mirrored box inside this one.
    """

    def __init__(self, canvas: tk.Canvas, x: float, y: float, size: float) -> None:
        self.canvas = canvas
        k = size / 100.0
        # X = a*u + b*v + e, Y = c*u + d*v + f
        self.m = (k, 0.0, 0.0, k, float(x), float(y))
        self.k = k
        # Outlines keep the outer pen's thickness so small sub-figures match big ones.
        self.ok = k

    def sub(self, x: float, y: float, size: float, angle: float = 0.0, flip: bool = False) -> Pen:
        """A pen for a ``size``-unit box at ``(x, y)`` (units of this pen), turned
        ``angle`` degrees clockwise about its centre and mirrored left-right if ``flip``."""
        s = size / 100.0
        cos, sin = math.cos(math.radians(angle)), math.sin(math.radians(angle))
        fx = -1.0 if flip else 1.0
        # unit box -> this pen's units: mirror about u=50, rotate about the centre, scale.
        la, lb, lc, ld = s * cos * fx, -s * sin, s * sin * fx, s * cos
        cx, cy = x + size / 2, y + size / 2
        le = cx - (la * 50 + lb * 50)
        lf = cy - (lc * 50 + ld * 50)
        a, b, c, d, e, f = self.m
        pen = Pen(self.canvas, 0, 0, 100)
        pen.m = (
            a * la + b * lc,
            a * lb + b * ld,
            c * la + d * lc,
            c * lb + d * ld,
            a * le + b * lf + e,
            c * le + d * lf + f,
        )
        pen.k = self.k * s
        pen.ok = self.ok
        return pen

    def _xy(self, points: Sequence[Point]) -> list[float]:
        a, b, c, d, e, f = self.m
        return [coord for u, v in points for coord in (a * u + b * v + e, c * u + d * v + f)]

    def _w(self, width: float, extra: float = 0.0) -> float:
        return max(1.0, width * self.k + extra * self.ok)

    def figure(self, fig: Figure, outline: float = 1.6) -> None:
        """Draw a figure: outlines (a little wider) first, then the fills on top."""
        c = self.canvas
        for colour, extra in ((OUTLINE, 2 * outline), (fig.fill, 0.0)):
            for centre, rx, ry in fig.ovals:
                pts = ellipse(centre, rx, ry)
                c.create_polygon(
                    *self._xy(pts), fill=colour, outline=colour, width=self._w(0, extra)
                )
            for pts in fig.blobs:
                c.create_polygon(
                    *self._xy(pts),
                    smooth=True,
                    fill=colour,
                    outline=colour,
                    width=self._w(0, extra),
                )
            for pts, width in fig.limbs:
                c.create_line(
                    *self._xy(pts),
                    fill=colour,
                    width=self._w(width, extra),
                    capstyle=tk.ROUND,
                    joinstyle=tk.ROUND,
                )

    def line(self, points: Sequence[Point], colour: str = OUTLINE, width: float = 1.2) -> None:
        """A thin detail line (crease, horizon)."""
        self.canvas.create_line(
            *self._xy(points), fill=colour, width=self._w(0, width), capstyle=tk.ROUND, smooth=True
        )

    def arrow(self, points: Sequence[Point], both: bool = False) -> None:
        """A motion cue: a smooth accent-coloured line with an arrow head."""
        k = self.ok
        self.canvas.create_line(
            *self._xy(points),
            fill=ACCENT,
            width=self._w(0, 2.2),
            smooth=True,
            arrow=tk.BOTH if both else tk.LAST,
            arrowshape=(8 * k, 9 * k, 3.5 * k),
            capstyle=tk.ROUND,
        )

    def rect(self, a: Point, b: Point, colour: str) -> None:
        """A flat unoutlined rectangle (a desk, a lap) from corner ``a`` to corner ``b``."""
        (x0, y0), (x1, y1) = a, b
        pts = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
        self.canvas.create_polygon(*self._xy(pts), fill=colour, outline="")


def ellipse(centre: Point, rx: float, ry: float, n: int = 36) -> list[Point]:
    """Points around an ellipse (a polygon, so it turns and mirrors with the pen)."""
    cx, cy = centre
    return [
        (cx + rx * math.cos(2 * math.pi * i / n), cy + ry * math.sin(2 * math.pi * i / n))
        for i in range(n)
    ]


def chain(
    base: Point, angle: float, lengths: Sequence[float], bends: Sequence[float]
) -> list[Point]:
    """Joint positions of a finger: start at ``base`` pointing at ``angle`` degrees
    (0 = right, 90 = up), and turn by each bend (positive = counter-clockwise) before
    each segment."""
    points = [base]
    x, y = base
    a = angle
    for length, bend in zip(lengths, bends, strict=True):
        a += bend
        x += length * math.cos(math.radians(a))
        y -= length * math.sin(math.radians(a))
        points.append((x, y))
    return points


def arc(
    centre: Point, r: float, start: float, extent: float, n: int = 10, ry: float | None = None
) -> list[Point]:
    """Points along a circular (or, with ``ry``, elliptical) arc; degrees, counter-clockwise
    from the right."""
    cx, cy = centre
    angles = [math.radians(start + extent * i / n) for i in range(n + 1)]
    return [(cx + r * math.cos(a), cy - (r if ry is None else ry) * math.sin(a)) for a in angles]


# --- hands seen from the front (palm towards you) ------------------------------

# Finger base, base angle and phalanx lengths: index, middle, ring, little.
_FINGERS: tuple[tuple[Point, float, tuple[float, float, float]], ...] = (
    ((41, 50), 100, (13, 9, 7)),
    ((49, 48), 92, (14, 10, 8)),
    ((57, 49), 84, (13, 9, 7)),
    ((64, 53), 74, (10, 7, 6)),
)
_PALM = [(39, 50), (51, 47), (66, 52), (67, 72), (61, 86), (43, 86), (36, 74), (37, 60)]
_THUMB_BASE: Point = (39, 74)
_STRAIGHT = ((0.0, 0.0, 0.0),) * 4


def front_hand(
    spread: float = 0.0,
    thumb: tuple[float, Sequence[float]] = (150, (0, -20)),
    curls: Sequence[Sequence[float]] = _STRAIGHT,
    fill: str = FILL,
) -> Figure:
    """Your own left hand as you see it palm towards you, fingers up, wrist at the bottom
    (mirror it for the right hand).

    ``spread`` fans the fingers (degrees at the outer fingers); ``thumb`` is its base
    angle and two bends; ``curls`` each finger's three joint bends (from the front a
    curl is drawn as a sideways bend, which reads well enough when stylised).
    """
    fig = Figure(fill).limb([(52, 84), (52, 100)], 22).blob(_PALM)
    for i, ((bx, by), angle, lengths) in enumerate(_FINGERS):
        fan = spread * (1.5 - i) / 1.5
        fig.limb(chain((bx, by), angle + fan, lengths, curls[i]), 8)
    t_angle, t_bends = thumb
    fig.limb(chain(_THUMB_BASE, t_angle, (13, 10), t_bends), 9)
    return fig


def fist(pen: Pen, fill: str = FILL) -> None:
    """A loosely closed fist seen from the front: curled fingers on top, thumb across."""
    fig = Figure(fill).limb([(52, 84), (52, 100)], 22)
    fig.blob([(37, 50), (66, 50), (68, 72), (61, 86), (43, 86), (36, 72)])
    for x in (41, 49.5, 58, 65):
        fig.oval((x, 49), 5, 6)
    pen.figure(fig)
    for x in (45, 54, 62):
        pen.line([(x, 49), (x, 60)])
    pen.figure(Figure(fill).limb([(38, 76), (46, 66), (58, 64)], 9))


# --- hands seen from the side (for tendon glides) ----------------------------------


def side_hand(
    pen: Pen,
    bends: Sequence[float],
    thumb: tuple[float, Sequence[float]] = (106, (0, -6)),
    thumb_over: bool = False,
    forearm: bool = True,
) -> None:
    """A hand seen from the thumb side, palm facing left, fingers up.

    ``bends`` is joint flexion in degrees: knuckle, middle joint, end joint. Each finger
    segment is outlined on its own, proximal first, so a curled finger shows its fold;
    ``thumb_over`` puts the thumb in front of the fingers (as in a full fist).
    """
    palm = Figure().blob([(46, 44), (66, 42), (72, 62), (71, 84), (49, 84), (44, 64)])
    if forearm:
        palm.limb([(60, 100), (60, 80)], 22)
    pen.figure(palm)
    angle, t_bends = thumb
    thumb_fig = Figure().limb(chain((48, 72), angle, (14, 11), t_bends), 10)
    if not thumb_over:
        pen.figure(thumb_fig)
    joints = chain((56, 46), 90, (21, 14, 11), bends)
    for a, b in itertools.pairwise(joints):
        pen.figure(Figure().limb([a, b], 11))
    if thumb_over:
        pen.figure(thumb_fig)


def side_position(
    mcp: float, pip: float, dip: float, thumb: tuple[float, Sequence[float]] = (106, (0, -6))
) -> Callable[[Pen], None]:
    """A tendon-glide position drawn with :func:`side_hand`."""

    def draw(pen: Pen) -> None:
        side_hand(pen.sub(6, 10, 90), (mcp, pip, dip), thumb, thumb_over=mcp > 45 and pip > 45)

    return draw
