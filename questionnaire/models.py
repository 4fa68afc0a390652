"""Completed questionnaires, kept so that a result can be shown (and re-computed) later."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import models
from django.urls import reverse


class QuestionnaireQuerySet(models.QuerySet):
    def must_have_counts(self, limit: int = 10) -> list[tuple[str, int]]:
        """The most requested must-have features across stored questionnaires."""
        from .answers import must_haves, upgrade

        counts: dict[str, int] = {}
        for stored in self.values_list("answers", flat=True):
            try:
                slugs = must_haves(upgrade(stored))
            except ValueError:
                continue
            for slug in slugs:
                counts[slug] = counts.get(slug, 0) + 1
        return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]


class Questionnaire(models.Model):
    """One completed questionnaire: its answers (versioned JSON, see answers.py) and the outcome."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    answers = models.JSONField()
    created = models.DateTimeField(auto_now_add=True)
    data_fingerprint = models.CharField(max_length=64)
    verdict = models.CharField(max_length=20)
    shortlist = models.JSONField(default=list, help_text="Slugs of the ranked shortlist then.")
    # The answers and the data they were evaluated on, digested: the same answers on the same data
    # are one stored result, however often they are sent. NULL for rows from before it existed
    # (NULLs never collide in a unique index; empty strings would).
    digest = models.CharField(max_length=64, null=True, unique=True, editable=False)  # noqa: DJ001

    objects = QuestionnaireQuerySet.as_manager()

    class Meta:
        # The table predates this app (it was created by the comparison app); it keeps its name.
        db_table = "comparison_questionnaire"
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"Questionnaire {self.public_id} ({self.created:%Y-%m-%d %H:%M})"

    def get_absolute_url(self) -> str:
        return reverse("questionnaire:result", args=[self.public_id])

    @property
    def current_answers(self) -> dict[str, Any]:
        """The stored answers in the current schema (older schemas are upgraded on read)."""
        from .answers import upgrade

        return upgrade(self.answers)
