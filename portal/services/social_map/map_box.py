"""The map feed's bounding box: strict parsing, snapping to a grid (so caches see few boxes), a default box."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

# One number of a box: at most 3 digits before the point and 12 after; no exponent, no nan/inf, no spaces.
_NUMBER = re.compile(r"-?[0-9]{1,3}(?:\.[0-9]{1,12})?")  # ASCII digits only: \\d takes any script
MAX_BOX_TEXT = 100
# Snapped boxes have edges on multiples of a power-of-two step (exact in binary, so the map's JavaScript gets
# the same numbers): the smallest step of at least a quarter of the box's larger side, and at least 1/1024°.
GRID_CELLS = 4
MIN_STEP = 2.0**-10
MAX_STEP = 2.0**7
TILE_PIXELS = 256
DEFAULT_VIEW_PIXELS = (1280, 1024)  # the box around a neighbourhood: a large screen's view at its zoom


class BadBox(ValueError):
    """The text is not a box this feed answers for."""


@dataclass(frozen=True)
class Box:
    """West, south, east and north edges in degrees (WGS 84), west < east and south < north."""

    west: float
    south: float
    east: float
    north: float

    def as_list(self) -> list[float]:
        """[west, south, east, north], as GeoJSON's `bbox` member has it."""
        return [self.west, self.south, self.east, self.north]

    def query_value(self) -> str:
        """The box as the feed's `bbox` query value, the way social-map.js writes it."""
        return ",".join(format_edge(edge) for edge in self.as_list())


def format_edge(value: float) -> str:
    """A snapped edge as short decimal text: exact, since it is a multiple of 1/1024."""
    text = f"{value:.10f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def parse_box(raw: str) -> Box:
    """`west,south,east,north` in degrees; raises BadBox for anything else (odd numbers, wrong order, out of range)."""
    if len(raw) > MAX_BOX_TEXT:
        raise BadBox("too long")
    parts = raw.split(",")
    if len(parts) != 4 or not all(_NUMBER.fullmatch(part) for part in parts):
        raise BadBox("not four plain numbers")
    west, south, east, north = (float(part) for part in parts)
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        raise BadBox("edges out of range or order")
    return Box(west, south, east, north)


def snap(box: Box) -> Box:
    """The smallest grid-aligned box holding `box`, on the coarsest grid that still has about GRID_CELLS cells."""
    span = max(box.east - box.west, box.north - box.south)
    step = MIN_STEP
    while step * GRID_CELLS < span and step < MAX_STEP:
        step *= 2
    return Box(
        max(math.floor(box.west / step) * step, -180.0),
        max(math.floor(box.south / step) * step, -90.0),
        min(math.ceil(box.east / step) * step, 180.0),
        min(math.ceil(box.north / step) * step, 90.0),
    )


def box_around(latitude: float, longitude: float, zoom: int) -> Box:
    """The snapped box a large screen shows around a point at a Web Mercator zoom level."""
    degrees_per_pixel = 360 / (TILE_PIXELS * 2**zoom)
    half_width = DEFAULT_VIEW_PIXELS[0] / 2 * degrees_per_pixel
    half_height = DEFAULT_VIEW_PIXELS[1] / 2 * degrees_per_pixel * math.cos(math.radians(latitude))
    return snap(
        Box(
            max(longitude - half_width, -180.0),
            max(latitude - half_height, -90.0),
            min(longitude + half_width, 180.0),
            min(latitude + half_height, 90.0),
        )
    )
