"""Human review: the queue, reviewers' decisions, the web app (``netra review serve``) and exports.

Nothing Netra flags is a finding until a reviewer says so. See docs/review.md.
"""
