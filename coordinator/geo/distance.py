"""Distances: geopy's geodesic for exact figures, numpy haversine for matrices."""

from __future__ import annotations

import numpy as np
from geopy.distance import geodesic

EARTH_RADIUS_KM = 6371.0088


def geodesic_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Exact distance in km on the WGS-84 ellipsoid between (lat, lon) points."""
    return float(geodesic(a, b).km)


def haversine_matrix(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray) -> np.ndarray:
    """Great-circle km from every point of set 1 (rows) to every point of set 2."""
    p1 = np.radians(np.column_stack([lat1, lon1]))[:, None, :]
    p2 = np.radians(np.column_stack([lat2, lon2]))[None, :, :]
    dlat = p2[..., 0] - p1[..., 0]
    dlon = p2[..., 1] - p1[..., 1]
    h = np.sin(dlat / 2) ** 2 + np.cos(p1[..., 0]) * np.cos(p2[..., 0]) * np.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def in_bbox(lat: float, lon: float, bbox: tuple[float, float, float, float]) -> bool:
    """Whether a point lies in (south, west, north, east)."""
    south, west, north, east = bbox
    return south <= lat <= north and west <= lon <= east
