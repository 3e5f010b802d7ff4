import sys

try:
    from handouts.cli import main
except ImportError as exc:  # a Python without the project's libraries (outside its venv)
    sys.exit(f"handouts: this Python cannot load {exc.name or 'a library it needs'}; run "
             "the installed command (.venv/bin/handouts), or activate the environment "
             "first (source .venv/bin/activate)")

main()
