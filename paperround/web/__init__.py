"""The small web app behind the digest's feedback links: signed tokens, confirm, record, undo."""
