"""Regions of Kazakhstan: 17 oblys and 3 cities of republican significance."""

from sqlalchemy import Float, String
from sqlalchemy.orm import Mapped, mapped_column

from coordinator.extensions import db


class Region(db.Model):
    __tablename__ = "regions"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # "oblys" or "city"
    name_en: Mapped[str] = mapped_column(String(80))
    name_ru: Mapped[str] = mapped_column(String(80))
    name_kk: Mapped[str] = mapped_column(String(80))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)

    def name(self, locale: str = "en") -> str:
        """The region's name in the given UI language."""
        return getattr(self, f"name_{locale}", None) or self.name_en
