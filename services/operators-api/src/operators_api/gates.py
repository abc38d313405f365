"""Every route's gate, declared once (service_kit.auth): the roles that may call it and the scope an
operator's API key needs for it, decided before the body is read and documented in the OpenAPI.

Operators' standing (register, edit, qualify, suspend, blacklist, honours), evaluation schemes, the
fee guideline and the other district-wide settings are the district's: a subdistrict official is
refused at the gate (403), not after the body was checked."""

from typing import Annotated

from service_kit.auth import Principal, require_roles, viewer

# Anyone; an operator's key sees the operator's own records only with operator:read.
Viewer = Annotated[Principal | None, viewer(scope="operator:read")]
# Officials of the district or a subdistrict (what a subdistrict official may touch is decided by the record).
Official = Annotated[Principal, require_roles("official")]
# District officials only.
DistrictOfficial = Annotated[Principal, require_roles("official", district=True)]
# Officials and auditors (read-only oversight).
OfficialOrAuditor = Annotated[Principal, require_roles("official", "auditor")]
# Who reads non-public records: officials, auditors, other services, and an operator's staff for their own
# (its key with operator:read).
Reader = Annotated[Principal, require_roles("official", "auditor", "service", "operator", scope="operator:read")]
# Any signed-in person (a panel member reading the panel or the ranking, whatever their role); keys refused.
Person = Annotated[Principal, require_roles("resident", "operator", "official", "auditor")]
# A panel member acting (declaring, scoring): an auditor changes nothing, so not an auditor; keys refused.
Evaluator = Annotated[Principal, require_roles("resident", "operator", "official")]
# An operator's staff, for their operator; its key with the scope named.
BidSubmitter = Annotated[Principal, require_roles("operator", scope="bids:submit")]
Reporter = Annotated[Principal, require_roles("operator", scope="reports:write")]
FeeApplicant = Annotated[Principal, require_roles("operator", scope="fees:apply")]
Appellant = Annotated[Principal, require_roles("operator", scope="appeals:submit")]
# Officials, or an operator's staff signed in with a password (no scope covers it: keys refused).
OfficialOrStaff = Annotated[Principal, require_roles("official", "operator")]
# An official filing or re-checking a report, or the operator's staff (its key with reports:write).
ReportChecker = Annotated[Principal, require_roles("official", "operator", scope="reports:write")]
# An operator's own staff or a district official edit an operator (standing is the district's).
OperatorEditor = Annotated[Principal, require_roles("official", "operator", district=True)]
# District officials and other services (sweeps: they act on every contract of the district).
OfficialOrService = Annotated[Principal, require_roles("official", "service", district=True)]
