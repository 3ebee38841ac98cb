"""Server-wide runtime objects shared by the lab and the sandbox: the CPU budget and process-
wide singletons.
"""
