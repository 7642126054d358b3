"""Readers of the general lexical resources unspin compiles its knowledge from.

Each module reads one resource and yields plain records; none of them knows about
spinning. :mod:`unspin.knowledge.build` combines them into the compiled artefact.
"""
