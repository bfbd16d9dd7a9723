"""The procurement domain: organisations and roles, lane -> role resolution, the Finnish
deadline calendar, the procurement rules and the helpers offered to the diagrams.

See workflows/README.md. Imports run web -> workflows -> engine, never back.
"""
