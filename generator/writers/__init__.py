"""Writers: one module per output, each a `write(catalogue, out)` that reads only the model."""
