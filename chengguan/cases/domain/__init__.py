"""Pure domain logic of digital city-management cases (no Django)."""
