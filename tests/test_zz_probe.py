from passport.directory import service as directory


def test_probe(app, demo_directory):
    with app.test_request_context("/"):
        for q, c in [
            ("debt", ""),
            ("DEBT", ""),
            ("befriending", ""),
            ("drop-in", ""),
            ("advice drop-in", ""),
            ("marsh end friendship", ""),
            ("legal", "domestic_abuse"),
            ("legal", ""),
            ("debt", "food"),
            ("trampoline", ""),
            ("debt " * 20, ""),
            ("telephone", ""),
            ("bailiffs", ""),
            ("tenancy", ""),
            ("lonely", ""),
            ("%", ""),
            ("_", ""),
        ]:
            print(repr(q), c, [s.name for s in directory.search_services(q, c)])
