"""Moving versions of the pictures where the movement is the point (the break window).

The drawings are joint angles and positions already, so a movement is the same drawing
with its numbers moved by a phase ``t`` from 0 to 1: tendon glides bend from a straight
hand into their position, fans open and close, circles go round, and strokes run the
one way the step's words say (base to tip, tip to palm, fingertips to elbow). Each
motion says whether it swings back and forth or runs one way and starts again.
"""

from __future__ import annotations

import math
import tkinter as tk
from collections.abc import Callable
from dataclasses import dataclass

from rsiguard.faces import illustrations_draw as d
from rsiguard.faces.illustrations_kit import (
    FILL_HELPER,
    Figure,
    Pen,
    arc,
    chain,
    fist,
    front_hand,
    side_hand,
)

__all__ = ["MOTIONS", "Motion", "draw_moving", "phase_at"]


@dataclass(frozen=True, slots=True)
class Motion:
    """How to draw a picture at phase ``t`` (0..1), and how the phase moves."""

    draw: Callable[[Pen, float], None]
    period_s: float = 3.0
    #: True: 0 -> 1 -> 0 (a movement that comes back); False: 0 -> 1, then again.
    swing: bool = True


def phase_at(motion: Motion, seconds: float) -> float:
    """The phase to draw ``seconds`` into the animation."""
    u = (seconds / motion.period_s) % 1.0
    if motion.swing:
        u = 1.0 - abs(2.0 * u - 1.0)
        return 0.5 - 0.5 * math.cos(math.pi * u)  # ease in and out at the ends
    return u


def _glide(mcp: float, pip: float, dip: float, thumb: tuple[float, float] = (106, -6)) -> Motion:
    """A tendon-glide position reached from the straight hand and held a moment."""

    def draw(pen: Pen, t: float) -> None:
        k = min(1.0, t * 1.3)  # the position is held for the last part of the swing
        bends = (mcp * k, pip * k, dip * k)
        t_angle = 106 + (thumb[0] - 106) * k
        over = bends[0] > 45 and bends[1] > 45
        side_hand(pen.sub(6, 10, 90), bends, (t_angle, (0, thumb[1] * k)), thumb_over=over)

    return Motion(draw, period_s=3.0)


def _fan(spread: float) -> Motion:
    def draw(pen: Pen, t: float) -> None:
        pen.figure(front_hand(spread=spread * t, thumb=(150 + 20 * t, (0, -10))))

    return Motion(draw, period_s=3.0)


def _raised_fan(pen: Pen, t: float) -> None:
    d.person(pen, ([(32, 78), (20, 52), (22, 34)], [(68, 78), (80, 52), (78, 34)]))
    for x, flip in ((2, False), (58, True)):
        pen.sub(x, 0, 40, flip=flip).figure(
            front_hand(spread=20 * t, thumb=(150 + 20 * t, (0, -10)))
        )


def _fist_pump(pen: Pen, t: float) -> None:
    d.person(pen, ([(32, 78), (20, 52), (22, 34)], [(68, 78), (80, 52), (78, 34)]))
    for x, flip in ((2, False), (58, True)):
        sub = pen.sub(x, 0, 40, flip=flip)
        if t < 0.5:
            sub.figure(front_hand(spread=10 * (1 - 2 * t), thumb=(160, (0, -10))))
        else:
            fist(sub)


def _thumb_circle(pen: Pen, t: float) -> None:
    a = 2 * math.pi * t
    pen.figure(front_hand(thumb=(160 + 14 * math.sin(a), (0, -14 + 14 * math.cos(a)))))
    pen.arrow(arc((17, 63), 9, 20, 300, 14))


def _wrist_circle(pen: Pen, t: float) -> None:
    a = 2 * math.pi * t
    pen.sub(14 + 5 * math.cos(a), 16 - 5 * math.sin(a), 72).figure(
        front_hand(thumb=(150, (0, -10)))
    )
    pen.arrow(arc((50, 40), 30, 200, 300, 24))


