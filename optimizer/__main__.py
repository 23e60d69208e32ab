"""`python -m optimizer` runs the command line."""

from optimizer.cli import main

if __name__ == "__main__":  # guarded: solver child processes import this module too
    main()
