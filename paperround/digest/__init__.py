"""The digest stage: select, rank (paperround.ranking), render, deliver, record."""
