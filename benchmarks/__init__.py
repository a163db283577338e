"""Side-by-side benchmarks of geosite against the reference tools (`python -m benchmarks`)."""
