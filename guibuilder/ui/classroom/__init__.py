"""The classroom: the teacher's menu (locks, challenge), presentation mode and explanations."""
