"""Geography: regions, offline gazetteer, distances."""
