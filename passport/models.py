"""Import every capability's models, so the metadata is whole (Alembic, tests)."""


def load_all() -> None:
    import passport.accounts.models
    import passport.chasers.models
    import passport.directory.models
    import passport.directory.search_index
    import passport.eligibility.models
    import passport.feedback.models
    import passport.inbox.models
    import passport.kept
    import passport.listings.models
    import passport.needs.models
    import passport.notices.models
    import passport.notify
    import passport.once
    import passport.referrals.models
    import passport.sharing.models
    import passport.staff.models
    import passport.wellbeing.models  # noqa: F401
