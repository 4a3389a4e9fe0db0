"""The HQ situation picture: the live map's layers and the region outlines."""
