"""Two undos of the same merge at once (two employees, two tablets): one
applies, the other finds nothing to undo; nothing is given back twice. On the
suite's database, SQLite or PostgreSQL."""
import threading

from sqlalchemy import func, select


def test_two_undos_of_one_merge_at_once_apply_once(app, make_customer):
    from blueprints.customers import merging, undo_merge
    from extensions import db
    from models import MergeSnapshot, Phone, PointsEntry
    from tests.support_customers_data import add_points

    primary = make_customer(first_name="Jo", phones=["06 12 34 56 78"])
    secondary = make_customer(first_name="Jo", phones=["06 12 34 56 78"])
    with app.test_request_context():
        add_points(secondary, 10)
        merging.merge_customers(primary, [secondary], employee_id=None)
        db.session.commit()
        snapshot_id = db.session.scalar(select(MergeSnapshot.id))

    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def attempt():
        with app.test_request_context():
            barrier.wait()
            try:
                undo_merge.undo(snapshot_id, employee_id=None)
                db.session.commit()
                outcomes.append("undone")
            except Exception as error:  # noqa: BLE001 - the loser's refusal, whatever its form
                db.session.rollback()
                outcomes.append(type(error).__name__)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert outcomes.count("undone") == 1, outcomes
    with app.app_context():
        # The dropped duplicate phone was written back once, the points once.
        assert db.session.scalar(select(func.count()).select_from(Phone).where(Phone.customer_id == secondary)) == 1
        assert db.session.scalar(select(func.sum(PointsEntry.delta)).where(PointsEntry.customer_id == secondary)) == 10
