"""The load stage: source YAML and data files in, the catalogue model out."""
