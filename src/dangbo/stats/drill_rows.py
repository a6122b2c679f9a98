"""The shape of a drill-down (``stats.drilldown``): a title, a header and rows of cells, each
cell possibly a link to an organization, a member or another page."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Cell:
    text: str
    org_id: object = None
    member_id: object = None
    href: str = ""  # a page of an app above stats' view of it (a meeting), resolved by URL name
    # what a spreadsheet writes instead of ``text``: a count, a date, a core.spreadsheet.Share
    value: object = None
    # An organization's cell as the page shows it (``orgs.labels.OrgLabel``, set by the view for
    # the rows shown): what it belongs to, and its code on hover.
    label: object = None

    @property
    def typed(self) -> object:
        """The value the export writes: ``value`` when given, else the text."""
        return self.text if self.value is None else self.value


@dataclass(frozen=True)
class Drill:
    title: str
    header: list[str]
    rows: list[list[Cell]]
    names_people: bool = False
