"""rsiguard: a break reminder daemon driven by how hard your hands work."""

__version__ = "0.1.0"
