"""The person's decisions: disclosure policy, and acting on it."""
