"""Use cases that join the quiz, the store and identity: tests, practice, review, recorded
answers, progress and the gradebook. Pages call these.
"""
