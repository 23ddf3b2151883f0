"""Hand-position drawings for the break window, made from Tk canvas primitives.

Every drawing is laid out in a 100 x 100 unit box and scaled to the requested size,
so one set of numbers serves any window size. A finger is a chain of thick round-capped
line segments bent at its joints (forward kinematics), which makes the tendon-glide
positions (hook, fists, tabletop) a matter of joint angles rather than hand-drawn
shapes. Each figure is drawn in two passes, every part's outline first and every
part's fill second, so palm, fingers and wrist merge into one clean silhouette.

No image files are shipped: the drawings scale, follow the window's colours, and need
nothing outside the standard library.
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


def _side(
    mcp: float, pip: float, dip: float, thumb: tuple[float, Sequence[float]] = (106, (0, -6))
) -> Callable[[Pen], None]:
    """A tendon-glide position drawn with :func:`side_hand`."""

    def draw(pen: Pen) -> None:
        side_hand(pen.sub(6, 10, 90), (mcp, pip, dip), thumb, thumb_over=mcp > 45 and pip > 45)

    return draw


# --- the drawings --------------------------------------------------------------


def open_hand(pen: Pen) -> None:
    """Fingers straight and relaxed, together."""
    pen.figure(front_hand())


def finger_fan(pen: Pen) -> None:
    """Fingers spread wide, arrows show the fan."""
    pen.figure(front_hand(spread=22, thumb=(170, (0, -10))))
    pen.arrow(arc((52, 62), 47, 125, 40, 6))
    pen.arrow(arc((52, 62), 47, 55, -40, 6))


def finger_spread_small(pen: Pen) -> None:
    """Fingers opening only a little apart: short arrows for a small spread."""
    pen.figure(front_hand(spread=7, thumb=(158, (0, -12))))
    pen.arrow(arc((52, 62), 47, 110, 16, 4))
    pen.arrow(arc((52, 62), 47, 70, -16, 4))


def thumb_to_finger(pen: Pen) -> None:
    """Thumb tip meets the index tip in an O; the other fingers stay up."""
    curls = ((40, 70, 50), (0, 0, 0), (0, 0, 0), (0, 0, 0))
    pen.figure(front_hand(thumb=(135, (0, -25)), curls=curls))


def thumb_circle(pen: Pen) -> None:
    """Thumb out, circling slowly."""
    pen.figure(front_hand(thumb=(160, (0, 0))))
    pen.arrow(arc((17, 63), 9, 20, 300, 14))


def wrist_flexor_stretch(pen: Pen) -> None:
    """Arm forward, palm up; the other hand eases the fingers down and back.

    Drawn in the side hand's own frame, turned so the arm comes from the left.
    """
    hand = pen.sub(20, 2, 86, angle=180)
    hand.figure(Figure().limb([(60, 78), (140, 78)], 18))
    side_hand(hand, (-10, -6, -4), thumb=(100, (0, -4)), forearm=False)
    hand.sub(24, -8, 42, angle=90).figure(front_hand(fill=FILL_HELPER, thumb=(150, (0, -10))))
    hand.arrow(arc((60, 84), 92, 102, -22, 6))


def wrist_flexor_stretch_palm(pen: Pen) -> None:
    """Arm forward, palm up, fingers relaxed; the other hand rests across the palm (not the
    fingers) and the wrist tips back."""
    hand = pen.sub(20, 2, 86, angle=180)
    hand.figure(Figure().limb([(60, 78), (140, 78)], 18))
    side_hand(hand, (-4, 8, 6), thumb=(100, (0, -4)), forearm=False)
    hand.sub(34, 30, 40, angle=90).figure(front_hand(fill=FILL_HELPER, thumb=(150, (0, -10))))
    hand.arrow(arc((60, 84), 92, 102, -18, 6))


def wrist_extensor_stretch(pen: Pen) -> None:
    """Arm out, palm down, hand bent down; the other hand eases the back of it."""
    hand = pen.sub(14, 2, 86, angle=180, flip=True)
    hand.figure(Figure().limb([(60, 78), (-40, 78)], 18))
    side_hand(hand, (-6, -4, -2), thumb=(100, (0, -4)), forearm=False)
    hand.sub(62, 30, 42, angle=-90).figure(front_hand(fill=FILL_HELPER, thumb=(150, (0, -10))))
    hand.arrow(arc((60, 84), 92, 76, 22, 6))


def prayer(pen: Pen) -> None:
    """Palms together in front of the chest, forearms level."""
    pen.figure(Figure().limb([(8, 80), (46, 80)], 14).limb([(92, 80), (54, 80)], 14))
    hands = Figure().blob([(40, 50), (60, 50), (62, 80), (38, 80)])
    hands.limb([(45, 52), (45, 18)], 10).limb([(55, 52), (55, 18)], 10)
    hands.limb([(40, 70), (40, 56)], 7).limb([(60, 70), (60, 56)], 7)
    pen.figure(hands)
    pen.line([(50, 14), (50, 84)], OUTLINE, 1.4)
    pen.arrow([(24, 94), (44, 92)])
    pen.arrow([(76, 94), (56, 92)])


def nerve_glide(pen: Pen) -> None:
    """Arm out to the side, elbow straight, wrist back and fingers up, head tilting over."""
    body = Figure().blob([(10, 46), (34, 46), (36, 98), (8, 98)])
    body.limb([(28, 52), (74, 52)], 11)
    body.blob([(70, 42), (82, 42), (84, 58), (70, 60)])
    body.limb(chain((77, 42), 94, (13, 9, 7), (-6, -4, -2)), 8)
    body.limb(chain((70, 50), 140, (8, 6), (0, 0)), 6)
    pen.figure(body)
    pen.sub(10, 14, 24, angle=20).figure(Figure().oval((50, 50), 40, 48))
    pen.arrow(arc((20, 34), 22, 100, -50, 6))
    pen.arrow([(52, 70), (84, 70)])


def palm_massage(pen: Pen) -> None:
    """The other thumb presses slow small circles across the palm."""
    pen.figure(front_hand())
    helper = Figure(FILL_HELPER).limb([(92, 96), (84, 90)], 14)
    helper.blob([(70, 76), (88, 74), (92, 92), (74, 96)])
    helper.limb(chain((72, 80), 150, (10, 8), (0, 5)), 9)
    pen.figure(helper)
    pen.arrow(arc((55, 68), 10, 60, 300, 14))


def forearm_massage(pen: Pen) -> None:
    """The other hand kneads along the forearm."""
    arm = Figure().limb([(4, 64), (76, 64)], 20)
    arm.blob([(74, 54), (94, 56), (94, 72), (74, 74)])
    pen.figure(arm)
    helper = Figure(FILL_HELPER).limb([(22, 12), (36, 40)], 14)
    helper.blob([(28, 40), (54, 40), (56, 58), (30, 58)])
    for x in (33, 40, 47, 53):
        helper.limb([(x, 56), (x + 1, 70)], 6)
    pen.figure(helper)
    pen.arrow([(20, 88), (70, 88)], both=True)


def finger_stroke(pen: Pen) -> None:
    """The other thumb and index finger glide along a finger, from its base to the tip."""
    pen.figure(front_hand())
    helper = pen.sub(50, 8, 42, angle=-90)
    helper.figure(front_hand(fill=FILL_HELPER, thumb=(150, (0, -10))))
    pen.arrow([(80, 72), (84, 50)])


def finger_stroke_to_palm(pen: Pen) -> None:
    """Hand raised; the other thumb and index finger glide down a finger, tip to palm."""
    pen.figure(front_hand())
    helper = pen.sub(50, 8, 42, angle=-90)
    helper.figure(front_hand(fill=FILL_HELPER, thumb=(150, (0, -10))))
    pen.arrow([(84, 46), (80, 70)])


def _person(
    pen: Pen,
    arms: Sequence[Sequence[Point]],
    head: Point = (50, 58),
    neck: bool = False,
    top: float = 72,
) -> None:
    """Head and shoulders (torso from ``top`` down) with the given arms."""
    body = Figure().blob([(28, top), (72, top), (76, 100), (24, 100)])
    if neck:
        body.limb([(head[0], head[1]), (50, top + 2)], 10)
    for points in arms:
        body.limb(points, 9)
    pen.figure(body)
    pen.figure(Figure().oval(head, 10, 12))


def hands_raised(pen: Pen) -> None:
    """Both hands held up above the heart, open."""
    _person(pen, ([(32, 78), (20, 52), (22, 34)], [(68, 78), (80, 52), (78, 34)]))
    pen.sub(2, 0, 40).figure(front_hand(thumb=(160, (0, -10))))
    pen.sub(58, 0, 40, flip=True).figure(front_hand(thumb=(160, (0, -10))))


def fist_pump(pen: Pen) -> None:
    """Hands raised above the heart, one open and one in a soft fist: open, close, again."""
    _person(pen, ([(32, 78), (20, 52), (22, 34)], [(68, 78), (80, 52), (78, 34)]))
    pen.sub(2, 0, 40).figure(front_hand(spread=10, thumb=(160, (0, -10))))
    fist(pen.sub(58, 0, 40, flip=True))
    pen.arrow(arc((50, 16), 10, 150, -120, 8))
    pen.arrow(arc((50, 26), 10, -30, -120, 8))


def raised_finger_fan(pen: Pen) -> None:
    """Hands raised above the heart, fingers spreading and closing again."""
    _person(pen, ([(32, 78), (20, 52), (22, 34)], [(68, 78), (80, 52), (78, 34)]))
    for x, flip in ((2, False), (58, True)):
        sub = pen.sub(x, 0, 40, flip=flip)
        sub.figure(front_hand(spread=20, thumb=(170, (0, -10))))
        sub.arrow(arc((52, 62), 47, 120, 30, 5))
        sub.arrow(arc((52, 62), 47, 60, -30, 5))


def hands_shake(pen: Pen) -> None:
    """Arms hanging loosely at the sides, hands shaking: short arrows both ways."""
    _person(pen, ([(30, 52), (22, 84)], [(70, 52), (78, 84)]), head=(50, 22), neck=True, top=44)
    for x, flip in ((6, True), (66, False)):
        pen.sub(x, 74, 28, angle=180, flip=flip).figure(front_hand(thumb=(150, (0, -10))))
    pen.arrow([(4, 86), (14, 92)], both=True)
    pen.arrow([(96, 86), (86, 92)], both=True)


def stand_walk(pen: Pen) -> None:
    """Standing up from the chair and walking a few steps: a figure mid-stride."""
    pen.rect((2, 58), (22, 62), SURFACE)  # the chair left behind
    pen.rect((4, 62), (8, 96), SURFACE)
    body = Figure().blob([(40, 24), (58, 24), (60, 58), (40, 58)])
    body.limb([(46, 56), (36, 76), (30, 96)], 10).limb([(54, 56), (60, 76), (70, 94)], 10)
    body.limb([(42, 28), (32, 44), (30, 56)], 8).limb([(56, 28), (66, 42), (72, 52)], 8)
    pen.figure(body)
    pen.figure(Figure().oval((50, 14), 9, 10))
    pen.arrow([(72, 72), (96, 72)])


def eyes_far(pen: Pen) -> None:
    """An eye looking out to a far horizon."""
    pen.figure(Figure().blob([(4, 50), (18, 40), (32, 50), (18, 60)]))
    pen.figure(Figure("#7fa4b7").oval((20, 50), 5, 5))
    pen.figure(Figure(OUTLINE).oval((21, 50), 2, 2), outline=0.1)
    pen.line([(40, 70), (100, 70)], FAINT, 1.5)
    pen.line([(52, 70), (66, 52), (74, 62), (82, 48), (96, 70)], FAINT, 1.5)
    pen.arrow([(36, 50), (80, 40)])


def palming(pen: Pen) -> None:
    """Cupped palms resting over closed eyes."""
    pen.figure(Figure().oval((50, 46), 28, 36))
    pen.line([(40, 72), (50, 75), (60, 72)])
    for x, flip in ((2, False), (42, True)):
        pen.sub(x, 14, 56, angle=-25 if flip else 25, flip=flip).figure(
            front_hand(fill=FILL_HELPER, thumb=(120, (0, 0)))
        )


def rest(pen: Pen) -> None:
    """Both hands resting, relaxed and loosely curled, on the lap or desk."""
    pen.figure(Figure(SURFACE).oval((50, 70), 50, 32), outline=0)
    soft = ((4, 6, 4), (0, 4, 2), (-4, -4, -2), (-8, -6, -4))
    for x, flip, turn in ((0, True, 12), (46, False, -12)):
        hand = front_hand(thumb=(140, (0, -10)), curls=soft).limb([(52, 90), (52, 124)], 22)
        pen.sub(x, 24, 54, angle=turn, flip=flip).figure(hand)


def wrist_bend(pen: Pen) -> None:
    """Forearm resting on the desk edge, the hand bending gently up and down."""
    pen.rect((0, 62), (42, 100), SURFACE)
    hand = pen.sub(34.4, 20, 60, angle=90)
    hand.figure(Figure().limb([(60, 90), (60, 176)], 22))
    side_hand(hand, (4, 6, 4), thumb=(100, (0, -4)))
    pen.arrow(arc((44, 56), 46, 32, -64, 12), both=True)


def wrist_circle(pen: Pen) -> None:
    """Forearm still, hand loosely open, the wrist drawing a slow circle."""
    pen.sub(14, 16, 72).figure(front_hand(thumb=(150, (0, -10))))
    pen.arrow(arc((50, 40), 30, 200, 300, 24))


def forearm_turn(pen: Pen) -> None:
    """Forearm level, turning the palm up, then down: an arrow around the arm."""
    pen.figure(Figure().limb([(4, 56), (52, 56)], 18))
    pen.sub(40, 14, 56, angle=90).figure(front_hand(thumb=(150, (0, -10))))
    pen.arrow(arc((28, 56), 9, 230, 280, 16, ry=24))


def stroke_to_wrist(pen: Pen) -> None:
    """Hand raised; the other hand's fingers stroke it from the fingertips past the wrist
    toward the elbow."""
    pen.sub(4, -4, 64).figure(front_hand().limb([(52, 90), (52, 170)], 22))
    pen.sub(34, 30, 40, angle=200).figure(front_hand(fill=FILL_HELPER, thumb=(150, (0, -10))))
    pen.arrow([(70, 4), (76, 50), (62, 98)])


def shoulder_roll(pen: Pen) -> None:
    """Arms hanging loose, shoulders rolling up, back and down."""
    _person(pen, ([(30, 78), (24, 100)], [(70, 78), (76, 100)]), head=(50, 44), neck=True)
    for cx, start, extent in ((26, 300, -300), (74, 240, 300)):
        pen.arrow(arc((cx, 64), 10, start, extent, 14))


def breathing(pen: Pen) -> None:
    """Sitting upright, one hand on the chest and one on the belly, breathing slowly."""
    _person(pen, (), head=(50, 22), neck=True, top=44)
    for y, turn in ((56, 80), (80, 100)):
        pen.sub(26, y - 20, 40, angle=turn).figure(
            front_hand(fill=FILL_HELPER, thumb=(140, (0, 0)))
        )
    pen.arrow([(90, 88), (90, 58)])
    pen.arrow([(10, 58), (10, 88)])


def blink(pen: Pen) -> None:
    """A relaxed face, eyes softly closed."""
    pen.figure(Figure().oval((50, 50), 34, 42))
    for cx in (36, 64):
        pen.line(arc((cx, 40), 9, 200, 140, 8), OUTLINE, 2)
        for dx in (-5, 0, 5):
            pen.line([(cx + dx, 49), (cx + dx * 1.3, 53)], OUTLINE, 1.2)
    pen.line([(40, 72), (50, 75), (60, 72)])


def _unknown(pen: Pen) -> None:
    open_hand(pen)


DRAWINGS: dict[str, Callable[[Pen], None]] = {
    # The catalog's ids (rsiguard/routines/illustrations.py).
    "rest": rest,
    "tendon_straight": _side(0, 0, 0),
    "tendon_hook": _side(0, 100, 80),
    "tendon_full_fist": _side(90, 100, 70, thumb=(140, (0, -55))),
    "tendon_tabletop": _side(90, 0, 0),
    "tendon_straight_fist": _side(90, 100, 0),
    "finger_fan": finger_fan,
    "finger_spread_small": finger_spread_small,
    "thumb_o": thumb_to_finger,
    "thumb_circle": thumb_circle,
    "wrist_flexor_stretch": wrist_flexor_stretch,
    "wrist_flexor_stretch_palm": wrist_flexor_stretch_palm,
    "wrist_extensor_stretch": wrist_extensor_stretch,
    "prayer_stretch": prayer,
    "nerve_slider": nerve_glide,
    "wrist_bend": wrist_bend,
    "wrist_circle": wrist_circle,
    "forearm_turn": forearm_turn,
    "palm_massage": palm_massage,
    "forearm_knead": forearm_massage,
    "finger_stroke": finger_stroke,
    "finger_stroke_to_palm": finger_stroke_to_palm,
    "stroke_to_wrist": stroke_to_wrist,
    "hands_raised": hands_raised,
    "fist_pump": fist_pump,
    "raised_finger_fan": raised_finger_fan,
    "hands_shake": hands_shake,
    "stand_walk": stand_walk,
    "shoulder_roll": shoulder_roll,
    "breathing": breathing,
    "look_far": eyes_far,
    "blink": blink,
    "palming": palming,
    # Other names for the same positions, and a few extra.
    "open_hand": open_hand,
    "hook_fist": _side(0, 100, 80),
    "full_fist": _side(90, 100, 70, thumb=(140, (0, -55))),
    "tabletop": _side(90, 0, 0),
    "straight_fist": _side(90, 100, 0),
    "thumb_to_finger": thumb_to_finger,
    "prayer": prayer,
    "nerve_glide": nerve_glide,
    "forearm_massage": forearm_massage,
    "eyes_far": eyes_far,
}
"""Illustration id -> function drawing it with a :class:`Pen`."""


def draw(
    canvas: tk.Canvas, illustration_id: str, x: int, y: int, size: int, mirrored: bool = False
) -> None:
    """Draw ``illustration_id`` into the ``size``-square whose top-left corner is ``(x, y)``.

    The drawings show the left hand (the one being worked on, when the other helps);
    ``mirrored`` flips them left-right for a step done with the right hand. An unknown
    id draws a neutral open hand: a catalog newer than this module must not take the
    window down.
    """
    pen = Pen(canvas, x, y, size)
    DRAWINGS.get(illustration_id, _unknown)(pen.sub(0, 0, 100, flip=True) if mirrored else pen)
