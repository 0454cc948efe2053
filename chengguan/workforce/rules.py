"""Who may read and keep the workforce register: the personnel officer (队伍管理员), within
their territory. A district personnel officer sees the people of their unit's agencies only;
the object check and the list filter below apply the same scope."""

import rules

from chengguan.accounts.predicates import has_role, is_audit_admin, is_system_admin
from chengguan.accounts.roles import Role
from chengguan.accounts.selectors import region_scope_keys, scope_of
from chengguan.org.models import Agency
from chengguan.workforce.models import Person, StaffingException

is_personnel = has_role(Role.PERSONNEL)


def scope_keys(obj) -> dict:
    """The unit and street a workforce object belongs to: where its agency works."""
    if isinstance(obj, Person):
        return {**region_scope_keys(obj.agency.region), "agency_id": obj.agency_id}
    if isinstance(obj, Agency):
        return {**region_scope_keys(obj.region), "agency_id": obj.pk}
    if isinstance(obj, StaffingException):
        return region_scope_keys(obj.region)
    return scope_keys(obj.person)  # certificates, trainings, exams, assessments, postings


@rules.predicate
def in_scope(user, obj) -> bool:
    """With no object (list pages) the queryset below narrows the rows."""
    if obj is None:
        return True
    return scope_of(user).contains(**scope_keys(obj))


rules.add_perm("workforce", is_personnel | is_system_admin | is_audit_admin)
for model in ("person", "certificate", "training", "exam", "assessment", "posting"):
    rules.add_perm(f"workforce.view_{model}", (is_personnel & in_scope) | is_audit_admin)
    # Changes go through the console pages and the import (sealed IDs, ledger entries).
    rules.add_perm(f"workforce.add_{model}", rules.always_deny)
    rules.add_perm(f"workforce.change_{model}", rules.always_deny)
    rules.add_perm(f"workforce.delete_{model}", rules.always_deny)
rules.add_perm("workforce.view_historicalperson", is_system_admin | is_audit_admin)
rules.add_perm("workforce.manage_person", is_personnel & in_scope)
rules.add_perm("workforce.view_staffingexception", (is_personnel & in_scope) | is_audit_admin)
rules.add_perm("workforce.add_staffingexception", is_personnel)
rules.add_perm("workforce.change_staffingexception", is_personnel & in_scope)
rules.add_perm("workforce.delete_staffingexception", rules.always_deny)
