"""Ways to run the engine beyond one solve: run history, batch and distributed runs, replans."""
