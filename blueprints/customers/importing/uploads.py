"""An import's uploaded file, kept in the database (import_uploads, in pieces)
from the upload until its job ends, so that any worker can read it and a
dead one loses nothing. The uploads left behind are swept (recovery.py)."""
from __future__ import annotations

from sqlalchemy import delete, select

from blueprints.customers.importing.reading import read_upload
from blueprints.customers.importing.sources import auto_mapping
from blueprints.customers.importing.targets import allowed_targets
from extensions import db
from models import ImportJob, ImportUpload

UPLOAD_PIECE = 1_000_000  # characters per import_uploads row


def start_upload(data: bytes, *, employee, filename: str | None = None) -> ImportJob:
    """Check and keep an uploaded file; the job waits for its mapping (the caller commits).
    `filename`: the file's name, kept as the proof of the consents it brings."""
    text, info = read_upload(data)
    job = ImportJob(employee_id=employee.id, status="pending", total_rows=info.total_rows, report=[],
                    settings={"filename": (filename or "")[:255],
                              "encoding": info.encoding, "delimiter": info.delimiter, "headers": info.headers,
                              "mapping": auto_mapping(info.headers, allowed_targets(employee)),
                              "duplicates": "skip", "valid_only": False})
    db.session.add(job)
    db.session.flush()
    db.session.execute(ImportUpload.__table__.insert(), [
        {"job_id": job.id, "seq": seq, "content": text[start:start + UPLOAD_PIECE]}
        for seq, start in enumerate(range(0, len(text), UPLOAD_PIECE))])
    return job


def has_upload(job_id: int) -> bool:
    return db.session.scalar(select(ImportUpload.seq).where(ImportUpload.job_id == job_id).limit(1)) is not None


def upload_text(job_id: int) -> str:
    return "".join(upload_lines(job_id))


def upload_head(job_id: int) -> str:
    """The upload's first piece: the first rows, without reading the whole file."""
    return "".join(db.session.scalars(select(ImportUpload.content).where(ImportUpload.job_id == job_id)
                                      .order_by(ImportUpload.seq).limit(1)))


def upload_lines(job_id: int):
    """The upload's lines (ends kept, as csv wants them), read one piece at a
    time: a 20 MB file is never held whole in the worker's memory."""
    seqs = list(db.session.scalars(select(ImportUpload.seq).where(ImportUpload.job_id == job_id)
                                   .order_by(ImportUpload.seq)))
    carry = ""
    for seq in seqs:
        piece = carry + db.session.scalar(select(ImportUpload.content).where(
            ImportUpload.job_id == job_id, ImportUpload.seq == seq))
        lines = piece.splitlines(keepends=True)
        # The last line may go on in the next piece (a "\r" may be followed by its "\n").
        carry = lines.pop() if lines and not lines[-1].endswith("\n") else ""
        yield from lines
    if carry:
        yield carry


def delete_upload(job_id: int) -> None:
    db.session.execute(delete(ImportUpload).where(ImportUpload.job_id == job_id))
