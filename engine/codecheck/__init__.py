"""Named, parameterised checks for learner PyTorch code (spec.py: data a bank carries;
checks.py/runner.py: what runs inside the sandbox; grade.py: the app-side entry point)."""
