"""PPE and necessities: items, warehouses, stock moves, requests, deliveries."""
