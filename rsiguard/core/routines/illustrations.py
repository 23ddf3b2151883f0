"""The illustration ids a routine step may name, each with the hand position it shows.

Only the list lives here (the loader checks step ids against it); the drawings are made
elsewhere, one per id. Keep this module free of imports: the core and the CLI read it.
"""

from __future__ import annotations

#: Illustration id -> a one-line description of the position to draw.
ILLUSTRATIONS: dict[str, str] = {
    "rest": "both hands resting loosely on the thighs, palms up, shoulders relaxed",
    "tendon_straight": "hand upright, wrist straight, fingers straight and together",
    "tendon_hook": "hook: big knuckles straight, middle and end finger joints bent",
    "tendon_full_fist": "loose full fist, thumb resting across the outside of the fingers",
    "tendon_tabletop": "tabletop: fingers bent only at the big knuckles, fingers straight",
    "tendon_straight_fist": "straight fist: fingertips on the palm base, end joints straight",
    "finger_fan": "fingers and thumb spread wide apart, palm facing forward",
    "finger_spread_small": "fingers opening only a little apart, palm facing forward",
    "thumb_o": "thumb tip touching one fingertip, making a round O, other fingers relaxed",
    "thumb_circle": "hand loosely open, thumb tip drawing a small circle in the air",
    "wrist_flexor_stretch": (
        "arm forward, elbow straight, palm up; the other hand eases the fingers down and back"
    ),
    "wrist_flexor_stretch_palm": (
        "arm forward, elbow straight, palm up, fingers relaxed; the other hand rests across "
        "the palm and the wrist tips back"
    ),
    "wrist_extensor_stretch": (
        "arm forward, elbow straight, palm down; the other hand eases the back of the hand down"
    ),
    "prayer_stretch": "palms lightly together in front of the chest, wrists slightly lowered",
    "nerve_slider": (
        "arm out to the side, elbow and wrist straightening while the head tilts toward that arm"
    ),
    "wrist_bend": "forearm resting on the desk edge, hand bending gently up and down at the wrist",
    "wrist_circle": "forearm still, hand loosely open, wrist drawing a slow circle",
    "forearm_turn": "elbow bent at the side, forearm turning the palm up, then palm down",
    "palm_massage": "one thumb pressing small circles into the palm of the other hand",
    "palm_pad_massage": (
        "one thumb circling on the fleshy pads of the other palm, below the thumb and below "
        "the little finger, off the middle of the heel of the hand"
    ),
    "forearm_knead": "one hand gripping and kneading the muscles of the other forearm",
    "finger_stroke": (
        "thumb and index finger of one hand gliding along a finger of the other, base to tip"
    ),
    "finger_stroke_to_palm": (
        "hand raised; the other hand's thumb and index finger glide down a finger, "
        "from its tip to the palm"
    ),
    "stroke_to_wrist": (
        "hand raised; the other hand's fingers stroke it from the fingertips past the wrist "
        "toward the elbow"
    ),
    "hands_raised": "both hands held up above heart level, elbows bent, fingers relaxed",
    "fist_pump": "hands raised above heart level, opening wide and closing into soft fists",
    "raised_finger_fan": "hands raised above heart level, fingers spreading and closing again",
    "hands_shake": "arms hanging loosely at the sides, hands shaking loosely",
    "stand_walk": "standing up from the chair and walking a few steps",
    "shoulder_roll": "arms hanging loosely at the sides, shoulders rolling up, back and down",
    "breathing": "sitting upright, one hand resting on the chest and one on the belly",
    "look_far": "head turned away from the screen, eyes resting on a point far across the room",
    "blink": "face relaxed, eyes gently closed mid-blink",
    "palming": "elbows on the desk, cupped palms resting over closed eyes without pressing",
}
