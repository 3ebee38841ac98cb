"""What instructors do with a bank besides serving it: preview, GIFT export and import, item
and variant statistics.
"""
