"""The benchmark suite: our server against PostGraphile 4 and 5, a plain-Python floor and a SQL ceiling."""
