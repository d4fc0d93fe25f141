"""Every route declares what it needs (@requires) or that it is public."""


def test_every_route_declares_its_capability(app):
    undeclared = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        view = app.view_functions[rule.endpoint]
        if not hasattr(view, "required_capabilities") and not getattr(view, "is_public", False):
            undeclared.append(f"{rule.rule} -> {rule.endpoint}")
    assert undeclared == []


def test_public_routes_are_only_sign_in_setup_and_language(app):
    public = sorted(rule.endpoint for rule in app.url_map.iter_rules()
                    if getattr(app.view_functions[rule.endpoint], "is_public", False))
    assert public == ["auth.language", "auth.login", "auth.setup"]
