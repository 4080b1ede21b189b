"""The benchmark suite: our server against PostGraphile, a plain-Python floor and a SQL ceiling."""
