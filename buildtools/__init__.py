"""Steps of geosite's own wheel build: what the package carries besides its Python code.

Run by setup.py (build_py) and by `python -m buildtools` in a checkout; never imported by geosite at run time.
"""
