"""Self-referral and the referral lifecycle."""
