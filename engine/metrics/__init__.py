"""Metrics for fine-tuned models, computed with scikit-learn: classification, averaging,
ranking, uncertainty, regression, training curves and lesson demos.
"""
