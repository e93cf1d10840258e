"""The web adapter: FastAPI + Jinja2 pages with htmx for partial updates, beside the
command line. Routes parse a form into the same input models the CLI uses, call one use
case, and render a template; the proven user comes from the session cookie, never a form."""
