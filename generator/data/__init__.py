"""The data stages: read each dataset's source once, publish its files and add them to the model."""
