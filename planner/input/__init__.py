"""Reading a scenario folder (tables, settings, addresses, places) and writing one back."""
