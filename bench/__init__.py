"""Load benchmarks: minova beside uWSGI, gunicorn and twistd web on the same paste stacks.

``python -m bench`` (or ``bench/run.sh``, which installs the tools first)
runs the matrix in ``bench.matrix`` and writes the tables; ``bench/profile.sh``
records where a request's time goes in minova. See bench/README.md.
"""
