"""Prints `export KEY=value` lines (shell-quoted) for the settings in a .env file that the
environment does not already set: the environment overrides .env.

    eval "$(.venv/bin/python scripts/dotenv_exports.py .env)"
"""

import os
import re
import shlex
import sys

from dotenv import dotenv_values

for key, value in dotenv_values(sys.argv[1]).items():
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
        sys.exit(f"{sys.argv[1]}: not a variable name: {key!r}")
    if key not in os.environ and value is not None:
        print(f"export {key}={shlex.quote(value)}")
