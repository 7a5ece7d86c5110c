"""Signal receivers of billing (the meter-check job's result goes to its ticket once field jobs exist)."""
