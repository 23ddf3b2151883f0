"""Hand-position drawings for the break window, made from Tk canvas primitives.

One function per illustration id, drawn with the kit in :mod:`rsiguard.faces.illustrations_kit`
(a 100-unit box, fingers as joint-angle chains). No image files are shipped: the
drawings scale, follow the window's colours, and need nothing outside the standard
library.
"""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable, Sequence

from rsiguard.faces.illustrations_kit import (
    ACCENT,
    BACKGROUND,
    FAINT,
    FILL,
    FILL_HELPER,
    OUTLINE,
    SURFACE,
    Figure,
    Pen,
    Point,
    arc,
    chain,
    fist,
    front_hand,
    side_hand,
)
from rsiguard.faces.illustrations_kit import side_position as _side

__all__ = ["ACCENT", "BACKGROUND", "DRAWINGS", "FAINT", "FILL", "draw", "person"]


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


def palm_pad_massage(pen: Pen, pad: Point | None = None) -> None:
    """The other thumb circles on the fleshy pads, below the thumb and below the little
    finger, keeping off the middle of the heel of the hand (the carpal tunnel)."""
    pen.figure(front_hand())
    x, y = pad or (34, 73)
    helper = Figure(FILL_HELPER).limb([(x + 44, y + 26), (x + 36, y + 20)], 14)
    helper.blob([(x + 22, y + 6), (x + 40, y + 4), (x + 44, y + 22), (x + 26, y + 26)])
    helper.limb(chain((x + 24, y + 10), 150, (10, 8), (0, 5)), 9)
    pen.figure(helper)
    if pad is None:  # the still picture shows both pads
        pen.arrow(arc((42, 74), 7, 60, 300, 12))
        pen.arrow(arc((62, 71), 7, 60, 300, 12))


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


def person(
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
    person(pen, ([(32, 78), (20, 52), (22, 34)], [(68, 78), (80, 52), (78, 34)]))
    pen.sub(2, 0, 40).figure(front_hand(thumb=(160, (0, -10))))
    pen.sub(58, 0, 40, flip=True).figure(front_hand(thumb=(160, (0, -10))))


def fist_pump(pen: Pen) -> None:
    """Hands raised above the heart, one open and one in a soft fist: open, close, again."""
    person(pen, ([(32, 78), (20, 52), (22, 34)], [(68, 78), (80, 52), (78, 34)]))
    pen.sub(2, 0, 40).figure(front_hand(spread=10, thumb=(160, (0, -10))))
    fist(pen.sub(58, 0, 40, flip=True))
    pen.arrow(arc((50, 16), 10, 150, -120, 8))
    pen.arrow(arc((50, 26), 10, -30, -120, 8))


def raised_finger_fan(pen: Pen) -> None:
    """Hands raised above the heart, fingers spreading and closing again."""
    person(pen, ([(32, 78), (20, 52), (22, 34)], [(68, 78), (80, 52), (78, 34)]))
    for x, flip in ((2, False), (58, True)):
        sub = pen.sub(x, 0, 40, flip=flip)
        sub.figure(front_hand(spread=20, thumb=(170, (0, -10))))
        sub.arrow(arc((52, 62), 47, 120, 30, 5))
        sub.arrow(arc((52, 62), 47, 60, -30, 5))


def hands_shake(pen: Pen) -> None:
    """Arms hanging loosely at the sides, hands shaking: short arrows both ways."""
    person(pen, ([(30, 52), (22, 84)], [(70, 52), (78, 84)]), head=(50, 22), neck=True, top=44)
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
    person(pen, ([(30, 78), (24, 100)], [(70, 78), (76, 100)]), head=(50, 44), neck=True)
    for cx, start, extent in ((26, 300, -300), (74, 240, 300)):
        pen.arrow(arc((cx, 64), 10, start, extent, 14))


def breathing(pen: Pen) -> None:
    """Sitting upright, one hand on the chest and one on the belly, breathing slowly."""
    person(pen, (), head=(50, 22), neck=True, top=44)
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
    # The catalog's ids (rsiguard/core/routines/illustrations.py).
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
    "palm_pad_massage": palm_pad_massage,
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
