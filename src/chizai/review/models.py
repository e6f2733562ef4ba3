"""Models of the review web front arrive with issue 3; the engine is in chizai.review.engine."""
