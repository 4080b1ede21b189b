"""The compiled read path's planner: from a query document to a read plan."""
