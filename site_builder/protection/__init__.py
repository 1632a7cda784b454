"""Protecting published counts (SPEC 5): the disclosure-control engine.

Its interface is small; ``site_builder.reports`` is its one caller:

- a **table system** (``TableSystem``): count cells, the relations that add them up, and
  what coded rates reveal (``Inequality``); ``rate_coding`` says which rates are coded;
- **protect** it (``protect``): primary and complementary suppression, then suppression
  until the disclosure audit finds no hidden cell an attacker could narrow (``Protection``:
  each cell's status; ``DisclosureRisk`` when nothing more can be hidden);
- **blocks** (``blocks``): a year too large to protect whole is protected as independent
  blocks of whole districts, whose results combine with a proof (``blocks``' docstring);
  ``settle`` finishes what no single block could;
- **tasks** (``tasks.run``): the systems and blocks protected on Dask, in this process, on a
  local cluster or on the state's own;
- a year that is a **flow network** (``TableSystem.arcs``: attainment, with the claims)
  is proven by the exact flow audit first (``flows``), and the certificates and programs
  take only what it leaves;
- **audit** a published table (``audit_system``, ``audit.audit``): the linear programs that
  prove every hidden cell wide, also the tests' oracle.

Inside: ``privacy`` (statuses, the spec's suppression rules, rates), ``propagation``
(interval propagation, a fast first look), ``audit`` (the linear programs),
``certificates`` (proofs by moves along rows and columns, for systems too large for the
programs), ``flows`` (maximum flows by capped augmenting paths, compiled), ``disclosure``
(the repair loop that ties them together).
"""

from site_builder.protection.audit import AuditReport
from site_builder.protection.audit import audit as audit_system
from site_builder.protection.blocks import make_slice, merged, owners, wholes
from site_builder.protection.disclosure import DisclosureRisk, Protection, protect, settle
from site_builder.protection.privacy import (
    CODED_STATUSES,
    HIDDEN_STATUSES,
    PUBLISHED,
    Inequality,
    Key,
    Relation,
    Status,
    TableSystem,
    rate_coding,
    rate_thresholds,
)
from site_builder.protection.tasks import SCHEDULER_VARIABLE, ClusterFailed, Task, run

__all__ = [
    "CODED_STATUSES",
    "HIDDEN_STATUSES",
    "PUBLISHED",
    "SCHEDULER_VARIABLE",
    "AuditReport",
    "ClusterFailed",
    "DisclosureRisk",
    "Inequality",
    "Key",
    "Protection",
    "Relation",
    "Status",
    "TableSystem",
    "Task",
    "audit_system",
    "make_slice",
    "merged",
    "owners",
    "protect",
    "rate_coding",
    "rate_thresholds",
    "run",
    "settle",
    "wholes",
]
