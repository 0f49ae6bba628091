"""`python -m interviewer`: the same as the `interviewer` command."""

from interviewer.cli import main

main()