def _palm_massage(pen: Pen, t: float) -> None:
    a = 2 * math.pi * t
    pen.figure(front_hand())
    dx, dy = 6 * math.cos(a), -6 * math.sin(a)
    helper = Figure(FILL_HELPER).limb([(92 + dx, 96 + dy), (84 + dx, 90 + dy)], 14)
    helper.blob([(70 + dx, 76 + dy), (88 + dx, 74 + dy), (92 + dx, 92 + dy), (74 + dx, 96 + dy)])
    helper.limb(chain((72 + dx, 80 + dy), 150, (10, 8), (0, 5)), 9)
    pen.figure(helper)


def _palm_pads(pen: Pen, t: float) -> None:
    # Half the time on the pad below the thumb, half below the little finger, circling.
    a = 4 * math.pi * t
    x, y = (34, 73) if t < 0.5 else (54, 71)
    d.palm_pad_massage(pen, (x + 3 * math.cos(a), y - 3 * math.sin(a)))


def _finger_stroke(to_palm: bool) -> Motion:
    def draw(pen: Pen, t: float) -> None:
        pen.figure(front_hand())
        # The helper's fingertips slide along the index finger: base (y 44) to tip (y 8).
        y = 8 + 36 * t if to_palm else 44 - 36 * t
        pen.sub(50, y - 14, 42, angle=-90).figure(
            front_hand(fill=FILL_HELPER, thumb=(150, (0, -10)))
        )
        pen.arrow([(84, 46), (80, 70)] if to_palm else [(80, 72), (84, 50)])

    return Motion(draw, period_s=2.5, swing=False)


def _stroke_to_elbow(pen: Pen, t: float) -> None:
    pen.sub(4, -4, 64).figure(front_hand().limb([(52, 90), (52, 170)], 22))
    pen.sub(34, -6 + 70 * t, 40, angle=200).figure(
        front_hand(fill=FILL_HELPER, thumb=(150, (0, -10)))
    )
    pen.arrow([(70, 4), (76, 50), (62, 98)])


#: Illustration id -> its motion (the others stay still: holds, stretches, rests).
MOTIONS: dict[str, Motion] = {
    "tendon_hook": _glide(0, 100, 80),
    "tendon_full_fist": _glide(90, 100, 70, thumb=(140, -55)),
    "tendon_tabletop": _glide(90, 0, 0),
    "tendon_straight_fist": _glide(90, 100, 0),
    "finger_fan": _fan(22),
    "finger_spread_small": _fan(7),
    "raised_finger_fan": Motion(_raised_fan),
    "fist_pump": Motion(_fist_pump, period_s=2.0),
    "thumb_circle": Motion(_thumb_circle, period_s=2.5, swing=False),
    "wrist_circle": Motion(_wrist_circle, period_s=3.0, swing=False),
    "palm_massage": Motion(_palm_massage, period_s=2.0, swing=False),
    "palm_pad_massage": Motion(_palm_pads, period_s=4.0, swing=False),
    "finger_stroke": _finger_stroke(to_palm=False),
    "finger_stroke_to_palm": _finger_stroke(to_palm=True),
    "stroke_to_wrist": Motion(_stroke_to_elbow, period_s=2.5, swing=False),
}


def draw_moving(
    canvas: tk.Canvas,
    illustration_id: str,
    x: int,
    y: int,
    size: int,
    mirrored: bool,
    seconds: float,
) -> bool:
    """Draw ``illustration_id`` as it is ``seconds`` into its movement; False (and nothing
    drawn) when the picture has no movement."""
    motion = MOTIONS.get(illustration_id)
    if motion is None:
        return False
    pen = Pen(canvas, x, y, size)
    motion.draw(pen.sub(0, 0, 100, flip=True) if mirrored else pen, phase_at(motion, seconds))
    return True
