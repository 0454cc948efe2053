"""Pure domain logic for territory and grids (shapely and numpy, no Django)."""
