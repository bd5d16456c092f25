"""The exposure map: what each firm holds of the person's, for how long, and after a breach."""
