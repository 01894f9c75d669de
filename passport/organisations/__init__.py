"""The organisation's side: a share link, its one-time code, the referral and its answer."""
