"""The render pipeline in stages: scene → layout → routing → pages (drawing) → a backend
(dot, mermaid). docs/diagrams.md draws the stages.
"""
