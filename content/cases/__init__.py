"""Cases (办件) through the three tiers: their rules, due dates in working days, what a citizen is shown,
and the acceptance slip. Pure functions over plain data; the service keeps them."""
