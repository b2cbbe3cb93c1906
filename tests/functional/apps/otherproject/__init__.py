"""A second stand-in project, so two hosted projects can be told apart.

Its top-level package differs from fakeproject's, so minova counts it as
another project: the two never share a process unless
``<name>_process_group`` says they may.
"""
