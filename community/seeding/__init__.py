"""Demo data: the small living community of `seed_demo` and the large benchmark community."""
