"""Command-line entry points: `flask --app app create-owner`, `flask --app app demo`,
`flask --app app jobs` (the job queue's consumer)."""
import sys

import click
from flask import Flask


def register_cli(app: Flask) -> None:
    @app.cli.command("create-owner")
    @click.option("--name", required=True)
    @click.option("--email", required=True)
    @click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
    @click.option("--shop-name", default=None)
    @click.option("--close-demo-accounts", is_flag=True,
                  help="Deactivate the demo accounts (whose password is public) first.")
    def create_owner_command(name: str, email: str, password: str, shop_name: str | None,
                             close_demo_accounts: bool):
        """Create the shop's owner (Propriétaire), for scripted installs."""
        from blueprints.auth.service import SetupError, create_owner
        from demo.accounts import has_demo_accounts, retire_demo_accounts
        from extensions import db
        if has_demo_accounts():
            if not close_demo_accounts:
                raise click.ClickException(
                    "this database holds the demo shop, whose accounts' password is public: "
                    "use another database, or --close-demo-accounts to deactivate them first.")
            click.echo(f"{retire_demo_accounts()} demo accounts deactivated.")
        if len(password) < 10:
            raise click.BadParameter("at least 10 characters", param_hint="--password")
        from core.passwords import weakness
        reason = weakness(password, user_inputs=(name, email, shop_name))
        if reason:
            raise click.BadParameter(str(reason), param_hint="--password")
        try:
            owner = create_owner(name, email, password, shop_name=shop_name)
        except SetupError as error:
            raise click.ClickException(f"{email}: {error}")
        db.session.commit()
        click.echo(f"Owner {owner.email} created.")

    @app.cli.command("jobs")
    @click.option("--workers", default=2, show_default=True, type=click.IntRange(min=1),
                  help="Jobs run at once (threads).")
    def jobs_command(workers: int):
        """Run the job queue's consumer (imports, sweeps). Start it beside the
        web server; with REDIS_URL set, one or more on any server."""
        import logging

        from extensions import huey
        logging.basicConfig(level=logging.INFO, format="%(asctime)s jobs %(levelname)s %(message)s")
        huey.create_consumer(workers=workers, worker_type="thread", periodic=True,
                             check_worker_health=True).run()

    @app.cli.command("demo")
    @click.option("--customers", "customer_count", default=2000, show_default=True,
                  type=click.IntRange(min=0), help="How many customers; 1000000 builds a benchmark shop.")
    @click.option("--sales", "sale_count", default=None, type=click.IntRange(min=0),
                  help="How many sales (default: five per customer, at most 5,000,000).")
    @click.option("--if-empty", is_flag=True,
                  help="Only into an empty demo database (the default instance/ file, or COMPTOIR_DEMO=1); "
                       "any other database is left to the setup page.")
    @click.option("--seed", default=2026, show_default=True, help="Same seed, same shop.")
    def demo_command(customer_count: int, sale_count: int | None, if_empty: bool, seed: int):
        """Load the demo shop (REPLACES all existing data)."""
        from flask import current_app
        from sqlalchemy import inspect

        from demo.build import build_demo_shop
        from demo.destination import is_demo_database, shop_is_empty
        from extensions import db
        if not inspect(db.engine).has_table("customers"):
            raise click.ClickException("the database has no tables yet: run `flask --app app db upgrade` first.")
        if if_empty and not is_demo_database(current_app):
            click.echo("Not the demo database (DATABASE_URL is set): demo not loaded; "
                       "open the app to create the owner (or COMPTOIR_DEMO=1 for a demo).")
            return
        if if_empty and not shop_is_empty():
            click.echo("The shop already has data; demo not loaded.")
            return
        # A stopped load (kill, Ctrl-C) still runs its cleanup: the indexes
        # dropped for the load are built again, never left missing.
        import signal
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
        summary = build_demo_shop(customer_count=customer_count, sale_count=sale_count, seed=seed,
                                  echo=click.echo)
        click.echo(summary)

    @app.cli.command("reindex-search")
    def reindex_search_command():
        """Rewrite the customers' search documents (after a bulk change) and, on
        SQLite, rebuild the FTS5 index over them."""
        from core import search_index
        from extensions import db
        from models import Customer
        from sqlalchemy import select, text
        done = 0
        last_id = 0
        while True:
            ids = list(db.session.scalars(select(Customer.id).where(Customer.id > last_id)
                                          .order_by(Customer.id).limit(5000)))
            if not ids:
                break
            search_index.reindex(db.session.connection(), ids)
            db.session.commit()
            done += len(ids)
            last_id = ids[-1]
            if done % 100000 == 0:
                click.echo(f"  {done:,} customers indexed")
        if db.engine.dialect.name == "sqlite":
            db.session.execute(text("INSERT INTO customer_fts(customer_fts) VALUES ('rebuild')"))
            db.session.commit()
        click.echo(f"Search index rebuilt for {done:,} customers.")

    @app.cli.command("reindex-purchases")
    def reindex_purchases_command():
        """Rebuild the purchase index (the directory's item filter) from the sales."""
        from core import purchase_index
        from extensions import db
        purchase_index.rebuild(db.session.connection())
        db.session.commit()
        click.echo("Purchase index rebuilt.")
